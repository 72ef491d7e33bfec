"""Benchmark ExperimentDesigner.recommend against a straightforward per-candidate loop.

Run: python benchmarks/bench_designer.py

Prints, on the Experiment Designer docs example's grid (3 channels x 7 spend changes x
4 durations, 4000 draws):

- the first ``recommend()`` of a fresh Python process, compile included, twice: with an
  empty numba cache (a fresh checkout) and with the cache the first run wrote;
- the median wall time of later calls, and the ratio against a naive implementation that
  loops over candidates and evaluates each one with plain numpy (adstock ramp, saturation,
  power per draw, arviz HDI) in the same run;

then the same with the learning value (64 simulated outcomes per candidate, every
candidate of the grid kept), against a naive numpy reweighting per candidate, with the
reweighting kernel's own time and the share of outcomes its series took (the rest
took the direct sum, :mod:`labkit._reweighting`); and the median time and peak memory
of a 10 000-candidate grid.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc

import arviz as az
import numpy as np
from scipy.special import ndtr, ndtri

from labkit._reweighting import reweighted_moments
from labkit.design import DEFAULT_DURATIONS, DEFAULT_SPEND_CHANGES, ExperimentDesigner
from labkit.design.fixture import simulate_designer_fixture
from labkit.response import adstock_ramp, logistic, steady_state_multiplier
from labkit.stats import HDI_PROB, effective_sigma

# Timed in a child process: importing labkit and building the designer come first, untimed.
FIRST_CALL = """
import time
from labkit.design.fixture import simulate_designer_fixture
designer = simulate_designer_fixture().designer()
start = time.perf_counter()
designer.recommend()
print(time.perf_counter() - start)
"""


def first_call_seconds(cache_dir: str) -> float:
    """Seconds of the first ``recommend()`` in a fresh interpreter using ``cache_dir``."""
    env = os.environ | {"NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run(
        [sys.executable, "-c", FIRST_CALL], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def naive_recommend(designer: ExperimentDesigner, changes, durations, significance_level=0.05):
    """One candidate at a time, each vectorised over the draws with plain numpy."""
    z = ndtri(1 - significance_level / 2)
    rows = []
    normalize = designer.engine.normalize
    for c in designer.channels:
        params = designer.saturation_draws(c)
        lam, beta = params["lam"][:, None], params["beta"][:, None]
        alpha = designer.adstock_draws(c)["alpha"]
        x = designer.current_spend[c][0]
        m = steady_state_multiplier(alpha, designer.l_max, normalize)[:, None]
        base = logistic(m * x, lam, beta)
        for change in changes:
            for weeks in durations:
                ramp = adstock_ramp(alpha, designer.l_max, weeks)
                lifts = (logistic(m * x * (1 + change * ramp), lam, beta) - base).sum(axis=1)
                sd = effective_sigma(designer.residual_std[0], designer.residual_autocorr[0], weeks)
                a = np.abs(lifts) / sd
                assurance = float(np.mean(ndtr(a - z) + ndtr(-a - z)))
                rows.append((c, change, weeks, lifts.mean(), az.hdi(lifts, HDI_PROB), assurance))
    return rows


def component_designer(designer: ExperimentDesigner) -> ExperimentDesigner:
    """The same posterior through the general path: pymc-marketing's own components."""
    from pymc_marketing.mmm import GeometricAdstock, LogisticSaturation

    from labkit.design.engines import ComponentEngine

    kernel = designer.engine
    engine = ComponentEngine(
        adstock=GeometricAdstock(l_max=designer.l_max, normalize=kernel.normalize),
        saturation=LogisticSaturation(),
        adstock_first=True,
        adstock_params=kernel.adstock_params,
        saturation_params=kernel.saturation_params,
        current_spend=designer.current_spend,
    )
    return ExperimentDesigner(
        engine=engine,
        current_spend=designer.current_spend,
        residual_std=designer.residual_std,
        residual_autocorr=designer.residual_autocorr,
        spend_correlation=designer.spend_correlation,
        units=designer.units,
        channel_scale=designer.channel_scale,
        target_scale=designer.target_scale,
    )


def naive_learning(designer: ExperimentDesigner, n_outcomes: int = 64) -> list[float]:
    """Learning value of every default candidate, one numpy reweighting per outcome."""
    rng = np.random.default_rng(0)
    out = []
    for c in designer.channels:
        roas = designer.steady_state_roas(c)
        for change in DEFAULT_SPEND_CHANGES:
            for weeks in DEFAULT_DURATIONS:
                lifts = designer.lift_draws(c, change, weeks)
                sd = float(designer.sigma_d(weeks))
                post = []
                for _ in range(n_outcomes):
                    y = lifts[rng.integers(lifts.size)] + sd * rng.standard_normal()
                    w = np.exp(-0.5 * ((y - lifts) / sd) ** 2)
                    w /= w.sum()
                    mean = w @ roas
                    post.append(np.sqrt(w @ (roas - mean) ** 2))
                out.append(1 - np.mean(post) / roas.std())
    return out


def kernel_inputs(designer: ExperimentDesigner, n_outcomes: int = 64) -> tuple[np.ndarray, ...]:
    """Return the reweighting kernel's arguments for every default candidate."""
    rng = np.random.default_rng(0)
    lifts, sigma, quantity = [], [], []
    for c in designer.channels:
        roas = designer.steady_state_roas(c)
        for change in DEFAULT_SPEND_CHANGES:
            for weeks in DEFAULT_DURATIONS:
                lifts.append(designer.lift_draws(c, change, weeks))
                sigma.append(float(designer.sigma_d(weeks)))
                quantity.append(roas)
    lifts, sigma, quantity = np.array(lifts), np.array(sigma), np.array(quantity)
    source = rng.integers(0, lifts.shape[1], size=(len(lifts), n_outcomes))
    outcomes = np.take_along_axis(lifts, source, axis=1)
    outcomes += rng.standard_normal(outcomes.shape) * sigma[:, None]
    return lifts, sigma, quantity, outcomes


def main() -> None:
    with tempfile.TemporaryDirectory() as cache:
        cold = first_call_seconds(cache)
        cached = first_call_seconds(cache)

    fixture = simulate_designer_fixture()
    designer = fixture.designer()
    for _ in range(5):  # compile the numba kernels (or load them from the cache), then warm up
        designer.recommend(learning_value=True)

    grid_ms = median_ms(designer.recommend, repeat=30)
    n_seed = len(designer.channels) * len(DEFAULT_SPEND_CHANGES) * len(DEFAULT_DURATIONS)
    naive_ms = median_ms(
        lambda: naive_recommend(designer, DEFAULT_SPEND_CHANGES, DEFAULT_DURATIONS), repeat=3
    )
    print(f"docs grid: {n_seed} candidates x {designer.n_draws} draws")
    print(f"  first call, no cache   {cold:8.2f} s    (target <= 5 s; compiles the kernels)")
    print(f"  first call, cached     {cached:8.2f} s")
    print(f"  recommend() median     {grid_ms:8.2f} ms   (target <= 15 ms)")
    print(f"  numpy per candidate    {naive_ms:8.1f} ms   (reference: vectorised over draws)")
    print(f"  speed-up vs numpy      {naive_ms / grid_ms:8.1f} x")
    general = component_designer(designer)
    for _ in range(3):  # compile the PyTensor graphs, then warm up
        general.recommend()
    general_ms = median_ms(general.recommend, repeat=15)
    worst = max(
        float(np.abs(designer.lift_draws(c, k, t) - general.lift_draws(c, k, t)).max())
        for c in designer.channels
        for k in DEFAULT_SPEND_CHANGES
        for t in DEFAULT_DURATIONS
    )
    print(f"  general path median    {general_ms:8.2f} ms   (the model's own components)")
    print(f"  general / kernel       {general_ms / grid_ms:8.1f} x    (target <= 10 x)")
    print(f"  largest lift gap       {worst:8.1e}      (general vs kernel, every candidate)")

    kept_ms = median_ms(lambda: designer.recommend(learning_value=True), repeat=15)
    n_kept = len(designer.recommend())
    learn_ms = median_ms(lambda: designer.recommend(min_snr=0.0, learning_value=True), repeat=15)
    print(f"  with learning value    {kept_ms:8.2f} ms   (the {n_kept} passing |SNR| >= 2)")
    naive_learn_ms = median_ms(lambda: naive_learning(designer), repeat=3)
    print(f"  with learning value    {learn_ms:8.2f} ms   (all {n_seed} kept; target <= 60 ms)")
    print(f"  naive reweighting      {naive_learn_ms:8.1f} ms   (numpy, per candidate)")
    print(f"  speed-up vs naive      {naive_learn_ms / learn_ms:8.1f} x")
    args = kernel_inputs(designer)
    kernel_ms = median_ms(lambda: reweighted_moments(*args), repeat=15)
    share = reweighted_moments(*args)[2].mean()
    print(f"  of which reweighting   {kernel_ms:8.2f} ms   ({share:.0%} of outcomes by the series)")

    changes = tuple(np.round(np.linspace(-1.0, 1.0, 201), 3))
    changes = tuple(float(c) for c in changes if c != 0)[:200]
    durations = tuple(range(1, 18))
    n_big = len(designer.channels) * len(changes) * len(durations)
    big_ms = median_ms(lambda: designer.recommend(changes, durations, min_snr=0.0), repeat=3)
    tracemalloc.start()  # separately: tracing slows allocation down
    designer.recommend(changes, durations, min_snr=0.0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"large grid: {n_big} candidates x {designer.n_draws} draws")
    print(f"  recommend() median     {big_ms:8.1f} ms   (target <= 2000 ms)")
    print(f"  peak traced memory     {peak / 2**20:8.1f} MiB (target <= 1024 MiB)")


if __name__ == "__main__":
    main()

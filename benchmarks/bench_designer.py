"""Benchmark ExperimentDesigner.recommend against a straightforward per-candidate loop.

Run: python benchmarks/bench_designer.py

Prints the median wall time of ``recommend()`` on the Experiment Designer docs example's grid
(3 channels x 7 spend changes x 4 durations, 4000 draws), a 10 000-candidate grid with its
peak memory, and the ratio against a naive implementation that loops over candidates and
evaluates each one with plain numpy (adstock ramp, saturation, power per draw, arviz HDI)
in the same run.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc

import arviz as az
import numpy as np
from scipy.special import ndtr, ndtri

from labkit.design.designer import DEFAULT_DURATIONS, DEFAULT_SPEND_CHANGES
from labkit.design.fixture import simulate_designer_fixture
from labkit.response import adstock_ramp, logistic, steady_state_multiplier
from labkit.stats import effective_sigma


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def naive_recommend(designer, changes, durations, significance_level=0.05):
    """One candidate at a time, the way a first implementation would do it."""
    z = ndtri(1 - significance_level / 2)
    rows = []
    for c in designer.channels:
        lam, beta = designer.params[c]["lam"][0], designer.params[c]["beta"][0]
        alpha = designer.alpha[c][0]
        x = designer.current_spend[c][0]
        for change in changes:
            for weeks in durations:
                m = steady_state_multiplier(alpha, designer.l_max, designer.normalize)
                ramp = adstock_ramp(alpha, designer.l_max, weeks)
                lifts = np.empty(designer.n_draws)
                for d in range(designer.n_draws):
                    weekly = logistic(m[d] * (x + change * x * ramp[d]), lam[d], beta[d])
                    lifts[d] = (weekly - logistic(m[d] * x, lam[d], beta[d])).sum()
                sd = effective_sigma(designer.residual_std[0], designer.residual_autocorr[0], weeks)
                a = np.abs(lifts) / sd
                assurance = float(np.mean(ndtr(a - z) + ndtr(-a - z)))
                rows.append((c, change, weeks, lifts.mean(), az.hdi(lifts, 0.94), assurance))
    return rows


def main() -> None:
    fixture = simulate_designer_fixture()
    designer = fixture.designer()
    designer.recommend()  # compile the numba kernels (cached on disk afterwards)

    grid_ms = median_ms(designer.recommend, repeat=30)
    n_seed = len(designer.channels) * len(DEFAULT_SPEND_CHANGES) * len(DEFAULT_DURATIONS)
    naive_ms = median_ms(
        lambda: naive_recommend(designer, DEFAULT_SPEND_CHANGES, DEFAULT_DURATIONS), repeat=3
    )
    print(f"seed grid: {n_seed} candidates x {designer.n_draws} draws")
    print(f"  recommend() median     {grid_ms:8.2f} ms   (target <= 15 ms; reference 6940 ms)")
    print(f"  naive per-candidate    {naive_ms:8.1f} ms")
    print(f"  speed-up vs naive      {naive_ms / grid_ms:8.1f} x")

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

"""Benchmark the grid elicitation posterior against NUTS on the same observation.

Run: python benchmarks/bench_elicitation.py

Prints the median wall time of the exact 200 x 200 grid posterior (target <= 50 ms) and the
wall time of NUTS (4 chains x 5000 draws, compilation included) in the same run, with their
ratio and the largest quartile gap between the two posteriors.

It then times one update of the elicitation explorer (grid posterior, two maximum-entropy
priors, two redrawn panels; target <= 0.5 s) against the same update with the priors
fitted by PyMC's deprecated ``find_constrained_prior``, which compiles PyTensor graphs.
"""

from __future__ import annotations

import statistics
import time
import warnings

import matplotlib
import numpy as np
import pandas as pd

from labkit.elicitation.posterior import compare_elicitations, elicit
from labkit.elicitation.widgets import ElicitationExplorer
from labkit.stats import hdi

matplotlib.use("agg")

OBSERVATION = pd.DataFrame({"x": [1.83], "rate": [0.291], "rate_sd": [0.034]})


def main() -> None:
    elicit(OBSERVATION, random_seed=0)  # compile the autodiff derivative once
    times = []
    for _ in range(30):
        start = time.perf_counter()
        grid = elicit(OBSERVATION, random_seed=0)
        times.append(time.perf_counter() - start)
    grid_ms = 1000 * statistics.median(times)
    start = time.perf_counter()
    nuts = elicit(OBSERVATION, method="nuts", random_seed=0, sample_kwargs={"progressbar": False})
    nuts_ms = 1000 * (time.perf_counter() - start)
    gaps = compare_elicitations(grid, nuts)
    central = gaps[gaps["quantile"].between(0.25, 0.75)]["relative_gap"].max()
    print("one observation, Michaelis-Menten, HalfNormal(3) priors")
    print(f"  grid 200x200 median   {grid_ms:9.1f} ms   (target <= 50 ms)")
    print(f"  NUTS 4 x 5000 draws   {nuts_ms:9.1f} ms   (one run, compilation included)")
    print(f"  NUTS / grid           {nuts_ms / grid_ms:9.0f} x")
    print(f"  largest quartile gap  {central:9.1%}")
    explorer_ms = explorer_update_ms()
    naive_ms = find_constrained_prior_ms()
    print("elicitation explorer, one slider release")
    print(f"  update median         {explorer_ms:9.1f} ms   (target <= 500 ms)")
    print(f"  priors by find_constrained_prior (2 params) {naive_ms:9.1f} ms")
    print(f"  naive priors / update {naive_ms / explorer_ms:9.1f} x")


def explorer_update_ms(n: int = 10) -> float:
    """Median wall time of one explorer update after a change of the observed rate."""
    explorer = ElicitationExplorer(
        rate=0.29, rate_sd=0.034, x=1.83, target_scale=10.0, channel_scale=4.0
    )
    explorer.controls["rate"].value = 0.3  # warm: the first update compiles the derivative
    times = []
    for rate in np.linspace(0.2, 0.5, n):
        explorer.controls["rate"].value = float(round(rate, 2))
        times.append(explorer.seconds)
    return 1000 * statistics.median(times)


def find_constrained_prior_ms(n: int = 3) -> float:
    """Median wall time of fitting the explorer's two priors with PyMC's compiling fit."""
    import pymc as pm

    draws = elicit(OBSERVATION, random_seed=0).draws("alpha")
    times = []
    for _ in range(n):
        start = time.perf_counter()
        for scale in (10.0, 4.0):
            lower, upper = hdi(draws / scale, 0.95)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)  # deprecated: the reference
                pm.find_constrained_prior(
                    pm.Gamma, lower=lower, upper=upper, mass=0.95,
                    init_guess={"alpha": 4.0, "beta": 8.0 / (lower + upper)},
                )  # fmt: skip
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


if __name__ == "__main__":
    main()

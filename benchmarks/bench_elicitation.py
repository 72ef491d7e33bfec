"""Benchmark the grid elicitation posterior against NUTS on the same observation.

Run: python benchmarks/bench_elicitation.py

Prints the median wall time of the exact 200 x 200 grid posterior (target <= 50 ms) and the
wall time of NUTS (4 chains x 5000 draws, compilation included) in the same run, with their
ratio and the largest quartile gap between the two posteriors.
"""

from __future__ import annotations

import statistics
import time

import pandas as pd

from labkit.elicitation import compare_elicitations, elicit

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


if __name__ == "__main__":
    main()

"""Benchmark and validate the geo-level designer on the committed geo panel.

Run: python benchmarks/bench_geo_design.py [--tests N]

Prints, for 8 single geos x 2 channels x 4 durations (one spend change, +50 %),
with a designer whose posterior sits around the panel's truth
(:func:`labkit.design.geo_panel_designer`, 1000 draws):

- the first ranking with placebo noise (every CausalPy synthetic-control fit on
  every placebo window of the pre-period), the same ranking from the cache (median
  of 5), and the ranking with model noise only (median of 20, warm), against a naive
  per-candidate loop (lift draws from the designer one candidate at a time, power
  with scipy) in the same run;
- the validation: for the top candidates, N simulated tests in new noise draws of
  the panel's world, each read with CausalPy's synthetic control and judged with the
  candidate's placebo sd, against the assurance that sd predicts.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from bench_designer import median_ms  # the same timing helper (this folder is on sys.path)
from scipy.special import ndtr, ndtri

import labkit
from labkit.data.experiments import geo_expected_sales
from labkit.design import GeoDesigner, geo_panel_designer
from labkit.design.detection import simulate_placebo_detection
from labkit.stats import assurance

DURATIONS = (4, 6, 8, 12)


def naive_rank(geo_designer: GeoDesigner) -> list[tuple[str, str, int, float]]:
    """One candidate at a time: lift draws, model sd and power averaged over draws."""
    d = geo_designer.designer
    z = ndtri(0.975)
    out = []
    for geo in d.units:
        for channel in d.channels:
            for weeks in DURATIONS:
                draws = d.lift_draws(channel, 0.5, weeks, geo)
                sd = float(d.sigma_d(weeks, geo))
                power = ndtr(draws / sd - z) + ndtr(-draws / sd - z)
                out.append((geo, channel, weeks, float(power.mean())))
    return sorted(out, key=lambda row: -row[3])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300, help="simulated tests per candidate")
    parser.add_argument("--candidates", type=int, default=6, help="top candidates validated")
    args = parser.parse_args()
    ds = labkit.load_dataset("geo_panel")
    designer = geo_panel_designer(ds, n_draws=1000, seed=0)
    geo = GeoDesigner(designer, ds.data, pre_end=ds.truth["experiment_start"])
    kwargs = {"durations": DURATIONS, "spend_changes": (0.5,), "progress": False}

    start = time.perf_counter()
    table = geo.rank(**kwargs)
    first = time.perf_counter() - start
    cached = median_ms(lambda: geo.rank(**kwargs), 5)
    geo.rank(placebo=False, learning_value=False, **kwargs)
    model_only = median_ms(lambda: geo.rank(placebo=False, learning_value=False, **kwargs), 20)
    with_learning = median_ms(lambda: geo.rank(placebo=False, **kwargs), 20)
    naive = median_ms(lambda: naive_rank(geo), 5)
    n = len(table)
    print(f"{n} candidates (8 geos x 2 channels x {len(DURATIONS)} durations), 1000 draws")
    print(f"  placebo noise, first ranking     {first:8.1f} s")
    print(f"  placebo noise, from the cache    {cached:8.1f} ms")
    print(f"  model noise only                 {model_only:8.1f} ms")
    print(f"  model noise, with learning value {with_learning:8.1f} ms")
    print(f"  naive per-candidate loop         {naive:8.1f} ms  ({naive / model_only:.1f}x)")

    print(f"\nvalidation: {args.tests} simulated tests per candidate, read with the placebo sd")
    print("  set      channel    weeks  sd_placebo  assurance  detected  difference")
    gaps = []
    expected, noise_sd = geo_expected_sales(ds)
    for i, row in enumerate(table.table.head(args.candidates).itertuples()):
        members = tuple(row.treated_set)
        sims = simulate_placebo_detection(
            geo, expected, noise_sd, members, row.channel, row.spend_change, int(row.duration),
            sigma=row.sigma_placebo, n_tests=args.tests, random_seed=i,
        )  # fmt: skip
        lifts = np.sum([designer.lift_draws(row.channel, row.spend_change, int(row.duration), g)
                        for g in members], axis=0)  # fmt: skip
        predicted = float(assurance(lifts[None], np.array([row.sigma_placebo]), 0.05)[0][0])
        detected = float(sims["significant"].mean())
        gap = detected - predicted
        gaps.append(gap)
        print(
            f"  {'+'.join(row.treated_set):8s} {row.channel:10s} {int(row.duration):5d}  "
            f"{row.sigma_placebo:10.3f}  {predicted:9.3f}  {detected:8.3f}  {gap:+9.3f}"
        )
    gaps = np.array(gaps)
    print(
        f"  within +-0.05: {(np.abs(gaps) <= 0.05).sum()} of {len(gaps)}; "
        f"mean difference {gaps.mean():+.3f}"
    )


if __name__ == "__main__":
    main()

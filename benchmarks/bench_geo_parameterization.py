"""Centred (pymc-marketing's example) vs non-centred hierarchical priors on the geo panel.

Run: python benchmarks/bench_geo_parameterization.py [--draws 1000] [--chains 4] [--calibrated]

Fits the geo MMM of chapter 2 with both parameterisations (nutpie, the same seed,
draws and target acceptance) and prints, per parameterisation, the wall time
(compilation included), the divergent transitions, the smallest bulk ESS of the
media parameters and that ESS per second, with the non-centred / centred ratios.
One fit each: MCMC runs take minutes, so the "median" is of one run.
"""

from __future__ import annotations

import argparse
import time

import arviz as az

import labkit
from labkit.geo.lift_tests import oracle_lift_tests
from labkit.geo.model import build_geo_mmm, geo_xy

MEDIA = ["saturation_lam", "saturation_beta", "adstock_alpha"]


def fit(parameterization: str, args: argparse.Namespace) -> dict[str, float]:
    ds = labkit.load_dataset("geo_panel")
    lift = oracle_lift_tests(ds) if args.calibrated else None
    mmm = build_geo_mmm(ds, parameterization=parameterization, lift_tests=lift)
    X, y = geo_xy(ds)
    start = time.perf_counter()
    idata = mmm.fit(
        X,
        y,
        chains=args.chains,
        draws=args.draws,
        tune=args.draws,
        target_accept=args.target_accept,
        nuts_sampler="nutpie",
        random_seed=args.seed,
        progressbar=False,
    )
    seconds = time.perf_counter() - start
    ess = float(az.ess(idata, var_names=MEDIA).to_array().min())
    return {
        "seconds": seconds,
        "divergences": int(idata.sample_stats["diverging"].sum()),
        "min_ess": ess,
        "ess_per_s": ess / seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--target-accept", type=float, default=0.99)
    parser.add_argument("--seed", type=int, default=2002)
    parser.add_argument("--calibrated", action="store_true", help="add the oracle lift tests")
    args = parser.parse_args()
    results = {p: fit(p, args) for p in ("centered", "non_centered")}
    kind = "calibrated" if args.calibrated else "uncalibrated"
    print(
        f"geo MMM ({kind}), {args.chains} chains x {args.draws} draws, "
        f"target_accept {args.target_accept}, nutpie"
    )
    print(f"  {'':14s}{'time (s)':>10s}{'divergences':>13s}{'min ESS':>10s}{'ESS/s':>8s}")
    for name, r in results.items():
        print(
            f"  {name:14s}{r['seconds']:10.0f}{r['divergences']:13d}"
            f"{r['min_ess']:10.0f}{r['ess_per_s']:8.2f}"
        )
    c, n = results["centered"], results["non_centered"]
    print(f"  non-centred / centred ESS per second: {n['ess_per_s'] / c['ess_per_s']:.1f} x")
    print(f"  divergences: {c['divergences']} centred -> {n['divergences']} non-centred")


if __name__ == "__main__":
    main()

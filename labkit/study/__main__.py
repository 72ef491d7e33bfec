"""``python -m labkit.study NAME --seeds 0:40 --n-jobs 2 [--scheduler ADDRESS] [--output DIR]``.

``python -m labkit.study NAME --stamp [--canary SEED]`` re-runs one committed seed and,
if it reproduces, records the current code's fingerprint in the study's JSON.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labkit.study import DEFAULT_SEEDS, STUDIES, STUDY_DIR, run_study, stamp_study


def _seeds(text: str) -> range:
    try:
        start, stop = (int(v) for v in text.split(":"))
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"--seeds must look like 0:40, got {text!r}") from err
    if not 0 <= start < stop:
        raise argparse.ArgumentTypeError(f"--seeds needs 0 <= start < stop, got {text!r}")
    return range(start, stop)


def main(argv: list[str] | None = None) -> int:
    """Run a study from the command line and write its CSV and JSON."""
    parser = argparse.ArgumentParser(prog="python -m labkit.study", description=__doc__)
    parser.add_argument("name", choices=sorted(STUDIES))
    parser.add_argument("--seeds", type=_seeds, help="start:stop (default: the committed range)")
    parser.add_argument("--n-jobs", type=int, default=2, help="local worker processes")
    parser.add_argument("--scheduler", help="a Dask scheduler address: run there instead")
    parser.add_argument("--output", default=str(STUDY_DIR), help="directory of <name>.csv/.json")
    parser.add_argument(
        "--stamp",
        action="store_true",
        help="re-run one committed seed; if its row reproduces, record the code's fingerprint",
    )
    parser.add_argument("--canary", type=int, help="the seed --stamp re-runs (default: the first)")
    parser.add_argument(
        "--ignore", nargs="*", default=(), help="columns --stamp records but does not compare"
    )
    args = parser.parse_args(argv)
    study = STUDIES[args.name]
    if args.stamp:
        meta = stamp_study(study, args.output, seed=args.canary, ignore=args.ignore)
        print(f"{study.name}: seed {meta['reproduced_seed']} reproduces; fingerprint recorded")
        return 0
    seeds = args.seeds or DEFAULT_SEEDS[args.name]
    folder = Path(args.output)
    folder.mkdir(parents=True, exist_ok=True)
    result = run_study(
        study, seeds, n_jobs=args.n_jobs, client=args.scheduler, output=folder / f"{study.name}.csv"
    )
    result.write_json(folder / f"{study.name}.json")
    print(result.claims.to_string(float_format=lambda v: f"{v:.3f}"))
    failed = int((result.rows["status"] != "ok").sum())
    print(f"{len(result.rows)} seeds, {failed} failed, {result.wall_seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

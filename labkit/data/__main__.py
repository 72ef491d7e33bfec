"""Regenerate the book's simulated data sets, or check the committed files.

Each data set is simulated from its seed and written to <name>.csv (the
observations) and <name>.json (the truth). With --check nothing is written:
the command fails, listing the files that differ, unless a fresh regeneration
matches the committed files byte for byte.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labkit.data import DATA_DIR, DATASETS, check_name, dataset_bytes, write_datasets


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m labkit.data",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "names", nargs="*", help=f"data sets among {', '.join(DATASETS)} (default: all)"
    )
    parser.add_argument(
        "--dir", default=str(DATA_DIR), help="folder of the data files (default: %(default)s)"
    )
    parser.add_argument(
        "--check", action="store_true", help="fail if a committed file differs from a regeneration"
    )
    args = parser.parse_args(argv)
    names = args.names or list(DATASETS)
    for name in names:
        check_name(name)
    if not args.check:
        for path in write_datasets(args.dir, names):
            print(f"wrote {path}")
        return 0
    stale = []
    for name in names:
        csv, truth = dataset_bytes(DATASETS[name].simulate())
        for suffix, payload in ((".csv", csv), (".json", truth)):
            path = Path(args.dir) / f"{name}{suffix}"
            if not path.exists() or path.read_bytes() != payload:
                stale.append(str(path))
    if stale:
        print("differs from a fresh regeneration: " + ", ".join(stale))
        return 1
    print(f"all {len(names)} data sets match a fresh regeneration")
    return 0


if __name__ == "__main__":
    sys.exit(_main())

"""Every benchmark, one after the other, against ``DATABASE_URL``.

    .venv/bin/python bench/run_all.py [--quick]

Runs report, pages, growth (the pages at a tenth of the register), export, import (``bench/import_households.py``) and the
load test as separate processes (so that each peak RSS is its own) and
prints their FIGURE lines together at the end. ``--quick``: fewer runs and a
20-second load test. Exit status 1 when a figure missed its target.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    options = parser.parse_args(argv)
    runs = ["--runs", "3"] if options.quick else []
    steps = [
        ["report.py", *runs],
        ["pages.py", *(["--runs", "5"] if options.quick else [])],
        ["growth.py", *(["--runs", "3"] if options.quick else [])],
        ["export.py"],
        ["import_households.py"],
        ["load.py", *(["--seconds", "20"] if options.quick else [])],
    ]
    figures, failed = [], False
    for step in steps:
        print(f"\n=== bench/{' '.join(step)}", flush=True)
        done = subprocess.run(
            [sys.executable, str(HERE / step[0]), *step[1:]], capture_output=True, text=True
        )
        print(done.stdout, end="")
        if done.returncode:
            failed = True
            print(done.stderr[-2000:], end="")
        figures += [line for line in done.stdout.splitlines() if line.startswith("FIGURE")]
    print("\n=== Summary")
    print("\n".join(figures))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

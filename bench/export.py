"""Export of every household (the province) through the transfer feature's exporter.

    .venv/bin/python bench/export.py [--fmt csv|xlsx] [--limit N]

Consumes ``households.transfer.exporting.export_households(qs, fmt=...)``
into a byte counter (nothing is kept), and prints the wall time and the peak
memory: the process's peak RSS (``resource.getrusage``, which includes
Django and the interpreter) and the peak of Python allocations during the
export (``tracemalloc``; slower, so measured in a second pass only with
``--tracemalloc``).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

SECONDS_TARGET = 30
MEMORY_TARGET_MB = 300


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(fmt: str, limit: int | None, trace: bool) -> bool:
    from households.models import Household
    from households.transfer.exporting import export_households

    households = Household.objects.order_by("pk")
    if limit:
        households = households.filter(pk__in=households.values("pk")[:limit])
    count = households.count()
    before = peak_rss_mb()
    start = time.perf_counter()
    size = sum(len(chunk) for chunk in export_households(households, fmt=fmt))
    seconds = time.perf_counter() - start
    peak = peak_rss_mb()
    common.note(
        f"{common.database_label()}: {count:,} households, {fmt}, {size / 1e6:.1f} MB written; "
        f"peak RSS {peak:.0f} MB (before the export {before:.0f} MB)"
    )
    ok = common.figure(f"export {count:,} households ({fmt})", seconds, SECONDS_TARGET, "s")
    ok &= common.figure("export: peak RSS of the process", peak, MEMORY_TARGET_MB, "MB")
    if trace:
        import tracemalloc

        tracemalloc.start()
        for _chunk in export_households(households, fmt=fmt):
            pass
        _current, traced = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        common.figure("export: peak Python allocations", traced / 2**20, None, "MB")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fmt", choices=["csv", "xlsx"], default="xlsx")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--tracemalloc", action="store_true")
    options = parser.parse_args(argv)
    common.setup()
    return 0 if run(options.fmt, options.limit, options.tracemalloc) else 1


if __name__ == "__main__":
    sys.exit(main())

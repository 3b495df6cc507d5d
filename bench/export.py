"""Export of every household (the province) through the transfer feature's exporter.

    .venv/bin/python bench/export.py [--fmt csv|xlsx] [--limit N] [--runs N] [--floor]

Consumes ``households.transfer.exporting.export_households(qs, fmt=...)``
into a byte counter (nothing is kept), and prints the median wall time of
``--runs`` runs and the peak memory: the process's peak RSS
(``resource.getrusage``, which includes Django and the interpreter) and the
peak of Python allocations during the export (``tracemalloc``; slower, so
measured in a second pass only with ``--tracemalloc``).

``--floor`` (xlsx) also times writing as many constant rows of the same
widths (households, and four members each) without the database: through
openpyxl's write-only workbook and through ``households.transfer.xlsx``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

SECONDS_TARGET = 30
MEMORY_TARGET_MB = 300


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(fmt: str, limit: int | None, trace: bool, runs: int) -> bool:
    from households.models import Household
    from households.transfer.exporting import export_households

    households = Household.objects.order_by("pk")
    if limit:
        households = households.filter(pk__in=households.values("pk")[:limit])
    count = households.count()
    before = peak_rss_mb()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        size = sum(len(chunk) for chunk in export_households(households, fmt=fmt))
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    peak = peak_rss_mb()
    common.note(
        f"{common.database_label()}: {count:,} households, {fmt}, {size / 1e6:.1f} MB written; "
        f"peak RSS {peak:.0f} MB (before the export {before:.0f} MB); "
        f"runs: {', '.join(f'{t:.2f}' for t in times)} s"
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


#: A household row (15 columns and 15 indicator flags) and a member row, as exported.
FLOOR_HOUSEHOLD = [
    "QN-26998-000123",
    "26998",
    "Tổ 5",
    "Nguyễn Văn Đức",
    "022085001234",
    "male",
    1965,
    0,
    4,
    2025,
    2_500_000,
    None,
    "not_poor",
    "",
    "",
] + [0] * 15
FLOOR_MEMBER = [
    "QN-26998-000123",
    "26998",
    "Nguyễn Thị Lan",
    "022185001234",
    "female",
    datetime.date(1990, 1, 2),
    1990,
    "spouse",
    "Kinh",
    "HC4220123456789",
    datetime.date(2026, 12, 31),
]


def floor(count: int, members_per_household: int = 4) -> None:
    """Seconds to write ``count`` constant household rows and their members."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from households.transfer.xlsx import StreamingWorkbook

    def openpyxl_floor(path):
        workbook = Workbook(write_only=True)
        households, members = workbook.create_sheet("h"), workbook.create_sheet("m")
        for _ in range(count):
            households.append(FLOOR_HOUSEHOLD)
            for _ in range(members_per_household):
                row = list(FLOOR_MEMBER)
                for i in (5, 10):
                    row[i] = WriteOnlyCell(members, row[i])
                    row[i].number_format = "dd/mm/yyyy"
                members.append(row)
        workbook.save(path)

    def streaming_floor(path):
        workbook = StreamingWorkbook(["h", "m"])
        for _ in range(count):
            workbook.append("h", FLOOR_HOUSEHOLD)
            for _ in range(members_per_household):
                workbook.append("m", FLOOR_MEMBER)
        workbook.save(path)

    for name, write in (
        ("openpyxl write-only", openpyxl_floor),
        ("xlsx.StreamingWorkbook", streaming_floor),
    ):
        handle, path = tempfile.mkstemp(suffix=".xlsx")
        os.close(handle)
        try:
            start = time.perf_counter()
            write(path)
            seconds = time.perf_counter() - start
        finally:
            os.unlink(path)
        common.figure(f"floor: {count:,} constant rows, {name}", seconds, None, "s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fmt", choices=["csv", "xlsx"], default="xlsx")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--floor", action="store_true", help="also time constant rows (xlsx)")
    options = parser.parse_args(argv)
    common.setup()
    ok = run(options.fmt, options.limit, options.tracemalloc, options.runs)
    if options.floor:
        from households.models import Household

        floor(options.limit or Household.objects.count())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

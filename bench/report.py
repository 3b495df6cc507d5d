"""Annual report of the whole province for one year, as JSON, against its floor.

    .venv/bin/python bench/report.py [--year 2025] [--runs 5]

Prints the median time of ``annual_report(year, root=province).as_json()``
serialised to JSON (the cache is cleared before every run, so
every run computes the report), the median time of one
hand-written SQL query computing the same poor/near-poor start and end
counts per unit (the floor), their ratio, and checks that the counts agree.
Both are warmed up once and then timed alternately, so that they see the
same cache and the same load.

The floor groups by the household's current unit: on generated data
(``bench/generate.py``) that is the report unit of every household, so the
two must agree; on other data the check may legitimately differ.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

REPORT_TARGET_S = 1.0
RATIO_TARGET = 2.0

FLOOR_POSTGRESQL = """
WITH last AS (
    SELECT DISTINCT ON (a.household_id, a.year) a.household_id, a.year, a.recorded_status
    FROM households_assessment a
    WHERE a.status = 'recognised' AND a.year IN (%(start)s, %(end)s)
    ORDER BY a.household_id, a.year, a.id DESC
)
SELECT h.unit_id,
       count(*) FILTER (WHERE l.year = %(start)s AND l.recorded_status = 'poor'),
       count(*) FILTER (WHERE l.year = %(start)s AND l.recorded_status = 'near_poor'),
       count(*) FILTER (WHERE l.year = %(end)s AND l.recorded_status = 'poor'),
       count(*) FILTER (WHERE l.year = %(end)s AND l.recorded_status = 'near_poor')
FROM last l JOIN households_household h ON h.id = l.household_id
WHERE l.recorded_status IN ('poor', 'near_poor')
GROUP BY h.unit_id
"""

FLOOR_SQLITE = """
WITH ranked AS (
    SELECT a.household_id, a.year, a.recorded_status,
           ROW_NUMBER() OVER (PARTITION BY a.household_id, a.year ORDER BY a.id DESC) AS n
    FROM households_assessment a
    WHERE a.status = 'recognised' AND a.year IN (%(start)s, %(end)s)
)
SELECT h.unit_id,
       SUM(l.year = %(start)s AND l.recorded_status = 'poor'),
       SUM(l.year = %(start)s AND l.recorded_status = 'near_poor'),
       SUM(l.year = %(end)s AND l.recorded_status = 'poor'),
       SUM(l.year = %(end)s AND l.recorded_status = 'near_poor')
FROM ranked l JOIN households_household h ON h.id = l.household_id
WHERE l.n = 1 AND l.recorded_status IN ('poor', 'near_poor')
GROUP BY h.unit_id
"""


def floor_counts(year: int) -> dict[int, tuple[int, int, int, int]]:
    from django.db import connection

    sql = FLOOR_POSTGRESQL if connection.vendor == "postgresql" else FLOOR_SQLITE
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": year - 1, "end": year})
        return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in cursor.fetchall()}


def province():
    from communes.models import AdministrativeUnit, UnitKind

    return AdministrativeUnit.objects.get(kind=UnitKind.PROVINCE)


def report_json(year: int, root) -> str:
    from django.core.serializers.json import DjangoJSONEncoder

    from halong.reports import annual_report

    report = annual_report(year=year, root=root)
    return json.dumps(report.as_json(), cls=DjangoJSONEncoder, ensure_ascii=False)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(year: int, runs: int) -> bool:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    root = province()

    def cold():
        cache.clear()
        return report_json(year, root)

    # Interleaved (report, floor, report, floor...) after one warm-up of each, so
    # both are timed warm and under the same load from other jobs on the machine.
    report_times, floor_times = [], []
    cold()
    floor_counts(year)
    for _ in range(runs):
        report_times.append(_timed(cold))
        floor_times.append(_timed(lambda: floor_counts(year)))
    report_s, floor_s = statistics.median(report_times), statistics.median(floor_times)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        data = json.loads(report_json(year, root))

    by_unit = {row["code"]: row for row in data["units"]}
    from communes.models import AdministrativeUnit

    codes = dict(AdministrativeUnit.objects.values_list("pk", "code"))
    floor = floor_counts(year)
    mismatches = []
    for unit_id, counts in floor.items():
        row = by_unit.get(codes[unit_id])
        got = (
            (row["poor"]["start"], row["near_poor"]["start"], row["poor"]["end"])
            + (row["near_poor"]["end"],)
            if row
            else None
        )
        if got != counts:
            mismatches.append((codes[unit_id], counts, got))
    total = data["total"]
    common.note(
        f"{common.database_label()}, year {year}, {len(data['units'])} units, "
        f"{len(queries)} queries; poor {total['poor']['start']}→{total['poor']['end']}, "
        f"near-poor {total['near_poor']['start']}→{total['near_poor']['end']}"
    )
    common.note("runs (s): " + ", ".join(f"{t:.3f}" for t in report_times))
    common.note("floor runs (s): " + ", ".join(f"{t:.3f}" for t in floor_times))
    common.note(
        "floor counts agree with the report"
        if not mismatches
        else f"floor counts DIFFER in {len(mismatches)} units, e.g. {mismatches[:2]}"
    )
    ok = common.figure("annual report, province, JSON (uncached)", report_s, REPORT_TARGET_S, "s")
    common.figure("floor: one SQL query, start/end per unit", floor_s, None, "s")
    ratio = report_s / floor_s if floor_s else float("inf")
    ok &= common.figure("annual report / floor", ratio, RATIO_TARGET, "×")
    return ok and not mismatches


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    common.setup()
    return 0 if run(options.year, options.runs) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the household import: preview (dry run) and confirmed import.

    .venv/bin/python bench/import_households.py [--households 10000] [--members-per-household 3]

Without DATABASE_URL a throwaway SQLite file is created, migrated and
removed. With DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/halong_h6bench)
that database is migrated and the benchmark's households, rounds and history
are deleted at the end. Prints seconds and rows per second for: writing the
workbook, the preview, the confirmed import and a second (no-op) import.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PREFIX = "BENCH-"


def setup_django() -> str | None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halong.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    throwaway = None
    if not os.environ.get("DATABASE_URL"):
        throwaway = tempfile.mkstemp(prefix="halong-bench-", suffix=".sqlite3")[1]
        os.environ["DATABASE_URL"] = f"sqlite:///{throwaway}"
    import django

    django.setup()
    return throwaway


def write_workbook(path: Path, households: int, per_household: int, indicators: list[str]) -> int:
    from openpyxl import Workbook

    from households.transfer.columns import HOUSEHOLD_COLUMNS, MEMBER_COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("households")
    members = workbook.create_sheet("members")
    sheet.append([c.key for c in HOUSEHOLD_COLUMNS] + indicators)
    members.append([c.key for c in MEMBER_COLUMNS])
    member_rows = 0
    for i in range(households):
        code = f"{PREFIX}{i:06d}"
        deprived = [1 if (i + k) % 4 == 0 else 0 for k in range(len(indicators))]
        sheet.append(
            [
                code,
                "6688",
                "",
                f"Nguyễn Văn Thử {i}",
                f"022080{i:06d}",
                "nam",
                1980,
                i % 7 == 0,
                per_household,
                2025,
                900_000 + (i % 20) * 100_000,
                None,
                "",
                "no_capital",
                "no_capital;no_skills" if i % 2 else "no_capital",
                *deprived,
            ]
        )
        people = [
            ("Nguyễn Văn Thử", f"022080{i:06d}", "male", 1980, "head"),
            ("Trần Thị Thử", f"022185{i:06d}", "female", 1985, "spouse"),
            ("Nguyễn Văn Con", f"022212{i:06d}", "male", 2012, "child"),
            ("Nguyễn Thị Con", f"022315{i:06d}", "female", 2015, "child"),
        ][:per_household]
        for name, cid, sex, year, relation in people:
            members.append(
                [code, "6688", f"{name} {i}", cid, sex, None, year, relation, "Kinh", "", None]
            )
            member_rows += 1
    workbook.save(path)
    return member_rows


def cleanup(keep_rounds: set[int]) -> None:
    """Delete the benchmark's households, their history, and rounds not in ``keep_rounds``."""
    from django.db import transaction

    from households.models import Assessment, Household, Member, ReviewRound

    with transaction.atomic():
        households = Household.objects.filter(code__startswith=PREFIX)
        ids = list(households.values_list("pk", flat=True))
        assessment_ids = list(
            Assessment.objects.filter(household_id__in=ids).values_list("pk", flat=True)
        )
        m2m = Assessment.history.model._meta.apps.get_model(
            "households", "HistoricalAssessment_deprivations"
        )
        m2m.objects.filter(assessment_id__in=assessment_ids).delete()
        Assessment.history.filter(id__in=assessment_ids).delete()
        Member.history.filter(household_id__in=ids).delete()
        Household.history.filter(id__in=ids).delete()
        Household.objects.filter(pk__in=ids).update(head=None)
        households.delete()
        ReviewRound.objects.filter(assessments__isnull=True).exclude(pk__in=keep_rounds).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--members-per-household", type=int, default=3, choices=[1, 2, 3, 4])
    parser.add_argument("--keep", action="store_true", help="Keep the imported rows.")
    args = parser.parse_args()
    throwaway = setup_django()

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from communes.unit_loading import load_units
    from households.models import PovertyStandard
    from households.transfer.importing import import_households
    from households.transfer.reading import open_table

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    call_command("migrate", verbosity=0)
    load_units()
    user, _created = get_user_model().objects.get_or_create(
        username="bench-importer", defaults={"is_superuser": True, "is_staff": True}
    )
    from households.models import ReviewRound

    keep_rounds = set(ReviewRound.objects.values_list("pk", flat=True))
    cleanup(keep_rounds)
    indicators = list(
        PovertyStandard.for_review_year(2025)
        .indicators.order_by("order")
        .values_list("code", flat=True)
    )
    workdir = Path(tempfile.mkdtemp(prefix="halong-bench-"))
    path = workdir / "households.xlsx"
    failed = False
    try:
        started = time.perf_counter()
        member_rows = write_workbook(path, args.households, args.members_per_household, indicators)
        written = time.perf_counter() - started
        rows = args.households + member_rows
        size = path.stat().st_size / 1024 / 1024
        print(
            f"workbook: {args.households} households + {member_rows} members, "
            f"{size:.1f} MB, written in {written:.1f} s"
        )

        def run(label: str, dry_run: bool):
            started = time.perf_counter()
            table = open_table(path, path.name)
            parsed = time.perf_counter() - started
            result = import_households(table, actor=user, dry_run=dry_run, file_name=path.name)
            total = time.perf_counter() - started
            if result.problems:
                for problem in result.problems[:10]:
                    print("  problem:", problem)
                raise SystemExit(f"{label}: {len(result.problems)} problems")
            print(
                f"{label:<16} {total:6.1f} s total ({parsed:.1f} s reading the file) "
                f"{rows / total:8.0f} rows/s   {result.summary()}"
            )
            return total

        run("preview", dry_run=True)
        confirmed = run("import", dry_run=False)
        run("re-import (no-op)", dry_run=False)
        name = f"import, {args.households:,} households (+ members)"
        verdict = "PASS" if confirmed <= 20 else "MISS"
        # Same shape as bench/common.figure, so run_all.py lists it in its summary.
        print(
            f"FIGURE  {name:<46} {confirmed:>12.3f} s   {'target ≤ 20.000 s':<20} {verdict}"
            f"   ({args.households / confirmed:,.0f} households/s, {connection.vendor})",
            flush=True,
        )
        failed = verdict == "MISS"
    finally:
        if not args.keep:
            cleanup(keep_rounds)
        path.unlink(missing_ok=True)
        workdir.rmdir()
        if throwaway:
            connection.close()
            for suffix in ("", "-wal", "-shm"):
                Path(throwaway + suffix).unlink(missing_ok=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Server time and query counts of the household list, household page and dashboard.

    .venv/bin/python bench/pages.py [--runs 15]

Uses Django's test Client in-process against the ``DATABASE_URL`` database
(no network, no gunicorn): the time is ``client.get`` end to end (middleware,
views, templates). Users are created in that database on first run
(``bench.officer.big``, ``bench.officer.small``: ward officers of the largest
and the smallest current unit; ``bench.city``: city head on the province's
committee, allowed to see names). Query counts are compared between the two
wards to show they do not grow with the data.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

LIST_TARGET_MS = 100
DETAIL_TARGET_MS = 50
SEARCH = "nguyen van"
PASSWORD = "bench-password-not-secret"


def bench_users():
    """``(big ward, small ward, officer of big, officer of small, city user)``."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from communes.models import AdministrativeUnit, Membership, Role, SteeringCommittee, UnitKind

    today = datetime.date.today()
    units = (
        AdministrativeUnit.objects.grassroots()
        .valid_on(today)
        .annotate(n=Count("households"))
        .filter(n__gt=0)
        .order_by("-n", "code")
    )
    big, small = units.first(), units.last()
    province = AdministrativeUnit.objects.get(kind=UnitKind.PROVINCE)
    User = get_user_model()
    users = []
    for username, unit, role in (
        ("bench.officer.big", big, Role.WARD_OFFICER),
        ("bench.officer.small", small, Role.WARD_OFFICER),
        ("bench.city", province, Role.CITY_HEAD),
    ):
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(PASSWORD)
            user.save()
        committee, _ = SteeringCommittee.objects.get_or_create(
            unit=unit, defaults={"name": f"Ban chỉ đạo giảm nghèo {unit.name}"}
        )
        Membership.objects.filter(user=user).exclude(committee=committee).delete()
        membership, _ = Membership.objects.get_or_create(
            user=user,
            committee=committee,
            end_date=None,
            defaults={"role": role, "start_date": datetime.date(2025, 7, 1)},
        )
        if hasattr(membership, "may_view_named_lists") and not membership.may_view_named_lists:
            membership.may_view_named_lists = True
            membership.save(update_fields=["may_view_named_lists"])
        users.append(user)
    return big, small, *users


def measure(client, url: str, runs: int) -> tuple[float, int, int]:
    """Median ms over ``runs`` GETs (after one warm-up), queries of one GET, status."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)
    seconds, _ = common.median_time(lambda: client.get(url), runs, warmup=0)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return seconds * 1000, len(queries), response.status_code


def sample_household(unit):
    from households.models import Household

    return Household.objects.filter(unit=unit, assessments__recorded_status="poor").first()


def run(runs: int) -> bool:
    from django.test import Client
    from django.urls import reverse

    big, small, officer_big, officer_small, city = bench_users()
    list_url = reverse("households:household_list")
    ok = True
    rows = {}
    for label, unit, user in (("big", big, officer_big), ("small", small, officer_small)):
        client = Client()
        client.force_login(user)
        households = unit.households.count()
        url = f"{list_url}?unit={unit.pk}&q={SEARCH.replace(' ', '+')}"
        list_ms, list_queries, status = measure(client, url, runs)
        household = sample_household(unit)
        detail_ms, detail_queries, detail_status = measure(
            client, reverse("households:household_detail", args=[household.pk]), runs
        )
        rows[label] = (list_queries, detail_queries)
        common.note(
            f"{label} ward {unit.code} {unit.name}: {households:,} households; list "
            f"{list_ms:.1f} ms, {list_queries} queries, HTTP {status}; household page "
            f"{detail_ms:.1f} ms, {detail_queries} queries, HTTP {detail_status}"
        )
        if status != 200 or detail_status != 200:
            ok = False
        if label == "big":
            if status != 200 or detail_status != 200:
                list_ms = detail_ms = float("inf")
            ok &= common.figure("household list: ward + name search", list_ms, LIST_TARGET_MS, "ms")
            ok &= common.figure("household page", detail_ms, DETAIL_TARGET_MS, "ms")
    constant = rows["big"] == rows["small"]
    common.note(
        f"query counts big/small ward: list {rows['big'][0]}/{rows['small'][0]}, "
        f"household page {rows['big'][1]}/{rows['small'][1]}: "
        + ("constant" if constant else "NOT constant")
    )
    ok &= constant

    client = Client()
    client.force_login(city)
    home_ms, home_queries, status = measure(client, reverse("home"), runs)
    common.note(f"dashboard (province, city head): {home_queries} queries, HTTP {status}")
    common.figure("dashboard, province (no target)", home_ms, None, "ms")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args(argv)
    common.setup()
    return 0 if run(options.runs) else 1


if __name__ == "__main__":
    sys.exit(main())

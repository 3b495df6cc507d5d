"""Server time and query counts of the pages ward officers and city staff open every day.

    .venv/bin/python bench/pages.py [--runs 15] [--json FILE]

Uses Django's test Client in-process against the ``DATABASE_URL`` database
(no network, no gunicorn): the time is ``client.get`` end to end (middleware,
views, templates). Users are created in that database on first run
(``bench.officer.big``, ``bench.officer.small``: ward officers of the largest
and the smallest current unit; ``bench.city``: city head on the province's
committee, allowed to see names). Query counts are compared between the two
wards to show they do not grow with the data.

City pages (issue 13): the province-wide household list and name search,
the support ledger, the duplicate report, the annual report page and the
dashboard with its cache off, as the city head; the review round page of the
largest ward's latest round, as its officer. ``--json`` writes every page's
median, query count and status, which ``bench/growth.py`` compares between
a 10k and a 100k register.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common  # noqa: E402

LIST_TARGET_MS = 100
DETAIL_TARGET_MS = 50
#: Issue 13's targets at 100k households: every page ≤ 200 ms, the duplicate report ≤ 300 ms.
CITY_TARGET_MS = 200
DUPLICATE_TARGET_MS = 300
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

    households = Household.objects.filter(unit=unit).order_by("pk")
    return households.filter(assessments__recorded_status="poor").first() or households.first()


def run(runs: int, results: dict) -> bool:
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
        if label == "big":
            results["household list: ward + name search"] = {
                "ms": round(list_ms, 2),
                "queries": list_queries,
                "status": status,
            }
            results["household page"] = {
                "ms": round(detail_ms, 2),
                "queries": detail_queries,
                "status": detail_status,
            }
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

    ok &= city_pages(big, officer_big, city, runs, results)
    return ok


def latest_round(unit):
    from households.models import ReviewRound

    return ReviewRound.objects.filter(unit=unit).order_by("-year", "-pk").first()


def city_pages(big, officer_big, city, runs: int, results: dict) -> bool:
    """The pages whose cost grew with the register (issue 13), each with its target."""
    from django.test import Client, override_settings
    from django.urls import reverse

    ok = True
    officer, head = Client(), Client()
    officer.force_login(officer_big)
    head.force_login(city)
    pages = [
        ("household list, province (city)", head, reverse("households:household_list"), None),
        (
            "name search, province (city)",
            head,
            f"{reverse('households:household_list')}?q={SEARCH.replace(' ', '+')}",
            None,
        ),
        ("support ledger (city)", head, reverse("plans:support_list"), None),
        ("duplicate report (city)", head, reverse("plans:duplicate_report"), DUPLICATE_TARGET_MS),
        ("annual report page (city)", head, reverse("report"), None),
    ]
    review_round = latest_round(big)
    if review_round is not None:
        pages.append(
            (
                "review round page, largest ward (officer)",
                officer,
                reverse("households:round_detail", args=[review_round.pk]),
                None,
            )
        )
    for name, client, url, target in pages:
        ms, queries, status = measure(client, url, runs)
        ok &= record(results, name, ms, queries, status, target or CITY_TARGET_MS)
    # The dashboard as a city head opens it after a change: every figure computed.
    with override_settings(DASHBOARD_CACHE_SECONDS=0):
        ms, queries, status = measure(head, reverse("home"), runs)
    ok &= record(results, "dashboard uncached (city)", ms, queries, status, CITY_TARGET_MS)
    return ok


def record(results: dict, name: str, ms: float, queries: int, status: int, target) -> bool:
    results[name] = {"ms": round(ms, 2), "queries": queries, "status": status}
    common.note(f"{name}: {queries} queries, HTTP {status}")
    if status != 200:
        ms = float("inf")
    return common.figure(name, ms, target, "ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path, help="write each page's median, queries and status")
    options = parser.parse_args(argv)
    common.setup()
    results: dict = {}
    ok = run(options.runs, results)
    if options.json:
        households = _households()
        options.json.write_text(json.dumps({"households": households, "pages": results}, indent=2))
    return 0 if ok else 1


def _households() -> int:
    from households.models import Household

    return Household.objects.count()


if __name__ == "__main__":
    sys.exit(main())

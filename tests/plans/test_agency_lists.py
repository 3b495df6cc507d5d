"""The lists for other agencies: who is on each (at the boundaries), the pages, the xlsx."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from communes.jobs.models import JobKind
from communes.models import AccessKind, AccessLog
from households.models import AssessmentStatus, PovertyStatus, Relation, SchoolLevel
from plans import agency_lists as lists
from plans.agency_export import HEADER_ROW
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    MemberFactory,
    SupportRecordFactory,
    poor_since_2015,
)
from tests.jobs.helpers import job_file, job_of

pytestmark = pytest.mark.django_db
D = datetime.date
POOR, NEAR, AVERAGE, NOT_POOR = (
    PovertyStatus.POOR,
    PovertyStatus.NEAR_POOR,
    PovertyStatus.AVERAGE,
    PovertyStatus.NOT_POOR,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def decide(household, year: int, status: str, on: datetime.date | None = None):
    """A recognised decision of the review of ``year`` (dated 15 December by default)."""
    return AssessmentFactory(
        household=household,
        round__year=year,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=status,
        decision_number=f"{year}/QĐ-UBND",
        decision_date=on or D(year, 12, 15),
    )


def household(code: str, *decisions, ward: str = "6688", **head):
    head = {"full_name": f"Chủ hộ {code}", **head}
    home = HouseholdFactory(
        unit=unit(ward), code=code, **{f"head__{name}": value for name, value in head.items()}
    )
    for year, status, *on in decisions:
        decide(home, year, status, *on)
    return home


def codes(result, column: int = 2) -> list:
    return [row[column] for row in result.rows]


# --- BHYT --------------------------------------------------------------------------


def test_bhyt_list_groups_shares_and_changes(units, halong_officer):
    renewed = household("HL-P", (2024, POOR), (2025, POOR))
    renewed.head.health_insurance_number = "HN2221234567890"
    renewed.head.health_insurance_expiry = D(2026, 12, 31)
    renewed.head.save()
    child = MemberFactory(household=renewed, birth_year=2023, relation=Relation.CHILD)
    household("HL-N", (2025, NEAR))
    household("HL-A", (2025, AVERAGE))
    household("HL-X", (2024, NEAR), (2025, NOT_POOR))
    household("HL-O", (2025, NOT_POOR))
    household("BC-P", (2025, POOR), ward="6673")

    result = lists.bhyt_list(halong_officer, year=2026)

    rows = {row[3]: row for row in result.rows}
    assert sorted(codes(result)) == ["HL-A", "HL-N", "HL-P", "HL-P", "HL-X"]
    head = rows["Chủ hộ HL-P"]
    assert head[7:12] == ["Poor household", 100, "HN2221234567890", D(2026, 12, 31), "Renewed"]
    # A child under 6 of a poor household: both groups pay 100 %, the first by name applies.
    assert rows[child.full_name][7:9] == ["Child under 6", 100]
    assert rows["Chủ hộ HL-N"][7:9] == ["Near-poor household", 70]
    assert rows["Chủ hộ HL-N"][11] == "New card"
    assert rows["Chủ hộ HL-A"][7:9] == [
        "Average living standard (farming, forestry, fishery)",
        30,
    ]
    assert rows["Chủ hộ HL-X"][7:9] == ["Near-poor household", 70]
    assert rows["Chủ hộ HL-X"][11] == "Ended"


def test_bhyt_child_under_6_in_a_near_poor_household_gets_the_higher_share(units, halong_officer):
    home = household("HL-N", (2025, NEAR))
    child = MemberFactory(household=home, birth_year=2021, birth_date=D(2021, 1, 2))
    six = MemberFactory(household=home, birth_year=2020, birth_date=D(2020, 1, 1))

    rows = {row[3]: row for row in lists.bhyt_list(halong_officer, year=2026).rows}

    assert rows[child.full_name][7:9] == ["Child under 6", 100]  # 4 on 1/1/2026 … 5
    assert rows[six.full_name][7:9] == ["Near-poor household", 70]  # six on 1/1/2026


def test_bhyt_list_counts_a_decision_from_its_date(units, halong_officer):
    household("HL-31", (2025, POOR, D(2025, 12, 31)))
    household("HL-01", (2025, POOR, D(2026, 1, 1)))
    household("HL-02", (2025, POOR, D(2026, 1, 2)))

    assert sorted(codes(lists.bhyt_list(halong_officer, year=2026))) == ["HL-01", "HL-31"]


def test_bhyt_list_filters_by_change(units, halong_officer):
    household("HL-N", (2025, NEAR))
    household("HL-X", (2024, NEAR), (2025, NOT_POOR))

    ended = lists.bhyt_list(halong_officer, year=2026, change=lists.ENDED)
    new = lists.bhyt_list(halong_officer, year=2026, change=lists.NEW)

    assert codes(ended) == ["HL-X"] and codes(new) == ["HL-N"]


def test_card_change_at_each_case():
    assert lists.card_change(now=POOR, before=POOR, card_number="X") == lists.RENEWED
    assert lists.card_change(now=POOR, before=POOR, card_number="") == lists.NEW
    assert lists.card_change(now=NEAR, before=None, card_number="X") == lists.NEW
    assert lists.card_change(now=NOT_POOR, before=AVERAGE, card_number="X") == lists.ENDED
    assert lists.card_change(now=None, before=NOT_POOR, card_number="X") is None


# --- Electricity ---------------------------------------------------------------------


def test_electricity_list_prices_each_month_at_its_tariff(units, halong_officer):
    home = poor_since_2015(household("HL-P"))
    household("HL-N", (2024, NEAR))
    SupportRecordFactory(
        household=home, amount=189_000, period_start=D(2025, 4, 1), period_end=D(2025, 6, 30)
    )

    q2 = lists.electricity_list(halong_officer, year=2025, quarter=2)
    q1_2026 = lists.electricity_list(halong_officer, year=2026, quarter=1)

    # April, May at 62.000 ₫ (tariff of 11/10/2024), June at 65.000 ₫ (tariff of 10/5/2025).
    assert codes(q2) == ["HL-P"]
    assert q2.rows[0][5:10] == ["Poor", 3, 90, 189_000, 189_000]
    assert q1_2026.rows[0][8:10] == [195_000, None]


def test_electricity_list_takes_the_list_of_the_quarters_first_day(units, halong_officer):
    household("HL-IN", (2025, POOR, D(2025, 3, 31)))
    household("HL-OUT", (2025, POOR, D(2025, 4, 2)))

    assert codes(lists.electricity_list(halong_officer, year=2025, quarter=2)) == ["HL-IN"]


# --- Schools -------------------------------------------------------------------------


def _pupil(home, level, *, name="Trường Tiểu học Hạ Long", grade=3):
    return MemberFactory(
        household=home, birth_year=2017, school_level=level, school_name=name, school_grade=grade
    )


def test_school_list_has_pupils_of_listed_households(units, halong_officer):
    poor = household("HL-P", (2024, POOR))
    pupil = _pupil(poor, SchoolLevel.PRIMARY)
    _pupil(household("HL-N", (2024, NEAR)), SchoolLevel.LOWER_SECONDARY, name="THCS", grade=7)
    _pupil(household("HL-A", (2024, AVERAGE)), SchoolLevel.PRIMARY)
    _pupil(household("HL-LATE", (2025, POOR, D(2025, 9, 2))), SchoolLevel.PRIMARY)
    MemberFactory(household=poor, birth_year=2010, school_level="")

    result = lists.school_list(halong_officer, school_year=2025)

    assert sorted(codes(result)) == ["HL-N", "HL-P"]
    row = next(r for r in result.rows if r[2] == "HL-P")
    assert row[3:5] == ["Chủ hộ HL-P", pupil.full_name]
    assert row[7:11] == ["Poor", "Primary school", "Trường Tiểu học Hạ Long", 3]
    only_lower = lists.school_list(
        halong_officer, school_year=2025, level=SchoolLevel.LOWER_SECONDARY
    )
    assert codes(only_lower) == ["HL-N"]


# --- Exited --------------------------------------------------------------------------


def test_exited_list_names_each_way_off_a_list(units, halong_officer):
    household("HL-PN", (2024, POOR), (2025, NEAR))
    household("HL-PX", (2024, POOR), (2025, NOT_POOR))
    household("HL-NA", (2024, NEAR), (2025, AVERAGE))
    household("HL-PP", (2024, POOR), (2025, POOR))
    household("HL-NP", (2024, NEAR), (2025, POOR))
    household("HL-OO", (2024, NOT_POOR), (2025, NOT_POOR))
    household("HL-OLD", (2023, POOR), (2024, NOT_POOR))

    result = lists.exited_list(halong_officer, year=2025)

    found = {row[2]: row[6:10] for row in result.rows}
    assert found == {
        "HL-PN": ["Poor", "Left the poor list (now near-poor)", "2025/QĐ-UBND", D(2025, 12, 15)],
        "HL-PX": ["Poor", "Left the poor list", "2025/QĐ-UBND", D(2025, 12, 15)],
        "HL-NA": ["Near-poor", "Left the near-poor list", "2025/QĐ-UBND", D(2025, 12, 15)],
    }
    only = lists.exited_list(halong_officer, year=2025, kind=lists.EXIT_NEAR_POOR)
    assert codes(only) == ["HL-NA"]


def test_exit_kind_at_each_case():
    assert lists.exit_kind(POOR, NEAR) == lists.EXIT_POOR_TO_NEAR
    assert lists.exit_kind(POOR, AVERAGE) == lists.EXIT_POOR
    assert lists.exit_kind(NEAR, NOT_POOR) == lists.EXIT_NEAR_POOR
    assert lists.exit_kind(NEAR, POOR) is None
    assert lists.exit_kind(POOR, POOR) is None
    assert lists.exit_kind(None, NOT_POOR) is None


# --- Pages and access ---------------------------------------------------------------


@pytest.mark.parametrize("kind", lists.KINDS)
def test_each_list_page_shows_its_rows_and_logs_the_view(client, units, halong_officer, kind):
    household("HL-P", (2024, POOR), (2025, NEAR))
    client.force_login(halong_officer)

    response = client.get(reverse("plans:agency_list", args=[kind]), {"year": 2025})

    assert response.status_code == 200
    log = AccessLog.objects.get(kind=AccessKind.VIEW_NAMED_LIST)
    assert log.detail["list"] == kind and log.rows == len(response.context["result"].rows)


def test_ward_sees_its_own_and_city_with_the_names_grant_all(
    client, units, halong_officer, city_staff_named
):
    household("HL-P", (2025, POOR))
    household("BC-P", (2025, POOR), ward="6673")
    url = reverse("plans:agency_list", args=[lists.BHYT])

    client.force_login(halong_officer)
    ward_rows = client.get(url, {"year": 2026}).context["result"].rows
    client.force_login(city_staff_named)
    city_rows = client.get(url, {"year": 2026}).context["result"].rows

    assert [r[2] for r in ward_rows] == ["HL-P"]
    assert sorted(r[2] for r in city_rows) == ["BC-P", "HL-P"]


def test_city_export_is_in_the_log_of_each_ward_it_names(client, units, city_staff_named):
    household("HL-P", (2025, POOR))
    household("BC-P", (2025, POOR), ward="6673")
    client.force_login(city_staff_named)

    job = job_of(client.get(reverse("plans:agency_list_export", args=[lists.BHYT])))
    job_file(client, job)

    entry = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert entry.unit is None
    assert set(entry.units.all()) == {unit("6688"), unit("6673")}


def test_ward_officer_cannot_filter_another_ward(client, units, halong_officer):
    household("BC-P", (2025, POOR), ward="6673")
    client.force_login(halong_officer)

    response = client.get(
        reverse("plans:agency_list", args=[lists.BHYT]), {"year": 2026, "unit": unit("6673").pk}
    )

    assert response.status_code == 200 and response.context["result"].rows == []


@pytest.mark.parametrize("who", ["city_head", "halong_member"])
def test_lists_without_named_lists_are_403(client, units, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("plans:agency_lists")).status_code == 403
    assert client.get(reverse("plans:agency_list", args=[lists.BHYT])).status_code == 403
    assert client.get(reverse("plans:agency_list_export", args=[lists.BHYT])).status_code == 403


def test_unknown_list_is_404(client, units, halong_officer):
    client.force_login(halong_officer)
    assert client.get(reverse("plans:agency_list", args=["nope"])).status_code == 404


def test_menu_leads_a_ward_officer_to_the_lists(client, units, halong_officer):
    client.force_login(halong_officer)
    page = client.get(reverse("home")).content.decode()
    assert reverse("plans:agency_lists") in page


# --- The xlsx ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", lists.KINDS)
def test_each_list_downloads_and_reopens_with_its_rows(client, units, halong_officer, kind):
    home = household("HL-P", (2024, POOR), (2025, NEAR))
    _pupil(home, SchoolLevel.PRIMARY)
    client.force_login(halong_officer)
    query = {"year": 2025, "quarter": 1}
    expected = client.get(reverse("plans:agency_list", args=[kind]), query).context["result"]

    job = job_of(client.get(reverse("plans:agency_list_export", args=[kind]), query))
    assert job.kind == JobKind.AGENCY_LIST
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()  # not downloaded yet
    book = load_workbook(io.BytesIO(job_file(client, job)))

    sheet = book[kind]
    table = list(sheet.iter_rows(min_row=HEADER_ROW, values_only=True))
    assert list(table[0]) == expected.columns
    body = [list(row) for row in table[1 : 1 + len(expected.rows)]]
    assert len(expected.rows) >= 1
    for got, want in zip(body, expected.rows, strict=True):
        assert [_plain(v) for v in got] == [_plain(v) for v in want]
    assert sheet["A3"].value == expected.title.upper()
    log = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert log.rows == len(expected.rows) and log.detail["list"] == kind
    assert log.user == halong_officer


def _plain(value):
    """openpyxl reads dates back as datetimes, empty text as nothing."""
    if value == "":
        return None
    return value.date() if isinstance(value, datetime.datetime) else value


def test_xlsx_quotes_text_that_would_start_a_formula(client, units, halong_officer):
    household("HL-P", (2025, POOR), full_name="=HYPERLINK(1)")
    client.force_login(halong_officer)

    job = job_of(client.get(reverse("plans:agency_list_export", args=[lists.BHYT])))
    sheet = load_workbook(io.BytesIO(job_file(client, job)))[lists.BHYT]

    assert sheet.cell(row=HEADER_ROW + 1, column=4).value == "'=HYPERLINK(1)"


def test_page_masks_citizen_ids_the_file_keeps_them(client, units, halong_officer):
    household("HL-P", (2025, POOR), citizen_id="022080001234")
    client.force_login(halong_officer)

    page = client.get(reverse("plans:agency_list", args=[lists.BHYT])).content.decode()
    job = job_of(client.get(reverse("plans:agency_list_export", args=[lists.BHYT])))
    sheet = load_workbook(io.BytesIO(job_file(client, job)))[lists.BHYT]

    assert "022080001234" not in page and "1234" in page
    assert sheet.cell(row=HEADER_ROW + 1, column=7).value == "022080001234"


@pytest.mark.parametrize("kind", lists.KINDS)
def test_list_query_count_does_not_grow_with_the_rows(units, halong_officer, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plans.forms.agency import build_list

    chosen = {"unit": None, "year": 2025, "quarter": 1, "change": "", "level": "", "exit": ""}

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            build_list(halong_officer, kind, chosen)
        return len(queries)

    def add(n: int, start: int):
        for i in range(start, start + n):
            home = household(f"HL-{i}", (2023, POOR), (2024, POOR), (2025, NEAR))
            _pupil(home, SchoolLevel.PRIMARY)

    add(1, 0)
    count()  # the user's scope is read once and kept on the user
    small = count()
    add(4, 10)
    assert count() == small

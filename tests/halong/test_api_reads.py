"""Read endpoints: the pages' scope, masking and logging, cursor pagination, aggregates."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from communes.models import AccessLog
from halong.api.tokens import token_create
from households.models import AssessmentStatus, PovertyStatus
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    PlanActionFactory,
    SupportRecordFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_migration_rows")]

HOUSEHOLDS = "/api/v1/households/"
CCCD = "022185001234"


def api(user) -> Client:
    return Client(headers={"Authorization": f"Token {token_create(user=user, name='t')[1]}"})


@pytest.fixture
def halong(units):
    return unit("6688")


@pytest.fixture
def baichay(units):
    return unit("6673")


@pytest.fixture
def own(halong):
    return HouseholdFactory(unit=halong, code="HL-1", head__citizen_id=CCCD)


@pytest.fixture
def other(baichay):
    return HouseholdFactory(unit=baichay, code="BC-1", head__full_name="Trần Thị Bãi Cháy")


def codes(response) -> list[str]:
    return [row["code"] for row in response.json()["results"]]


# --- households --------------------------------------------------------------------------


def test_household_list_shows_own_ward_only(halong_officer, own, other):
    response = api(halong_officer).get(HOUSEHOLDS)
    assert response.status_code == 200
    assert codes(response) == ["HL-1"]
    row = response.json()["results"][0]
    assert row["head_citizen_id"] == "••••••••1234"
    assert row["unit"]["code"] == "6688"


def test_household_of_another_ward_is_404(baichay_officer, own):
    response = api(baichay_officer).get(f"{HOUSEHOLDS}{own.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert not AccessLog.objects.filter(household_id=own.pk).exists()


def test_household_list_filters_by_unit_code_status_and_search(halong_officer, halong, own):
    poor = HouseholdFactory(unit=halong, code="HL-2", head__full_name="Nguyễn Văn Đức")
    AssessmentFactory(
        household=poor,
        round__year=2024,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=PovertyStatus.POOR,
    )
    client = api(halong_officer)
    assert codes(client.get(HOUSEHOLDS, {"status": "poor"})) == ["HL-2"]
    assert codes(client.get(HOUSEHOLDS, {"status": "poor", "year": 2023})) == []
    assert codes(client.get(HOUSEHOLDS, {"q": "nguyen van duc"})) == ["HL-2"]
    assert sorted(codes(client.get(HOUSEHOLDS, {"unit": "6688"}))) == ["HL-1", "HL-2"]


def test_household_list_unit_outside_scope_is_400(halong_officer, own):
    response = api(halong_officer).get(HOUSEHOLDS, {"unit": "6673"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "validation_error" and "unit" in body["errors"]


def test_household_list_bad_status_is_400_naming_field(halong_officer, own):
    response = api(halong_officer).get(HOUSEHOLDS, {"status": "rich"})
    assert response.status_code == 400
    assert "status" in response.json()["errors"]


def test_city_staff_without_grant_gets_403_on_names_but_aggregates(city_staff, own):
    client = api(city_staff)
    assert client.get(HOUSEHOLDS).status_code == 403
    assert client.get(f"{HOUSEHOLDS}{own.pk}/").status_code == 403
    assert client.get("/api/v1/support/").status_code == 403
    assert client.get("/api/v1/dashboard/").status_code == 200
    assert client.get("/api/v1/reports/annual/", {"year": 2025}).status_code == 200


def test_city_staff_with_grant_reads_names_and_is_logged(city_staff_named, own, other):
    response = api(city_staff_named).get(HOUSEHOLDS)
    assert sorted(codes(response)) == ["BC-1", "HL-1"]
    entry = AccessLog.objects.get(kind="view_named_list")
    assert entry.user == city_staff_named and entry.rows == 2


def test_household_detail_masks_and_logs_view(halong_officer, own):
    MemberFactory(household=own, full_name="Con", citizen_id="022210009999")
    response = api(halong_officer).get(f"{HOUSEHOLDS}{own.pk}/", REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 200
    body = response.json()
    ids = sorted(m["citizen_id"] for m in body["members"])
    assert ids == ["••••••••1234", "••••••••9999"]
    assert not any(m["citizen_id_revealed"] for m in body["members"])
    assert CCCD not in response.content.decode()
    entries = AccessLog.objects.filter(household_id=own.pk)
    assert [e.kind for e in entries] == ["view_household"]
    assert entries[0].ip_address == "10.0.0.7"


def test_household_detail_reveal_logs_each_citizen_id_like_the_page(halong_officer, own):
    child = MemberFactory(household=own, full_name="Con", citizen_id="022210009999")
    MemberFactory(household=own, full_name="Bé", citizen_id="")
    response = api(halong_officer).get(f"{HOUSEHOLDS}{own.pk}/", {"reveal": "1"})
    body = response.json()
    revealed = {m["full_name"]: m["citizen_id"] for m in body["members"]}
    assert revealed["Con"] == "022210009999"
    assert revealed["Bé"] == ""
    reveals = AccessLog.objects.filter(kind="reveal_citizen_id", household_id=own.pk)
    assert sorted(e.detail["member_id"] for e in reveals) == sorted([own.head_id, child.pk])
    assert all(e.user == halong_officer for e in reveals)


def test_member_reads_only_assigned_households(halong_member, halong, own):
    mine = HouseholdFactory(unit=halong, code="HL-MINE", assigned_to=halong_member)
    client = api(halong_member)
    assert codes(client.get(HOUSEHOLDS)) == ["HL-MINE"]
    assert client.get(f"{HOUSEHOLDS}{own.pk}/").status_code == 404
    assert client.get(f"{HOUSEHOLDS}{mine.pk}/").status_code == 200


# --- cursor pagination ---------------------------------------------------------------------


def _all_pages(client, url, **params):
    seen, pages = [], 0
    response = client.get(url, params)
    while True:
        body = response.json()
        seen += [row["code"] for row in body["results"]]
        pages += 1
        if not body["next"]:
            return seen, pages
        response = client.get(body["next"])


def test_cursor_pages_cover_every_household_once(halong_officer, halong):
    made = [HouseholdFactory(unit=halong, code=f"HL-{n:03d}").code for n in range(7)]
    seen, pages = _all_pages(api(halong_officer), HOUSEHOLDS, page_size=3)
    assert seen == made
    assert pages == 3


def test_cursor_pages_stable_when_households_added_meanwhile(halong_officer, halong):
    made = [HouseholdFactory(unit=halong, code=f"HL-{n:03d}").code for n in range(6)]
    client = api(halong_officer)
    first = client.get(HOUSEHOLDS, {"page_size": 3}).json()
    assert [r["code"] for r in first["results"]] == made[:3]
    # Someone adds households (and they sort after) while the client pages on.
    HouseholdFactory(unit=halong, code="HL-NEW")
    second = client.get(first["next"]).json()
    assert [r["code"] for r in second["results"]] == made[3:]
    third = client.get(second["next"]).json()
    assert [r["code"] for r in third["results"]] == ["HL-NEW"]
    assert third["next"] is None


def test_household_list_queries_do_not_grow_with_rows(
    halong_officer, halong, django_assert_max_num_queries
):
    client = api(halong_officer)
    for n in range(3):
        HouseholdFactory(unit=halong, code=f"A-{n}")
    client.get(HOUSEHOLDS)  # warm the token's last-use write
    with django_assert_max_num_queries(12) as small:
        client.get(HOUSEHOLDS)
    for n in range(20):
        HouseholdFactory(unit=halong, code=f"B-{n}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(HOUSEHOLDS)


# --- units, assessments, plans, support ----------------------------------------------------


def test_units_include_successions_of_the_reform(halong_officer, halong):
    response = api(halong_officer).get(f"/api/v1/units/{halong.pk}/")
    body = response.json()
    assert body["code"] == "6688" and body["kind"] == "ward"
    assert {p["unit"]["name"] for p in body["predecessors"]} >= {
        "Phường Hồng Hà",
        "Phường Hồng Hải",
    }


def test_unit_of_another_ward_is_404(halong_officer, baichay):
    assert api(halong_officer).get(f"/api/v1/units/{baichay.pk}/").status_code == 404


def test_assessment_and_plan_read_with_household_scope(halong_officer, baichay_officer, own):
    assessment = AssessmentFactory(household=own, round__year=2025)
    plan = ExitPlanFactory(household=own, based_on=assessment)
    action = PlanActionFactory(plan=plan, responsible=halong_officer)
    client = api(halong_officer)
    body = client.get(f"/api/v1/assessments/{assessment.pk}/").json()
    assert body["household"] == own.pk and body["round"]["year"] == 2025
    plans = client.get(f"{HOUSEHOLDS}{own.pk}/plans/").json()
    assert [a["id"] for a in plans[0]["actions"]] == [action.pk]
    assert client.get(f"/api/v1/actions/{action.pk}/").json()["version"] == action.version
    other = api(baichay_officer)
    for url in (
        f"/api/v1/assessments/{assessment.pk}/",
        f"/api/v1/plans/{plan.pk}/",
        f"/api/v1/actions/{action.pk}/",
        f"{HOUSEHOLDS}{own.pk}/assessments/",
    ):
        assert other.get(url).status_code == 404, url


def test_support_list_scoped_and_filtered(halong_officer, own, other):
    mine = SupportRecordFactory(household=own, given_on=datetime.date(2025, 3, 1))
    SupportRecordFactory(household=other)
    client = api(halong_officer)
    body = client.get("/api/v1/support/").json()
    assert [r["id"] for r in body["results"]] == [mine.pk]
    assert body["results"][0]["support_type"] == "electricity"
    assert client.get("/api/v1/support/", {"year": 2024}).json()["results"] == []
    assert client.get("/api/v1/support/", {"support_type": "nope"}).status_code == 400


# --- aggregates ------------------------------------------------------------------------------


def test_annual_report_is_the_commands_json(city_staff, units):
    out = StringIO()
    call_command("annual_report", "--year", "2025", stdout=out)
    response = api(city_staff).get("/api/v1/reports/annual/", {"year": 2025, "unit": "193"})
    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())
    assert AccessLog.objects.filter(kind="report", user=city_staff).count() == 1


def test_annual_report_of_another_ward_for_ward_head_is_404(halong_head, baichay):
    response = api(halong_head).get("/api/v1/reports/annual/", {"year": 2025, "unit": "6673"})
    assert response.status_code == 404


def test_annual_report_refused_to_officer(halong_officer):
    assert api(halong_officer).get("/api/v1/reports/annual/", {"year": 2025}).status_code == 403


def test_annual_report_without_year_is_400(city_staff):
    response = api(city_staff).get("/api/v1/reports/annual/")
    assert response.status_code == 400
    assert "year" in response.json()["errors"]


def test_dashboard_for_member_is_403(halong_member):
    assert api(halong_member).get("/api/v1/dashboard/").status_code == 403


def test_schema_lists_bilingual_labels(halong_officer):
    schema = api(halong_officer).get("/api/v1/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/households/" in schema["paths"]
    description = schema["components"]["schemas"]["PovertyStatusEnum"]["description"]
    assert "`poor` – Poor · *Hộ nghèo*" in description
    assert "401" in schema["paths"]["/api/v1/households/"]["get"]["responses"]

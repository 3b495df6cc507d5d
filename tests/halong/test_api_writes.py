"""Writes through the API: the pages' services, 409 on stale versions and duplicate support."""

import datetime

import pytest
from django.test import Client
from django.utils import translation

from communes.models import Role
from halong.api.tokens import token_create
from households.models import Assessment, AssessmentStatus
from households.services import review as review_services
from plans.models import ActionStatus, PlanAction, SupportRecord
from plans.services import plans as plan_services
from tests.conftest import REFORM, committee_of, unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MembershipFactory,
    PlanActionFactory,
    ReviewRoundFactory,
    UserFactory,
    poor_since_2015,
    standard,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_migration_rows")]

SURVEY = {
    "surveyed_on": "2025-10-01",
    "member_count": 3,
    "income_per_capita": 1_500_000,
    "score_a": None,
    "deprivations": ["health_insurance", "water", "sanitation"],
    "causes": ["no_capital", "illness_accident"],
    "primary_cause": "no_capital",
    "support_needs": ["credit", "health"],
}


def api(user) -> Client:
    raw = token_create(user=user, name="t")[1]
    return Client(headers={"Authorization": f"Token {raw}", "Cookie": "django_language=en"})


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def halong(units):
    return unit("6688")


@pytest.fixture
def assessment(halong):
    review_round = ReviewRoundFactory(
        unit=halong,
        year=2025,
        standard=standard("ND07-2022"),
        provincial_standard=standard("QN-NQ13-2023"),
    )
    return AssessmentFactory(household=HouseholdFactory(unit=halong), round=review_round)


def survey_url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/survey/"


# --- survey -----------------------------------------------------------------------------------


def test_survey_records_and_classifies(halong_officer, assessment):
    response = post(api(halong_officer), survey_url(assessment), {**SURVEY, "version": 1})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "surveyed" and body["version"] == 2
    assert body["national_status"] == "poor"
    assert {d["code"] for d in body["deprivations"]} == set(SURVEY["deprivations"])
    assessment.refresh_from_db()
    assert assessment.surveyed_by == halong_officer
    assert assessment.history.first().history_user == halong_officer


def test_survey_with_stale_version_is_409_naming_who_changed_what(halong_officer, assessment):
    head = UserFactory(username="the.head", first_name="Phạm Văn", last_name="Hùng")
    MembershipFactory(
        user=head, committee=committee_of(assessment.unit), role=Role.WARD_HEAD, start_date=REFORM
    )
    review_services.assessment_survey(
        actor=head,
        assessment=Assessment.objects.get(pk=assessment.pk),
        version=1,
        surveyed_on=datetime.date(2025, 9, 30),
        income_per_capita=900_000,
        score_a=None,
        deprivation_codes={"water"},
        causes=["no_land"],
        primary_cause="no_land",
        support_needs=[],
    )
    before = Assessment.objects.get(pk=assessment.pk)
    response = post(api(halong_officer), survey_url(assessment), {**SURVEY, "version": 1})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["current_version"] == 2
    assert body["changed_by"] == "Phạm Văn Hùng"
    assert "Phạm Văn Hùng" in body["detail"]
    fields = {c["field"] for c in body["changed_fields"]}
    assert {"income_per_capita", "status"} <= fields
    after = Assessment.objects.get(pk=assessment.pk)
    assert (after.version, after.income_per_capita) == (before.version, 900_000)


def test_survey_bad_indicator_is_400_naming_field_and_saves_nothing(halong_officer, assessment):
    data = {**SURVEY, "version": 1, "deprivations": ["moon_landing"]}
    response = post(api(halong_officer), survey_url(assessment), data)
    assert response.status_code == 400
    assert "deprivation_codes" in response.json()["errors"]
    assessment.refresh_from_db()
    assert (assessment.status, assessment.version) == (AssessmentStatus.LISTED, 1)


def test_survey_missing_fields_is_400(halong_officer, assessment):
    response = post(api(halong_officer), survey_url(assessment), {"version": 1})
    assert response.status_code == 400
    assert {"surveyed_on", "deprivations"} <= set(response.json()["errors"])


def test_survey_by_member_is_403_and_changes_nothing(halong_member, assessment):
    assessment.household.assigned_to = halong_member
    assessment.household.save()
    response = post(api(halong_member), survey_url(assessment), {**SURVEY, "version": 1})
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.version == 1


def test_survey_of_another_ward_is_404(baichay_officer, assessment):
    response = post(api(baichay_officer), survey_url(assessment), {**SURVEY, "version": 1})
    assert response.status_code == 404


def test_assessment_create_adds_household_to_open_round(halong_officer, assessment):
    household = HouseholdFactory(unit=assessment.unit)
    url = f"/api/v1/households/{household.pk}/assessments/new/"
    response = post(api(halong_officer), url, {"round": assessment.round_id})
    assert response.status_code == 201
    assert Assessment.objects.filter(household=household, round=assessment.round).exists()
    again = post(api(halong_officer), url, {"round": assessment.round_id})
    assert again.status_code == 400
    assert "review_round" in again.json()["errors"]


# --- support ----------------------------------------------------------------------------------


@pytest.fixture
def poor_household(halong):
    return poor_since_2015(HouseholdFactory(unit=halong))


ELECTRICITY = {
    "support_type": "electricity",
    "given_on": "2025-01-05",
    "funding_source": "national_programme",
    "provider": "UBND phường Hạ Long",
}


def support_url(household) -> str:
    return f"/api/v1/households/{household.pk}/support/"


def test_support_recorded_with_default_amount(halong_officer, poor_household):
    response = post(api(halong_officer), support_url(poor_household), ELECTRICITY)
    assert response.status_code == 201, response.json()
    record = SupportRecord.objects.get()
    assert response.json()["id"] == record.pk
    assert record.amount > 0 and record.created_by == halong_officer


def test_duplicate_support_is_409_with_existing_records_and_reason_overrides(
    halong_officer, poor_household
):
    client = api(halong_officer)
    first = post(client, support_url(poor_household), ELECTRICITY).json()
    again = {**ELECTRICITY, "given_on": "2025-03-20", "funding_source": "charity"}
    response = post(client, support_url(poor_household), again)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_support"
    assert [r["id"] for r in body["existing"]] == [first["id"]]
    assert SupportRecord.objects.count() == 1
    response = post(client, support_url(poor_household), {**again, "conflict_reason": "Bù tháng 1"})
    assert response.status_code == 201
    assert response.json()["conflict_reason"] == "Bù tháng 1"
    assert SupportRecord.objects.count() == 2


def test_support_not_eligible_is_409_and_reason_overrides(halong_officer, halong):
    household = HouseholdFactory(unit=halong)  # never on a list
    client = api(halong_officer)
    response = post(client, support_url(household), ELECTRICITY)
    assert response.status_code == 409
    assert response.json()["code"] == "not_eligible"
    assert not SupportRecord.objects.exists()
    response = post(
        client, support_url(household), {**ELECTRICITY, "eligibility_reason": "Hộ chính sách"}
    )
    assert response.status_code == 201


def test_support_unknown_type_and_foreign_member_are_400(halong_officer, poor_household, halong):
    stranger = HouseholdFactory(unit=halong).head
    data = {**ELECTRICITY, "support_type": "caviar", "member": stranger.pk}
    response = post(api(halong_officer), support_url(poor_household), data)
    assert response.status_code == 400
    assert {"support_type", "member"} <= set(response.json()["errors"])
    assert not SupportRecord.objects.exists()


def test_support_by_city_staff_named_is_403(city_staff_named, poor_household):
    response = post(api(city_staff_named), support_url(poor_household), ELECTRICITY)
    assert response.status_code == 403
    assert not SupportRecord.objects.exists()


# --- plan action status -------------------------------------------------------------------------


@pytest.fixture
def action(halong, halong_member):
    plan = ExitPlanFactory(household=HouseholdFactory(unit=halong))
    return PlanActionFactory(plan=plan, responsible=halong_member)


def status_url(action) -> str:
    return f"/api/v1/actions/{action.pk}/status/"


def test_responsible_member_reports_done(halong_member, action):
    response = post(
        api(halong_member),
        status_url(action),
        {"version": 1, "status": "done", "outcome": "Sửa xong mái", "completed_on": "2025-11-02"},
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["completed_on"], body["version"]) == ("done", "2025-11-02", 2)
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


def test_drop_without_reason_is_400(halong_officer, action):
    response = post(api(halong_officer), status_url(action), {"version": 1, "status": "dropped"})
    assert response.status_code == 400
    assert "dropped_reason" in response.json()["errors"]
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED


def test_action_status_stale_is_409(halong_officer, halong_member, action):
    plan_services.action_set_status(
        actor=halong_officer,
        action=PlanAction.objects.get(pk=action.pk),
        version=1,
        status=ActionStatus.IN_PROGRESS,
    )
    response = post(api(halong_member), status_url(action), {"version": 1, "status": "done"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_version" and body["current_version"] == 2
    assert {"status"} <= {c["field"] for c in body["changed_fields"]}
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS


def test_action_of_someone_else_is_refused_to_member(halong_member, halong, action):
    other = PlanActionFactory(plan=action.plan, responsible=None)
    response = post(api(halong_member), status_url(other), {"version": 1, "status": "done"})
    assert response.status_code in (403, 404)
    other.refresh_from_db()
    assert other.status == ActionStatus.PLANNED


def test_messages_follow_the_language_cookie(halong_officer, action):
    with translation.override("vi"):
        response = post(api(halong_officer), status_url(action), {"version": 1, "status": "x"})
    assert response.status_code == 400
    assert response.json()["errors"]["status"]

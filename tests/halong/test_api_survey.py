"""The offline survey app's endpoints: worklist scope, idempotent submissions, conflicts."""

import datetime
import uuid

import pytest
from django.test import Client

from communes.models import AccessKind, AccessLog
from halong.api.models import SurveySubmission
from halong.api.tokens import token_create
from households.models import Assessment, AssessmentStatus
from households.services import registry as registry_services
from households.services import review as review_services
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    MemberFactory,
    ReviewRoundFactory,
    VillageFactory,
    standard,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_migration_rows")]

ANSWERS = {
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


def submit(client, assessment, *, key=None, version=None, household_version=None, **answers):
    body = {
        **ANSWERS,
        **answers,
        "key": str(key or uuid.uuid4()),
        "assessment": assessment.pk,
        "version": version if version is not None else assessment.version,
        "household_version": household_version
        if household_version is not None
        else assessment.household.version,
    }
    return client.post("/api/v1/survey/submissions/", body, content_type="application/json")


@pytest.fixture
def ward(units):
    return unit("6688")


@pytest.fixture
def village(ward):
    return VillageFactory(parent=ward, code="6688.91", name="Tổ dân phố 91")


@pytest.fixture
def review_round(ward):
    return ReviewRoundFactory(
        unit=ward,
        year=2025,
        standard=standard("ND07-2022"),
        provincial_standard=standard("QN-NQ13-2023"),
    )


@pytest.fixture
def assessment(ward, village, review_round):
    household = HouseholdFactory(unit=ward, village=village)
    MemberFactory(household=household, birth_year=1950)
    return AssessmentFactory(household=household, round=review_round)


# --- Rounds and worklist -----------------------------------------------------------------


def test_rounds_list_open_rounds_with_their_villages(halong_officer, assessment, village):
    response = api(halong_officer).get("/api/v1/survey/rounds/")
    assert response.status_code == 200
    (row,) = [r for r in response.json() if r["id"] == assessment.round_id]
    assert row["villages"] == [
        {
            "id": village.pk,
            "code": "6688.91",
            "name": "Tổ dân phố 91",
            "households": 1,
            "to_survey": 1,
        }
    ]


def test_worklist_carries_households_members_rules_and_logs(halong_officer, assessment, village):
    other_village = VillageFactory(parent=assessment.unit, code="6688.92")
    AssessmentFactory(
        household=HouseholdFactory(unit=assessment.unit, village=other_village),
        round=assessment.round,
    )
    url = f"/api/v1/survey/worklist/?round={assessment.round_id}&village={village.pk}"
    response = api(halong_officer).get(url)
    assert response.status_code == 200, response.json()
    body = response.json()
    (entry,) = body["households"]
    assert entry["assessment"]["id"] == assessment.pk
    assert entry["household"]["version"] == assessment.household.version
    assert len(entry["household"]["members"]) == 2
    assert {"age", "health_insurance_expiry", "has_valid_health_insurance"} <= set(
        entry["household"]["members"][0]
    )
    # The members' facts suggest what the survey page suggests (no card, aged ≥ 6).
    assert "health_insurance" in {s["code"] for s in entry["suggestions"]}
    indicators = {i["code"]: i for i in body["standard"]["indicators"]}
    assert indicators["water"]["help_text"]
    # The survey form's rules and messages, as data.
    fields = body["form"]["fields"]
    assert fields["surveyed_on"]["required"] is True
    assert fields["income_per_capita"]["min_value"] == 0
    assert fields["member_count"]["messages"]["min_value"].startswith("Ensure this value")
    assert "ND07-2022" in body["form"]["evidence_message"]
    assert "other" in {c["code"] for c in body["causes"]}
    assert AccessLog.objects.filter(kind=AccessKind.VIEW_NAMED_LIST, rows=1).exists()


def test_worklist_of_another_ward_is_404(baichay_officer, assessment, village):
    url = f"/api/v1/survey/worklist/?round={assessment.round_id}&village={village.pk}"
    assert api(baichay_officer).get(url).status_code == 404


def test_worklist_needs_both_ids(halong_officer):
    response = api(halong_officer).get("/api/v1/survey/worklist/?round=x")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"round", "village"}


def test_committee_member_cannot_download(halong_member, assessment, village):
    member = halong_member
    url = f"/api/v1/survey/worklist/?round={assessment.round_id}&village={village.pk}"
    assert api(member).get(url).status_code in (403, 404)


# --- Submissions: idempotency -------------------------------------------------------------


def test_submission_records_and_classifies(halong_officer, assessment):
    response = submit(api(halong_officer), assessment)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["replayed"] is False
    assert body["assessment"]["national_status"] == "poor"
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SURVEYED
    assert assessment.surveyed_by == halong_officer
    assert SurveySubmission.objects.get().recorded_version == assessment.version


def test_retry_with_the_same_key_never_surveys_twice(halong_officer, assessment):
    client = api(halong_officer)
    key = uuid.uuid4()
    first = submit(client, assessment, key=key)
    assert first.status_code == 201
    history = Assessment.history.filter(id=assessment.pk).count()
    # The phone never got the answer and sends the same survey again, with the old version.
    again = submit(client, assessment, key=key, version=1)
    assert again.status_code == 200, again.json()
    assert again.json()["replayed"] is True
    assert again.json()["assessment"]["version"] == first.json()["assessment"]["version"]
    assert Assessment.history.filter(id=assessment.pk).count() == history
    assert SurveySubmission.objects.count() == 1
    assert Assessment.objects.filter(household=assessment.household).count() == 1


def test_a_key_of_another_user_or_survey_is_refused(halong_officer, halong_head, assessment):
    key = uuid.uuid4()
    assert submit(api(halong_officer), assessment, key=key).status_code == 201
    response = submit(api(halong_head), assessment, key=key)
    assert response.status_code == 400
    assert "key" in response.json()["errors"]


def test_invalid_survey_saves_nothing_and_keeps_the_key_free(halong_officer, assessment):
    client = api(halong_officer)
    key = uuid.uuid4()
    response = submit(client, assessment, key=key, causes=[], primary_cause="")
    assert response.status_code == 400
    assert "causes" in response.json()["errors"]
    assert not SurveySubmission.objects.exists()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.LISTED
    # Corrected, the same survey (same key) goes through.
    assert submit(client, assessment, key=key).status_code == 201


def test_unknown_indicator_is_named_as_the_deprivations_field(halong_officer, assessment):
    response = submit(api(halong_officer), assessment, deprivations=["nope"])
    assert response.status_code == 400
    assert "deprivations" in response.json()["errors"]


# --- Submissions: conflicts ----------------------------------------------------------------


def test_survey_changed_on_the_server_is_a_conflict_field_by_field(
    halong_officer, halong_head, assessment
):
    review_services.assessment_survey(
        actor=halong_head,
        assessment=assessment,
        version=1,
        surveyed_on=datetime.date(2025, 9, 20),
        member_count=3,
        income_per_capita=900_000,
        score_a=None,
        deprivation_codes={"water", "sanitation", "health_insurance"},
        causes=["no_land"],
        primary_cause="no_land",
        support_needs=["credit", "health"],
    )
    client = api(halong_officer)
    key = uuid.uuid4()
    response = submit(client, assessment, key=key, version=1)
    assert response.status_code == 409, response.json()
    body = response.json()
    assert body["code"] == "survey_conflict"
    assert body["current_version"] == 2
    assert body["changed_by"]
    fields = {f["field"]: f for f in body["fields"]}
    assert set(fields) == {"surveyed_on", "income_per_capita", "causes", "primary_cause"}
    assert fields["income_per_capita"] == {
        "field": "income_per_capita",
        "label": "Income per person per month (VND)",
        "mine": 1_500_000,
        "theirs": 900_000,
    }
    assert body["theirs"]["causes"] == ["no_land"]
    assert not SurveySubmission.objects.exists()
    assessment.refresh_from_db()
    assert assessment.income_per_capita == 900_000  # nothing overwritten
    # Resolved on the phone (keep mine for the income, theirs for the causes), sent again.
    resolved = submit(
        client,
        assessment,
        key=key,
        version=body["current_version"],
        causes=["no_land"],
        primary_cause="no_land",
    )
    assert resolved.status_code == 201, resolved.json()
    assessment.refresh_from_db()
    assert assessment.income_per_capita == 1_500_000
    assert [c.code for c in assessment.causes.all()] == ["no_land"]


def test_household_changed_since_the_download_is_a_conflict(
    halong_officer, halong_head, assessment
):
    household = assessment.household
    seen = household.version
    registry_services.household_update(
        actor=halong_head, household=household, version=seen, address="Số 9, tổ 91"
    )
    client = api(halong_officer)
    response = submit(client, assessment, household_version=seen, member_count=5)
    assert response.status_code == 409
    body = response.json()
    assert body["household_version"] == seen + 1
    assert {c["field"] for c in body["household_changes"]} == {"address"}
    # Their member count is the register's (2 current members); mine said 5.
    assert [(f["field"], f["mine"], f["theirs"]) for f in body["fields"]] == [
        ("member_count", 5, 2)
    ]
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.LISTED
    again = submit(client, assessment, household_version=body["household_version"], member_count=5)
    assert again.status_code == 201


def test_a_survey_of_another_ward_is_404(baichay_officer, assessment):
    assert submit(api(baichay_officer), assessment).status_code == 404
    assert not SurveySubmission.objects.exists()


# --- The app's pages ------------------------------------------------------------------------


def test_app_shell_manifest_and_service_worker(client, halong_officer):
    assert client.get("/survey/").status_code == 302  # the shell needs a login
    manifest = client.get("/survey/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.json()["scope"] == "/survey/"
    worker = client.get("/survey/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    body = worker.content.decode()
    assert '"/survey/"' in body and "/static/survey/app.js" in body
    assert "http" not in body.split("const SHELL")[1].split(";")[0]  # nothing from a CDN
    assert client.get("/survey/session/").json() == {"authenticated": False}
    client.force_login(halong_officer)
    page = client.get("/survey/")
    assert page.status_code == 200
    assert b'id="survey-strings"' in page.content
    session = client.get("/survey/session/").json()
    assert session["authenticated"] is True and session["csrf_token"]

"""Schemathesis against the API's own OpenAPI schema, as the officer and as city staff.

Every operation gets generated requests (few examples each, so the file runs in
well under a minute) plus one request on a real record of the officer's ward;
each answer must not be a 5xx and must match the schema: documented status,
content type and body.
"""

import datetime

import pytest
import schemathesis
import werkzeug.test
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from communes.models import Role
from halong.api.tokens import token_create
from households.models import AssessmentStatus, PovertyStatus
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    PlanActionFactory,
    ReviewRoundFactory,
    SupportRecordFactory,
    poor_since_2015,
    standard,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("data_migration_rows")]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 4


@pytest.fixture
def wsgi_app(settings):
    """The project's WSGI application inside the test's transaction.

    Django closes old connections when a request starts and ends
    (``close_old_connections``), which would end the test's transaction:
    disconnected, as Django's test client does.
    """
    settings.API_THROTTLE_RATES = {"burst": "100000/minute", "sustained": "1000000/day"}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(units, make_member):
    """A ward with every kind of record, and the same in another ward."""
    ward, other = unit("6688"), unit("6673")
    officer = make_member(Role.WARD_OFFICER, ward)
    household = poor_since_2015(HouseholdFactory(unit=ward, head__citizen_id="022185001234"))
    MemberFactory(household=household, citizen_id="022210004321")
    review_round = ReviewRoundFactory(
        unit=ward,
        year=2025,
        standard=standard("ND07-2022"),
        provincial_standard=standard("QN-NQ13-2023"),
    )
    assessment = AssessmentFactory(household=household, round=review_round)
    decided = AssessmentFactory(
        household=household,
        round__year=2024,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=PovertyStatus.POOR,
        decision_date=datetime.date(2024, 12, 10),
    )
    plan = ExitPlanFactory(household=household, based_on=decided)
    action = PlanActionFactory(plan=plan, responsible=officer)
    support = SupportRecordFactory(household=household)
    stranger = HouseholdFactory(unit=other)
    SupportRecordFactory(household=stranger)
    ids = {
        "households": household.pk,
        "assessments": assessment.pk,
        "plans": plan.pk,
        "actions": action.pk,
        "support": support.pk,
        "units": ward.pk,
    }
    return officer, ids


def _real_id(path: str, ids: dict) -> int | None:
    parts = path.strip("/").split("/")
    return ids.get(parts[2]) if len(parts) > 3 and parts[3] == "{id}" else None


def run_schemathesis(user, ids: dict, app) -> int:
    raw = token_create(user=user, name="schemathesis")[1]
    headers = {"Authorization": f"Token {raw}"}
    # Through the WSGI app too: Django's test client would reconnect the signals.
    served = werkzeug.test.Client(app).get("/api/v1/schema/?format=json", headers=headers)
    assert served.status_code == 200
    document = served.get_json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17
    calls = 0
    for operation in operations:

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def generated(case):
            response = case.call(app=app, headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        generated()
        calls += EXAMPLES
        real = _real_id(operation.path, ids)
        if real is not None and operation.method.upper() == "GET":
            case = operation.Case(path_parameters={"id": real}, query={})
            response = case.call(app=app, headers=headers)
            assert response.status_code in (200, 403), (operation.path, response.status_code)
            case.validate_response(response, checks=CHECKS, headers=headers)
            calls += 1
    return calls


def test_schemathesis_as_ward_officer(records, wsgi_app):
    officer, ids = records
    assert run_schemathesis(officer, ids, wsgi_app) > 60


def test_schemathesis_as_city_staff(records, wsgi_app, city_staff):
    _officer, ids = records
    assert run_schemathesis(city_staff, ids, wsgi_app) > 60

"""Fixtures shared by the whole suite."""

import datetime

import pytest
from django.conf import settings
from django.utils import translation

from communes.models import AdministrativeUnit, Role, SteeringCommittee, UnitKind
from communes.unit_loading import load_units
from tests.factories import MembershipFactory, UserFactory

REFORM = datetime.date(2025, 7, 1)


@pytest.fixture
def units(db):
    """Quảng Ninh's current units and legacy Hạ Long, as ``load_units`` loads them."""
    load_units()


def unit(code: str, on: datetime.date = datetime.date(2025, 8, 1)) -> AdministrativeUnit:
    """The grassroots unit with GSO ``code`` on ``on`` (default: after the reform)."""
    return AdministrativeUnit.objects.grassroots().valid_on(on).get(code=code)


def legacy(code: str) -> AdministrativeUnit:
    return unit(code, datetime.date(2024, 12, 1))


@pytest.fixture
def city(units) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(kind=UnitKind.CITY, code="193")


def committee_of(unit_obj: AdministrativeUnit) -> SteeringCommittee:
    return SteeringCommittee.objects.get_or_create(
        unit=unit_obj, defaults={"name": f"BCĐ {unit_obj.name}"}
    )[0]


@pytest.fixture
def make_member():
    """``make_member(role, unit)``: a user holding ``role`` in ``unit``'s committee."""

    def make(role: str, unit_obj: AdministrativeUnit, *, named: bool = False, **kwargs):
        user = UserFactory(**kwargs)
        MembershipFactory(
            user=user,
            committee=committee_of(unit_obj),
            role=role,
            start_date=REFORM,
            may_view_named_lists=named,
        )
        return user

    return make


@pytest.fixture
def city_head(city, make_member):
    return make_member(Role.CITY_HEAD, city)


@pytest.fixture
def city_staff(city, make_member):
    return make_member(Role.CITY_STAFF, city)


@pytest.fixture
def city_staff_named(city, make_member):
    """City staff whose membership carries the "may open named lists" grant."""
    return make_member(Role.CITY_STAFF, city, named=True)


@pytest.fixture
def halong_head(units, make_member):
    return make_member(Role.WARD_HEAD, unit("6688"))


@pytest.fixture
def halong_officer(units, make_member):
    return make_member(Role.WARD_OFFICER, unit("6688"))


@pytest.fixture
def halong_member(units, make_member):
    return make_member(Role.MEMBER, unit("6688"))


@pytest.fixture
def baichay_officer(units, make_member):
    return make_member(Role.WARD_OFFICER, unit("6673"))


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the UI's default language (Vietnamese), whatever ran before."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    """Background jobs run inside the request unless a test asks for the real queue
    (``tests/jobs/test_worker.py`` runs a ``db_worker`` process)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def job_files(tmp_path, monkeypatch):
    """Jobs' uploads and results go to the test's own directory."""
    from communes.jobs.models import Job

    storage = Job._meta.get_field("result_file").storage
    location = tmp_path / "job-files"
    monkeypatch.setitem(storage.__dict__, "base_location", str(location))
    monkeypatch.setitem(storage.__dict__, "location", str(location))
    return location


def _restore_data_migration_rows() -> None:
    """Re-create what the data migrations wrote, where a flush removed it."""
    import importlib

    from django.apps import apps

    from households.models import PovertyStandard
    from plans.models import SupportType

    if not PovertyStandard.objects.exists():
        importlib.import_module("households.migrations.0002_load_standards").load_standards(
            apps, None
        )
        importlib.import_module(
            "households.migrations.0008_round_standards_by_rule"
        ).to_years_in_force(apps, None)
        importlib.import_module(
            "households.migrations.0012_list_making_quang_ninh_and_household_years"
        ).add_quang_ninh(apps, None)
        importlib.import_module("households.migrations.0014_nd351_indicators_and_sources").forwards(
            apps, None
        )
    if not SupportType.objects.exists():
        importlib.import_module("plans.migrations.0002_catalogue").load(apps, None)
        importlib.import_module("plans.migrations.0004_catalogue_corrections").forward(apps, None)


@pytest.fixture
def data_migration_rows(db):
    """The rows data migrations create (standards, support catalogue), if a flush removed them.

    A transactional or live-server test earlier on the same worker ends with a
    flush that empties every table (``_data_migration_rows_after_a_flush`` now
    restores them for every database test; kept for the tests that name it).
    """
    _restore_data_migration_rows()


@pytest.fixture(autouse=True)
def _data_migration_rows_after_a_flush(request):
    """Every database test finds the standards and the support catalogue.

    A transactional or live-server test ends with a flush that empties every
    table, data-migration rows included; on PostgreSQL a later test of the same
    worker then found no standard. One EXISTS query per database test.
    """
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "django_db_reset_sequences"} & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("_django_db_helper")
        _restore_data_migration_rows()


@pytest.fixture(autouse=True)
def _second_factor_optional(settings):
    """Tests sign in with ``force_login``: the second factor is off unless a test turns it
    on (``tests/halong/test_two_factor.py``)."""
    settings.TWO_FACTOR_ENFORCED = False

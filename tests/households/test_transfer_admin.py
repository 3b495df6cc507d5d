"""The Household admin's export through django-import-export, and its import link."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from communes.models import AccessKind, AccessLog
from households.models import AssessmentStatus, Household
from households.transfer.columns import HOUSEHOLD_COLUMNS, header_labels
from households.transfer.importing import import_households
from households.transfer.reading import open_table
from tests.conftest import unit
from tests.factories import AssessmentFactory, HouseholdFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:households_household_changelist"
EXPORT = "admin:households_household_export"
XLSX, CSV = "0", "1"  # positions in the admin's export_formats


@pytest.fixture
def superuser(units):
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def staff(units):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__endswith="_household"))
    return user


@pytest.fixture
def assessed(units):
    household = HouseholdFactory(unit=unit("6688"), code="AD-1", head__full_name="=cmd")
    AssessmentFactory(
        household=household, status=AssessmentStatus.RECOGNISED, income_per_capita=1_500_000
    )
    return household


def _export(client, fmt):
    return client.post(reverse(EXPORT), {"format": fmt, "resource": "0"})


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    """Rows keyed by column key (the headers are in the request's language)."""
    header, *rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    assert header[:2] == header_labels(HOUSEHOLD_COLUMNS)[:2]
    keys = [column.key for column in HOUSEHOLD_COLUMNS]
    return [dict(zip(keys, row, strict=False)) for row in rows]


def test_changelist_links_to_export_and_to_our_import_for_a_superuser(client, superuser):
    client.force_login(superuser)

    page = client.get(reverse(CHANGELIST)).content.decode()

    assert reverse(EXPORT) in page
    assert reverse("households:import_upload") in page


def test_admin_export_writes_the_import_columns_and_is_logged(client, superuser, assessed):
    client.force_login(superuser)

    response = _export(client, CSV)

    assert response.status_code == 200
    rows = _csv_rows(response.content)
    assert [(r["household_code"], r["year"], r["income_per_capita"]) for r in rows] == [
        ("AD-1", "2025", "1500000")
    ]
    assert rows[0]["head_name"] == "'=cmd"  # quoted as our importer expects
    log = AccessLog.objects.get(kind=AccessKind.EXPORT)
    assert (log.user, log.rows) == (superuser, 1)


def test_admin_xlsx_export_imports_back_without_changes(client, superuser, assessed, tmp_path):
    client.force_login(superuser)
    path = tmp_path / "admin.xlsx"

    path.write_bytes(_export(client, XLSX).content)
    result = import_households(open_table(path, path.name), actor=superuser)

    assert result.problems == []
    assert result.changes == 0, result.summary()


def test_staff_without_superuser_cannot_export_nor_sees_the_links(client, staff, assessed):
    client.force_login(staff)

    page = client.get(reverse(CHANGELIST)).content.decode()
    response = _export(client, CSV)

    assert reverse(EXPORT) not in page
    assert reverse("households:import_upload") not in page
    assert response.status_code == 403
    assert not AccessLog.objects.filter(kind=AccessKind.EXPORT).exists()
    assert Household.objects.count() == 1

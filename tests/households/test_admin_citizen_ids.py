"""The admin shows citizen IDs masked; revealing or searching one is logged."""

import pytest
from django.urls import reverse

from communes.models import AccessKind, AccessLog
from households.services.registry import refresh_search_text
from tests.conftest import unit
from tests.factories import HouseholdFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

CID = "022185009876"


@pytest.fixture
def admin_client(client, units):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def person(units):
    household = HouseholdFactory(unit=unit("6688"), code="HL-AD")
    member = MemberFactory(household=household, citizen_id=CID, sex="female", birth_year=1985)
    refresh_search_text(household)
    return member


def _reveals():
    return AccessLog.objects.filter(kind=AccessKind.REVEAL_CITIZEN_ID)


def test_member_change_page_masks_the_citizen_id(admin_client, person):
    page = admin_client.get(reverse("admin:households_member_change", args=[person.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert CID not in body and "••••••••9876" in body
    assert not _reveals().exists()


def test_household_page_inline_masks_citizen_ids(admin_client, person):
    page = admin_client.get(
        reverse("admin:households_household_change", args=[person.household_id])
    )

    assert page.status_code == 200 and CID not in page.content.decode()


def test_history_of_a_member_masks_the_citizen_id(admin_client, person):
    record = person.history.latest()
    page = admin_client.get(
        reverse("admin:households_member_simple_history", args=[person.pk, record.pk])
    )

    assert page.status_code == 200 and CID not in page.content.decode()


def test_saving_the_change_form_keeps_or_changes_the_number(admin_client, person):
    url = reverse("admin:households_member_change", args=[person.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data |= {"household": person.household_id, "full_name": "Lò Thị Mới", "citizen_id": ""}
    data = {k: v for k, v in data.items() if not isinstance(v, bool) or v}

    assert admin_client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.full_name == "Lò Thị Mới" and person.citizen_id == CID

    assert admin_client.post(url, data | {"citizen_id": "022185009877"}).status_code == 302
    person.refresh_from_db()
    assert person.citizen_id == "022185009877"


def test_reveal_shows_the_number_only_on_post_and_logs_it(admin_client, person):
    url = reverse("admin:households_member_reveal", args=[person.pk])

    page = admin_client.get(url)
    assert CID not in page.content.decode() and not _reveals().exists()

    revealed = admin_client.post(url)
    assert CID in revealed.content.decode()
    entry = _reveals().get()
    assert entry.household_id == person.household_id and entry.detail["via"] == "admin"


@pytest.mark.parametrize("changelist", ["member", "household"])
def test_a_search_by_citizen_id_is_logged(admin_client, person, changelist):
    page = admin_client.get(reverse(f"admin:households_{changelist}_changelist"), {"q": CID})

    assert page.status_code == 200
    entry = _reveals().get()
    assert entry.detail["search"] is True and entry.rows == 1 and CID not in entry.label


def test_a_search_by_name_is_not_logged(admin_client, person):
    admin_client.get(reverse("admin:households_member_changelist"), {"q": "Lò"})

    assert not _reveals().exists()


def test_admin_pages_with_personal_data_are_not_stored(admin_client, person):
    """The URL matrix leaves the admin out: its pages name people too (no-store)."""
    for url in (
        reverse("admin:households_household_changelist") + "?q=HL-AD",
        reverse("admin:households_household_change", args=[person.household_id]),
        reverse("admin:households_member_change", args=[person.pk]),
        reverse("admin:households_member_history", args=[person.pk]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "no-store", url

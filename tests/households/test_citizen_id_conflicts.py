"""A citizen ID held in another ward: a neutral answer, a record, the city's list."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from households.models import CitizenIdConflict, ConflictSource, Member, Relation, Sex
from households.services.registry import member_add
from households.transfer.importing import import_households
from tests.conftest import unit
from tests.factories import HouseholdFactory, MemberFactory

from .test_transfer_helpers import household, table

pytestmark = pytest.mark.django_db

STRANGER_ID = "022185009876"
STRANGER = "Lò Thị Người Lạ"


@pytest.fixture
def stranger(units):
    """A current member of a household of Bãi Cháy, a ward Hạ Long's staff do not see."""
    other = HouseholdFactory(unit=unit("6673"), code="BC-777")
    return MemberFactory(
        household=other, full_name=STRANGER, citizen_id=STRANGER_ID, sex=Sex.FEMALE, birth_year=1985
    )


def _person(**overrides):
    data = {
        "full_name": "Trần Thị Hoa",
        "sex": Sex.FEMALE,
        "birth_year": 1985,
        "relation": Relation.SPOUSE,
        "citizen_id": STRANGER_ID,
    }
    return data | overrides


def test_another_wards_citizen_id_gets_a_neutral_answer_and_is_recorded(stranger, halong_officer):
    home = HouseholdFactory(unit=unit("6688"), code="HL-1")

    with translation.override("en"), pytest.raises(ValidationError) as error:
        member_add(actor=halong_officer, household=home, **_person())

    (message,) = error.value.message_dict["citizen_id"]
    assert "cannot be used here" in message and "contact the city" in message
    assert "already recorded" not in message and "BC-777" not in message
    conflict = CitizenIdConflict.objects.get()
    assert (conflict.citizen_id, conflict.attempted_unit, conflict.existing_unit) == (
        STRANGER_ID,
        unit("6688"),
        unit("6673"),
    )
    assert conflict.attempted_by == halong_officer and conflict.source == ConflictSource.FORM
    assert conflict.existing_household_code == "BC-777"
    assert not home.members.filter(citizen_id=STRANGER_ID).exists()

    with pytest.raises(ValidationError):
        member_add(actor=halong_officer, household=home, **_person())
    assert CitizenIdConflict.objects.get().attempts == 2


def test_the_same_wards_citizen_id_is_named_and_not_recorded(halong_officer, units):
    home = HouseholdFactory(unit=unit("6688"), code="HL-1")
    MemberFactory(household=home, citizen_id=STRANGER_ID, sex=Sex.FEMALE, birth_year=1985)
    other = HouseholdFactory(unit=unit("6688"), code="HL-2")

    with translation.override("en"), pytest.raises(ValidationError) as error:
        member_add(actor=halong_officer, household=other, **_person())

    assert "household HL-1" in error.value.message_dict["citizen_id"][0]
    assert not CitizenIdConflict.objects.exists()


def test_member_form_says_only_to_contact_the_city(client, stranger, halong_officer):
    home = HouseholdFactory(unit=unit("6688"), code="HL-1")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(halong_officer)

    response = client.post(
        reverse("households:member_create", args=[home.pk]), _person(ethnicity="Kinh")
    )

    body = response.content.decode()
    assert response.status_code == 200 and "cannot be used here" in body
    assert STRANGER not in body and "BC-777" not in body
    assert CitizenIdConflict.objects.count() == 1
    assert not Member.objects.filter(household=home, citizen_id=STRANGER_ID).exists()


def test_import_preview_records_the_conflict(tmp_path, stranger, halong_officer):
    with translation.override("en"):
        result = import_households(
            table(
                tmp_path,
                [household(head_citizen_id=STRANGER_ID, head_sex="nữ", head_birth_year=1985)],
            ),
            actor=halong_officer,
            dry_run=True,
        )

    (problem,) = result.problems
    assert "cannot be used here" in problem.message
    conflict = CitizenIdConflict.objects.get()
    assert (
        conflict.source == ConflictSource.IMPORT and conflict.attempted_household_code == "HL-001"
    )


def test_city_staff_list_and_resolve_conflicts(client, stranger, halong_officer, city_staff):
    home = HouseholdFactory(unit=unit("6688"), code="HL-1")
    with pytest.raises(ValidationError):
        member_add(actor=halong_officer, household=home, **_person())
    conflict = CitizenIdConflict.objects.get()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(city_staff)

    page = client.get(reverse("households:id_conflict_list"))
    body = page.content.decode()
    assert page.status_code == 200 and list(page.context["page_obj"]) == [conflict]
    assert STRANGER_ID not in body and STRANGER_ID[-4:] in body and STRANGER not in body
    url = reverse("households:id_conflict_resolve", args=[conflict.pk])
    assert client.post(url, {"resolution": ""}).status_code == 302
    assert not CitizenIdConflict.objects.get().is_resolved
    assert client.post(url, {"resolution": "Sai một chữ số"}).status_code == 302
    conflict.refresh_from_db()
    assert conflict.is_resolved and conflict.resolved_by == city_staff


def test_ward_staff_have_no_conflict_list(client, halong_head):
    client.force_login(halong_head)
    assert client.get(reverse("households:id_conflict_list")).status_code == 403

"""Personal names are stored in Unicode NFC with single spaces, on every write path."""

import unicodedata

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from communes.models import Membership, Role
from communes.services import membership_add
from communes.text import clean_name
from households.models import Household, Member, Relation, Sex
from households.services.registry import member_add, member_update
from households.transfer.importing import import_households
from tests.conftest import committee_of, unit
from tests.factories import HouseholdFactory

from .test_transfer_helpers import household, member, table

pytestmark = pytest.mark.django_db

NFC = "Nguyễn Thị Ánh Tuyết"
NFD = unicodedata.normalize("NFD", NFC)


def test_the_two_spellings_differ_as_typed():
    assert NFD != NFC and len(NFD) > len(NFC)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(NFD, NFC), (f"  {NFD}  ", NFC), ("Lê   Văn\tAn", "Lê Văn An"), (None, ""), ("", "")],
)
def test_clean_name(typed, stored):
    assert clean_name(typed) == stored


def test_member_added_with_a_decomposed_name_is_stored_composed(halong_officer, units):
    home = HouseholdFactory(unit=unit("6688"))

    added = member_add(
        actor=halong_officer,
        household=home,
        full_name=f" {NFD} ",
        sex=Sex.FEMALE,
        birth_year=1990,
        relation=Relation.SPOUSE,
    )

    assert Member.objects.get(pk=added.pk).full_name == NFC
    assert Member.objects.filter(full_name=NFC).count() == 1
    member_update(actor=halong_officer, member=added, full_name=NFD + "  ")
    assert Member.objects.get(pk=added.pk).full_name == NFC


def test_household_form_stores_the_head_composed(client, halong_officer):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(halong_officer)
    data = {
        "unit": unit("6688").pk,
        "code": "HL-NFC",
        "head_full_name": NFD,
        "head_sex": "female",
        "head_birth_year": "1985",
        "head_ethnicity": unicodedata.normalize("NFD", "Tày"),
    }

    assert client.post(reverse("households:household_create"), data).status_code == 302

    head = Household.objects.get(code="HL-NFC").head
    assert head.full_name == NFC and head.ethnicity == "Tày"


def test_import_stores_names_composed_and_matches_them_again(tmp_path, halong_officer):
    rows = [household(head_name=NFD, head_citizen_id="")]
    members = [member(full_name=unicodedata.normalize("NFD", "Trần Thị Bình"), citizen_id="")]
    with translation.override("en"):
        first = import_households(table(tmp_path, rows, members), actor=halong_officer)
        again = import_households(
            table(
                tmp_path, [household(head_name=NFC, head_citizen_id="")], [member(citizen_id="")]
            ),
            actor=halong_officer,
        )

    assert first.saved and again.saved
    names = set(Member.objects.values_list("full_name", flat=True))
    assert names == {NFC, "Trần Thị Bình"}
    assert again.summary()["members"] == {"created": 0, "updated": 0, "unchanged": 2}


def test_new_account_names_are_composed(units, halong_head):
    membership, _password = membership_add(
        actor=halong_head,
        committee=committee_of(unit("6688")),
        full_name=f"{NFD}  ",
        role=Role.MEMBER,
        start_date=Membership._meta.get_field("start_date").to_python("2025-09-01"),
    )

    assert membership.user.get_full_name() == NFC

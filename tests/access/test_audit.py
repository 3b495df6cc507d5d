"""Masked citizen IDs, the logged reveal, the access log page, the names grant and history."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from communes.models import AccessKind, AccessLog, Membership, Role
from communes.permissions import Action, has_perm, unit_ids_with
from communes.services import membership_change
from households.models import Member
from households.services import registry as household_services
from tests.conftest import unit
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

CITIZEN_ID = "022185001234"


@pytest.fixture
def household(units):
    return HouseholdFactory(
        unit=unit("6688"),
        code="HL-AUDIT",
        head__full_name="Đào Thị Mận",
        head__citizen_id=CITIZEN_ID,
        head__sex="female",
        head__birth_year=1985,
    )


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_household_page_masks_citizen_id_and_logs_the_view(household, halong_officer):
    response = logged_in(halong_officer).get(household.get_absolute_url())
    page = response.content.decode()
    assert CITIZEN_ID not in page
    assert "••••••••1234" in page
    entry = AccessLog.objects.get()
    assert (entry.kind, entry.household_id, entry.user) == (
        AccessKind.VIEW_HOUSEHOLD,
        household.pk,
        halong_officer,
    )
    assert entry.unit == household.unit and entry.ip_address == "127.0.0.1"


def test_reveal_on_get_is_refused_and_writes_nothing(household, halong_officer):
    url = reverse("households:member_citizen_id", args=[household.head_id])
    response = logged_in(halong_officer).get(url)
    assert response.status_code == 405
    assert CITIZEN_ID not in response.content.decode()
    assert not AccessLog.objects.exists()


def test_reveal_by_post_shows_the_number_and_logs_it(household, halong_officer):
    url = reverse("households:member_citizen_id", args=[household.head_id])
    response = logged_in(halong_officer).post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content.decode().strip() == (
        f'<span id="cccd-{household.head_id}" class="font-monospace">{CITIZEN_ID}</span>'
    )
    entry = AccessLog.objects.get()
    assert entry.kind == AccessKind.REVEAL_CITIZEN_ID
    assert entry.detail == {"member_id": household.head_id}


def test_reveal_without_javascript_renders_a_page(household, halong_officer):
    url = reverse("households:member_citizen_id", args=[household.head_id])
    response = logged_in(halong_officer).post(url)
    assert CITIZEN_ID in response.content.decode()
    assert response.templates[0].name == "households/citizen_id_reveal.html"


def test_reveal_of_another_wards_member_is_404_and_not_logged(household, baichay_officer):
    url = reverse("households:member_citizen_id", args=[household.head_id])
    assert logged_in(baichay_officer).post(url).status_code == 404
    assert not AccessLog.objects.exists()


def test_member_edit_form_never_sends_the_full_number(household, halong_officer):
    url = reverse("households:member_edit", args=[household.head_id])
    page = logged_in(halong_officer).get(url).content.decode()
    assert CITIZEN_ID not in page and "••••••••1234" in page


def test_member_edit_keeps_the_number_when_field_left_empty(household, halong_officer):
    head = household.head
    url = reverse("households:member_edit", args=[head.pk])
    data = {
        "full_name": "Đào Thị Mận",
        "sex": "female",
        "birth_year": 1985,
        "ethnicity": "Kinh",
        "citizen_id": "",
    }
    response = logged_in(halong_officer).post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert Member.objects.get(pk=head.pk).citizen_id == CITIZEN_ID


def test_list_masks_citizen_ids(household, halong_officer):
    page = logged_in(halong_officer).get(reverse("households:household_list")).content.decode()
    assert "HL-AUDIT" in page and CITIZEN_ID not in page


# --- The names grant ------------------------------------------------------------------


def test_city_staff_without_grant_gets_403_on_visible_and_404_on_missing(household, city_staff):
    client = logged_in(city_staff)
    assert client.get(household.get_absolute_url()).status_code == 403
    assert client.get(reverse("households:household_detail", args=[10**6])).status_code == 404
    assert not AccessLog.objects.exists()


def test_grant_lets_city_staff_read_names_and_logs_the_list(household, city_staff_named):
    assert has_perm(city_staff_named, Action.VIEW_NAMED_LISTS, household.unit)
    assert has_perm(city_staff_named, Action.EXPORT_HOUSEHOLDS, household.unit)
    assert not has_perm(city_staff_named, Action.EDIT_HOUSEHOLDS, household.unit)
    client = logged_in(city_staff_named)
    assert client.get(household.get_absolute_url()).status_code == 200
    client.get(reverse("households:household_list"))
    kinds = list(AccessLog.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == [AccessKind.VIEW_HOUSEHOLD, AccessKind.VIEW_NAMED_LIST]


def test_ward_list_views_are_not_logged(household, halong_officer):
    logged_in(halong_officer).get(reverse("households:household_list"))
    assert not AccessLog.objects.exists()


def test_member_reads_names_only_of_assigned_households(household, halong_member):
    assert unit_ids_with(halong_member, Action.VIEW_NAMED_LISTS) == unit_ids_with(
        halong_member, Action.VIEW_ASSIGNED_HOUSEHOLDS
    )
    client = logged_in(halong_member)
    assert client.get(household.get_absolute_url()).status_code == 404
    household.assigned_to = halong_member
    household.save()
    assert client.get(household.get_absolute_url()).status_code == 200


def test_membership_form_cannot_give_names_only_withdraw_them(city, city_head, city_staff):
    membership = Membership.objects.get(user=city_staff)
    url = reverse("communes:membership_edit", args=[membership.pk])
    data = {"role": Role.CITY_STAFF, "position": "", "may_view_named_lists": "on"}
    client = logged_in(city_head)
    assert "may_view_named_lists" not in client.get(url).context["form"].fields
    assert client.post(url, data).status_code == 302
    assert not Membership.objects.get(pk=membership.pk).may_view_named_lists

    Membership.objects.filter(pk=membership.pk).update(may_view_named_lists=True)
    assert client.post(url, {"role": Role.CITY_STAFF, "position": ""}).status_code == 302
    membership.refresh_from_db()
    assert not membership.may_view_named_lists
    assert membership.history.latest().history_user == city_head
    entry = AccessLog.objects.get(kind=AccessKind.NAMES_GRANT)
    assert entry.detail["event"] == "withdrawn" and entry.user == city_head


def test_ward_committee_form_has_no_grant(units, halong_head, halong_officer):
    membership = Membership.objects.get(user=halong_officer)
    url = reverse("communes:membership_edit", args=[membership.pk])
    form = logged_in(halong_head).get(url).context["form"]
    assert "may_view_named_lists" not in form.fields


def test_grant_is_dropped_for_roles_that_cannot_carry_it(units, halong_head, halong_officer):
    membership = Membership.objects.get(user=halong_officer)
    Membership.objects.filter(pk=membership.pk).update(may_view_named_lists=True)
    membership.refresh_from_db()
    membership_change(
        actor=halong_head,
        membership=membership,
        role=Role.MEMBER,
        position="",
        may_view_named_lists=True,
    )
    assert not Membership.objects.get(pk=membership.pk).may_view_named_lists


# --- The access log page --------------------------------------------------------------


def test_access_log_shows_own_ward_entries_to_the_head_only(
    household, halong_head, halong_officer, baichay_officer, make_member
):
    logged_in(halong_officer).get(household.get_absolute_url())
    other = HouseholdFactory(unit=unit("6673"), code="BC-LOG")
    logged_in(baichay_officer).get(other.get_absolute_url())
    url = reverse("communes:access_log")
    response = logged_in(halong_head).get(url)
    entries = list(response.context["page_obj"])
    assert [e.label for e in entries] == ["HL-AUDIT"]
    assert "BC-LOG" not in response.content.decode()
    assert logged_in(halong_officer).get(url).status_code == 403


def test_access_log_filters_by_kind_and_user(household, halong_head, halong_officer):
    client = logged_in(halong_officer)
    client.get(household.get_absolute_url())
    client.post(reverse("households:member_citizen_id", args=[household.head_id]))
    url = reverse("communes:access_log")
    head = logged_in(halong_head)
    response = head.get(url, {"kind": AccessKind.REVEAL_CITIZEN_ID})
    assert [e.kind for e in response.context["page_obj"]] == [AccessKind.REVEAL_CITIZEN_ID]
    response = head.get(url, {"user": halong_head.username})
    assert list(response.context["page_obj"]) == []


def test_household_page_links_heads_to_its_access_log(household, halong_head, halong_officer):
    logged_in(halong_officer).get(household.get_absolute_url())
    other = HouseholdFactory(unit=unit("6688"), code="HL-OTHER")
    logged_in(halong_officer).get(other.get_absolute_url())
    page = logged_in(halong_head).get(household.get_absolute_url())
    link = f"{reverse('communes:access_log')}?unit={household.unit_id}&amp;household=HL-AUDIT"
    assert link in page.content.decode()
    response = logged_in(halong_head).get(link.replace("&amp;", "&"))
    assert [(e.label, e.user) for e in response.context["page_obj"]] == [
        ("HL-AUDIT", halong_head),
        ("HL-AUDIT", halong_officer),
    ]
    assert (
        reverse("communes:access_log")
        not in logged_in(halong_officer).get(household.get_absolute_url()).content.decode()
    )


def test_access_log_page_is_read_only(household, halong_head):
    url = reverse("communes:access_log")
    assert logged_in(halong_head).post(url).status_code == 405
    entry = AccessLog.objects.create(kind=AccessKind.EXPORT, label="x")
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AccessLog.objects.all().delete()


def test_city_head_reads_the_access_log_city_staff_does_not(household, city_head, city_staff):
    url = reverse("communes:access_log")
    assert logged_in(city_head).get(url).status_code == 200
    assert logged_in(city_staff).get(url).status_code == 403


# --- History --------------------------------------------------------------------------


def test_household_page_shows_member_changes_with_masked_ids(household, halong_officer):
    member = MemberFactory(household=household, full_name="Đào Văn Cam", birth_year=2010)
    household_services.member_update(
        actor=halong_officer, member=member, full_name="Đào Văn Cam Mới"
    )
    household_services.member_update(
        actor=halong_officer, member=household.head, citizen_id="022185005678"
    )
    client = logged_in(halong_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        page = client.get(household.get_absolute_url()).content.decode()
    assert "Change history" in page
    assert "Đào Văn Cam</del> → Đào Văn Cam Mới" in page
    assert "••••••••1234</del> → ••••••••5678" in page
    assert "022185005678" not in page and CITIZEN_ID not in page

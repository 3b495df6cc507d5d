"""Register pages: scoping (404), permissions (403), search, filters, forms, query counts."""

import datetime
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from households.models import AssessmentStatus, Household, Member, PovertyStatus, Relation, Sex
from tests.conftest import legacy, unit
from tests.factories import AssessmentFactory, HouseholdFactory, MemberFactory, VillageFactory

pytestmark = pytest.mark.django_db

DUC_ID = "022085001234"


@pytest.fixture
def client(client):
    """The test client, speaking English (the site defaults to Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer_client(client, halong_officer):
    client.force_login(halong_officer)
    return client


def listed_codes(response) -> list[str]:
    return [h.code for h in response.context["page_obj"]]


def list_url(**params) -> str:
    return reverse("households:household_list") + ("?" + urlencode(params) if params else "")


def detail_url(household) -> str:
    return reverse("households:household_detail", args=[household.pk])


def household_post(household, **overrides) -> dict:
    data = {
        "village": household.village_id or "",
        "code": household.code,
        "address": household.address,
        "phone": household.phone,
        "notes": household.notes,
        "version": household.version,
    }
    return data | overrides


# --- list: scope ------------------------------------------------------------------


def test_list_never_shows_other_ward_when_ward_officer(officer_client):
    HouseholdFactory(unit=unit("6688"), code="HL-1")
    HouseholdFactory(unit=unit("6673"), code="BC-1")
    response = officer_client.get(list_url())
    assert listed_codes(response) == ["HL-1"]
    assert "BC-1" not in response.content.decode()


def test_detail_is_404_when_household_of_other_ward(officer_client):
    other = HouseholdFactory(unit=unit("6673"))
    assert officer_client.get(detail_url(other)).status_code == 404


def test_list_and_detail_show_household_of_predecessor_ward(officer_client):
    old = HouseholdFactory(unit=legacy("6697"), code="HH-7")
    assert listed_codes(officer_client.get(list_url())) == ["HH-7"]
    response = officer_client.get(detail_url(old))
    assert response.status_code == 200
    assert response.context["household"] == old


def test_list_shows_only_assigned_households_when_committee_member(client, halong_member):
    HouseholdFactory(unit=unit("6688"), code="HL-1", assigned_to=halong_member)
    other = HouseholdFactory(unit=unit("6688"), code="HL-2")
    client.force_login(halong_member)
    assert listed_codes(client.get(list_url())) == ["HL-1"]
    assert client.get(detail_url(other)).status_code == 404


# --- list: search and filters -------------------------------------------------------


@pytest.fixture
def duc(units):
    household = HouseholdFactory(
        unit=unit("6688"), code="HL-1", head__full_name="Nguyễn Văn Đức", head__citizen_id=DUC_ID
    )
    HouseholdFactory(unit=unit("6688"), code="HL-2", head__full_name="Trần Thị Hoa")
    return household


@pytest.mark.parametrize(
    "q", ["nguyen van duc", "Nguyễn Văn Đức", "Đức", "NGUYEN VAN ĐUC", DUC_ID, "hl-1"]
)
def test_search_finds_head_ignoring_diacritics_and_case(officer_client, duc, q):
    assert listed_codes(officer_client.get(list_url(q=q))) == ["HL-1"]


def test_search_finds_nothing_when_no_name_matches(officer_client, duc):
    response = officer_client.get(list_url(q="Phạm"))
    assert listed_codes(response) == []
    assert "No household matches these filters." in response.content.decode()


def recognise(household, status, year=2025):
    return AssessmentFactory(
        household=household,
        year=year,
        round__year=year,
        status=AssessmentStatus.RECOGNISED,
        national_status=status,
        recorded_status=status,
    )


def test_list_shows_latest_recognised_status_and_filters_by_it(officer_client):
    poor = HouseholdFactory(unit=unit("6688"), code="HL-1")
    recognise(poor, PovertyStatus.NEAR_POOR, 2024)
    recognise(poor, PovertyStatus.POOR, 2025)
    near = HouseholdFactory(unit=unit("6688"), code="HL-2")
    recognise(near, PovertyStatus.NEAR_POOR, 2025)
    HouseholdFactory(unit=unit("6688"), code="HL-3")
    response = officer_client.get(list_url())
    rows = {h.code: (h.recorded_status, h.status_year) for h in response.context["page_obj"]}
    assert rows == {"HL-1": ("poor", 2025), "HL-2": ("near_poor", 2025), "HL-3": (None, None)}
    assert listed_codes(officer_client.get(list_url(status="poor"))) == ["HL-1"]
    assert listed_codes(officer_client.get(list_url(status="near_poor", year=2024))) == ["HL-1"]
    assert listed_codes(officer_client.get(list_url(year=2024))) == ["HL-1"]


def test_list_ignores_assessments_not_yet_recognised(officer_client):
    household = HouseholdFactory(unit=unit("6688"), code="HL-1")
    AssessmentFactory(household=household, status=AssessmentStatus.AGREED, recorded_status="poor")
    assert listed_codes(officer_client.get(list_url(status="poor"))) == []


def test_list_filters_by_flags_village_and_unit(officer_client):
    ward = unit("6688")
    village = VillageFactory(parent=ward)
    HouseholdFactory(unit=ward, code="HL-1", is_ethnic_minority=True, village=village)
    HouseholdFactory(unit=ward, code="HL-2", head__sex=Sex.FEMALE, no_working_capacity=True)
    HouseholdFactory(unit=ward, code="HL-3", has_revolutionary_merit=True)
    HouseholdFactory(unit=legacy("6697"), code="HH-1")
    assert listed_codes(officer_client.get(list_url(ethnic_minority="on"))) == ["HL-1"]
    assert listed_codes(officer_client.get(list_url(female_head="on"))) == ["HL-2"]
    assert listed_codes(officer_client.get(list_url(no_working_capacity="on"))) == ["HL-2"]
    assert listed_codes(officer_client.get(list_url(revolutionary_merit="on"))) == ["HL-3"]
    assert listed_codes(officer_client.get(list_url(village=village.pk))) == ["HL-1"]
    assert listed_codes(officer_client.get(list_url(unit=legacy("6697").pk))) == ["HH-1"]


def test_list_counts_current_members_and_masks_head_citizen_id(officer_client):
    household = HouseholdFactory(unit=unit("6688"), code="HL-1", head__citizen_id=DUC_ID)
    MemberFactory(household=household)
    MemberFactory(household=household, left_on=datetime.date(2025, 1, 1))
    response = officer_client.get(list_url())
    row = response.context["page_obj"][0]
    body = response.content.decode()
    assert row.member_count == 2
    assert "••••••••1234" in body and DUC_ID not in body


def test_list_paginates_25_per_page(officer_client):
    for n in range(27):
        HouseholdFactory(unit=unit("6688"), code=f"HL-{n:02d}")
    first = officer_client.get(list_url())
    second = officer_client.get(list_url(page=2))
    assert len(first.context["page_obj"]) == 25
    assert listed_codes(second) == ["HL-25", "HL-26"]


# --- detail ---------------------------------------------------------------------------------


def test_detail_shows_members_with_masked_id_and_insurance_badges(officer_client):
    household = HouseholdFactory(
        unit=unit("6688"), head__full_name="Nguyễn Văn Đức", head__citizen_id=DUC_ID
    )
    MemberFactory(
        household=household,
        full_name="Nguyễn Thị Mai",
        health_insurance_number="HN4220012345678",
        health_insurance_expiry=datetime.date(2020, 12, 31),
    )
    MemberFactory(
        household=household,
        full_name="Lê Văn Cũ",
        left_on=datetime.date(2024, 5, 2),
        left_reason="Died",
    )
    response = officer_client.get(detail_url(household))
    body = response.content.decode()
    assert [m.full_name for m in response.context["members"]] == [
        "Nguyễn Văn Đức",
        "Nguyễn Thị Mai",
    ]
    assert [m.full_name for m in response.context["former_members"]] == ["Lê Văn Cũ"]
    assert "••••••••1234" in body and DUC_ID not in body
    assert "Expired 31/12/2020" in body and "No card" in body
    assert "02/05/2024" in body
    assert reverse("households:household_edit", args=[household.pk]) in body


def test_detail_is_403_for_city_staff_without_the_names_grant(client, city_staff):
    household = HouseholdFactory(unit=unit("6688"))
    client.force_login(city_staff)
    assert client.get(detail_url(household)).status_code == 403
    assert client.get(reverse("households:household_list")).status_code == 403


def test_detail_hides_edit_buttons_when_user_may_only_read(client, city_staff_named):
    household = HouseholdFactory(unit=unit("6688"))
    client.force_login(city_staff_named)
    response = client.get(detail_url(household))
    assert response.status_code == 200
    assert response.context["can_edit"] is False
    assert (
        reverse("households:household_edit", args=[household.pk]) not in response.content.decode()
    )


# --- create / edit --------------------------------------------------------------------------


def test_create_redirects_to_detail_showing_the_head(officer_client):
    ward = unit("6688")
    village = VillageFactory(parent=ward)
    form_page = officer_client.get(reverse("households:household_create") + f"?unit={ward.pk}")
    assert form_page.context["form"]["unit"].value() == str(ward.pk)
    data = {
        "unit": ward.pk,
        "village": village.pk,
        "code": "HL-100",
        "address": "Số 3, tổ 5",
        "head_full_name": "Nguyễn Văn Đức",
        "head_sex": "male",
        "head_birth_year": "1985",
        "head_ethnicity": "Kinh",
        "head_citizen_id": "0220 8500 1234",
    }
    response = officer_client.post(reverse("households:household_create"), data, follow=True)
    household = Household.objects.get(code="HL-100")
    assert response.redirect_chain == [(detail_url(household), 302)]
    assert household.head.full_name == "Nguyễn Văn Đức"
    assert household.head.citizen_id == DUC_ID
    assert "Nguyễn Văn Đức" in response.content.decode()


def test_create_shows_citizen_id_error_on_head_field(officer_client):
    data = {
        "unit": unit("6688").pk,
        "code": "HL-100",
        "head_full_name": "Nguyễn Văn Đức",
        "head_sex": "male",
        "head_birth_year": "1990",
        "head_ethnicity": "Kinh",
        "head_citizen_id": DUC_ID,
    }
    response = officer_client.post(reverse("households:household_create"), data)
    assert response.status_code == 200
    assert "5th–6th digits (85)" in str(response.context["form"].errors["head_citizen_id"])
    assert not Household.objects.exists()


def test_create_is_403_when_user_may_not_create(client, city_staff):
    client.force_login(city_staff)
    assert client.get(reverse("households:household_create")).status_code == 403


def test_create_form_offers_only_current_units_where_user_may_create(officer_client):
    response = officer_client.get(reverse("households:household_create"))
    assert list(response.context["form"].fields["unit"].queryset) == [unit("6688")]


def test_edit_is_403_and_db_unchanged_when_city_staff(client, city_staff):
    household = HouseholdFactory(unit=unit("6688"), address="Old")
    client.force_login(city_staff)
    url = reverse("households:household_edit", args=[household.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, household_post(household, address="New")).status_code == 403
    household.refresh_from_db()
    assert (household.address, household.version) == ("Old", 1)


def test_edit_is_404_when_household_of_other_ward(officer_client):
    other = HouseholdFactory(unit=unit("6673"))
    url = reverse("households:household_edit", args=[other.pk])
    assert officer_client.post(url, household_post(other, address="X")).status_code == 404


def test_edit_saves_and_redirects(officer_client):
    household = HouseholdFactory(unit=unit("6688"), code="HL-1")
    url = reverse("households:household_edit", args=[household.pk])
    response = officer_client.post(
        url, household_post(household, address="Tổ 9", is_ethnic_minority="on")
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.address, household.is_ethnic_minority, household.version) == ("Tổ 9", True, 2)


def test_stale_edit_keeps_posted_values_and_shows_message(officer_client, halong_head):
    household = HouseholdFactory(unit=unit("6688"), code="HL-1", address="Original")
    url = reverse("households:household_edit", args=[household.pk])
    opened = household_post(household)
    officer_client.post(url, opened | {"address": "Changed by the officer"})
    response = officer_client.post(url, opened | {"address": "My late change"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="My late change"' in body
    assert "after you opened it" in body
    household.refresh_from_db()
    assert (household.address, household.version) == ("Changed by the officer", 2)


# --- members ------------------------------------------------------------------------------


def test_member_create_adds_member(officer_client):
    household = HouseholdFactory(unit=unit("6688"))
    data = {
        "full_name": "Trần Thị Lan",
        "sex": "female",
        "birth_year": "1987",
        "ethnicity": "Kinh",
        "relation": "spouse",
        "citizen_id": "022187004321",
    }
    response = officer_client.post(reverse("households:member_create", args=[household.pk]), data)
    assert response.status_code == 302
    lan = household.members.get(full_name="Trần Thị Lan")
    assert (lan.relation, lan.citizen_id) == (Relation.SPOUSE, "022187004321")
    household.refresh_from_db()
    assert "tran thi lan" in household.search_text


def test_member_edit_is_404_when_household_of_other_ward(officer_client):
    other = HouseholdFactory(unit=unit("6673"))
    url = reverse("households:member_edit", args=[other.head.pk])
    assert officer_client.get(url).status_code == 404


def test_member_leave_records_date_and_reason(officer_client):
    household = HouseholdFactory(unit=unit("6688"))
    child = MemberFactory(household=household)
    url = reverse("households:member_leave", args=[child.pk])
    response = officer_client.post(url, {"on": "2025-08-15", "reason": "Moved to Hà Nội"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.left_on, child.left_reason) == (datetime.date(2025, 8, 15), "Moved to Hà Nội")


def test_member_leave_refuses_head_with_message(officer_client):
    household = HouseholdFactory(unit=unit("6688"))
    url = reverse("households:member_leave", args=[household.head.pk])
    response = officer_client.post(url, {"on": "2025-08-15", "reason": "Died"})
    assert response.status_code == 200
    assert "make another member head first" in response.content.decode()
    household.head.refresh_from_db()
    assert household.head.left_on is None


def test_member_move_moves_to_household_chosen_by_code(officer_client):
    source = HouseholdFactory(unit=unit("6688"))
    target = HouseholdFactory(unit=unit("6688"), code="HL-2")
    child = MemberFactory(household=source, citizen_id="022205001234", birth_year=2005)
    url = reverse("households:member_move", args=[child.pk])
    data = {
        "unit": unit("6688").pk,
        "household_code": "hl-2",
        "relation": "grandchild",
        "on": "2025-08-01",
    }
    response = officer_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == detail_url(target)
    child.refresh_from_db()
    assert child.left_on == datetime.date(2025, 8, 1)
    moved = target.members.get(citizen_id="022205001234")
    assert (moved.relation, moved.left_on) == (Relation.GRANDCHILD, None)


def test_member_move_refuses_household_outside_editable_scope(officer_client):
    source = HouseholdFactory(unit=unit("6688"))
    HouseholdFactory(unit=unit("6673"), code="BC-1")
    child = MemberFactory(household=source)
    url = reverse("households:member_move", args=[child.pk])
    data = {
        "unit": unit("6673").pk,
        "household_code": "BC-1",
        "relation": "child",
        "on": "2025-08-01",
    }
    response = officer_client.post(url, data)
    assert response.status_code == 200
    child.refresh_from_db()
    assert child.left_on is None
    assert Member.objects.filter(household__code="BC-1").count() == 1


def test_set_head_needs_post_and_changes_head(officer_client):
    household = HouseholdFactory(unit=unit("6688"))
    spouse = MemberFactory(household=household, relation=Relation.SPOUSE)
    url = reverse("households:household_set_head", args=[spouse.pk])
    assert officer_client.get(url).status_code == 405
    household.refresh_from_db()
    assert household.head != spouse
    assert officer_client.post(url).status_code == 302
    household.refresh_from_db()
    assert household.head == spouse


def test_set_head_is_403_when_city_staff(client, city_staff):
    household = HouseholdFactory(unit=unit("6688"))
    head = household.head
    spouse = MemberFactory(household=household, relation=Relation.SPOUSE)
    client.force_login(city_staff)
    assert (
        client.post(reverse("households:household_set_head", args=[spouse.pk])).status_code == 403
    )
    household.refresh_from_db()
    assert household.head == head


# --- query counts ------------------------------------------------------------------------


def make_households(count: int) -> Household:
    ward = unit("6688")
    village = VillageFactory(parent=ward)
    for n in range(count):
        household = HouseholdFactory(unit=ward, village=village, code=f"HL-{n:03d}")
        MemberFactory(household=household)
        MemberFactory(household=household, left_on=datetime.date(2024, 1, 1))
        recognise(household, PovertyStatus.POOR)
    return household


#: Session, user, scope (memberships, successions, unit tree), then the page's own
#: reads. The same number at both sizes proves there is no N+1.
LIST_QUERIES = 17  # + the bell's unread reminders
#: The detail page includes the timeline (3), plans (2) and support (2) sections,
#: the household events and the moves between wards (2).
# + the access log entry and the change history (one query per model and related model).
DETAIL_QUERIES = (
    31  # + the bell's unread reminders; the follow-up section and the list-standard timeline
)


@pytest.mark.parametrize("size", [3, 12])
def test_list_query_count_does_not_grow_with_households(
    officer_client, django_assert_num_queries, size
):
    make_households(size)
    with django_assert_num_queries(LIST_QUERIES):
        response = officer_client.get(list_url(q="nguyen"))
    assert len(response.context["page_obj"]) == size


@pytest.mark.parametrize("size", [3, 12])
def test_detail_query_count_does_not_grow_with_members(
    officer_client, django_assert_num_queries, size
):
    household = make_households(1)
    for _ in range(size):
        MemberFactory(household=household)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = officer_client.get(detail_url(household))
    assert len(response.context["members"]) == size + 2

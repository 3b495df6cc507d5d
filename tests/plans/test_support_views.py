"""Support pages: scoping (404), permissions (403), the conflict form, totals, query counts."""

import datetime

import pytest
from django.conf import settings
from django.urls import reverse

from communes.models import Role
from communes.selectors import today
from plans.models import SupportRecord
from plans.support_selectors import named_support_for, support_for
from tests.conftest import REFORM, committee_of, unit
from tests.factories import (
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    MembershipFactory,
    PlanActionFactory,
    SupportRecordFactory,
    poor_since_2015,
    support_type,
)

pytestmark = pytest.mark.django_db

D = datetime.date
LIST_URL = reverse("plans:support_list")
#: The ledger opens on the current year; an empty year shows every year.
ALL_YEARS = {"year": ""}
REPORT_URL = reverse("plans:duplicate_report")


@pytest.fixture
def client(client):
    """The test client, speaking English (the site defaults to Vietnamese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def officer_client(client, halong_officer):
    client.force_login(halong_officer)
    return client


@pytest.fixture
def household(units):
    return poor_since_2015(HouseholdFactory(unit=unit("6688"), code="HL-1"))


def create_url(household) -> str:
    return reverse("plans:support_create", args=[household.pk])


def detail_url(record) -> str:
    return reverse("plans:support_detail", args=[record.pk])


def electricity_post(**overrides) -> dict:
    data = {
        "support_type": support_type("electricity").pk,
        "given_on": "2025-02-10",
        "funding_source": "national_programme",
        "provider": "UBND phường Hạ Long",
    }
    return data | overrides


# --- list --------------------------------------------------------------------------


def test_list_never_shows_other_ward_when_ward_officer(officer_client, household):
    mine = SupportRecordFactory(household=household)
    SupportRecordFactory(household=HouseholdFactory(unit=unit("6673")))
    response = officer_client.get(LIST_URL, ALL_YEARS)
    assert list(response.context["page_obj"]) == [mine]
    assert response.context["totals"]["count"] == 1


def test_list_forbidden_when_committee_member(client, halong_member, household):
    client.force_login(halong_member)
    assert client.get(LIST_URL).status_code == 403


def test_list_readable_when_city_staff_has_the_names_grant(client, city_staff_named, household):
    SupportRecordFactory(household=household)
    SupportRecordFactory(household=HouseholdFactory(unit=unit("6673")))
    client.force_login(city_staff_named)
    response = client.get(LIST_URL, ALL_YEARS)
    assert response.context["page_obj"].paginator.count == 2


def test_list_and_duplicates_are_403_for_city_staff_without_the_grant(client, city_staff):
    client.force_login(city_staff)
    assert client.get(LIST_URL).status_code == 403
    assert client.get(reverse("plans:duplicate_report")).status_code == 403


def test_list_shows_totals_in_vnd(officer_client, household):
    SupportRecordFactory(household=household, amount=1_500_000)
    response = officer_client.get(LIST_URL, ALL_YEARS)
    assert "1,500,000\u00a0₫" in response.content.decode()


def test_list_filters_by_type_source_year_and_code(officer_client, household):
    wanted = SupportRecordFactory(household=household, funding_source="charity")
    SupportRecordFactory(household=household, funding_source="city", given_on=D(2025, 5, 1))
    SupportRecordFactory(household=household, given_on=D(2024, 1, 1), funding_source="charity")
    SupportRecordFactory(household=HouseholdFactory(unit=household.unit), funding_source="charity")
    params = {
        "q": "hl-1",
        "year": 2025,
        "support_type": support_type("electricity").pk,
        "funding_source": "charity",
    }
    response = officer_client.get(LIST_URL, params)
    assert list(response.context["page_obj"]) == [wanted]
    assert response.context["totals"]["total"] == wanted.amount


LIST_QUERIES = 17  # + the bell's unread reminders


@pytest.mark.parametrize("size", [3, 15])
def test_list_query_count_does_not_grow_with_records(
    officer_client, django_assert_num_queries, household, size
):
    for day in range(size):
        SupportRecordFactory(
            household=HouseholdFactory(unit=household.unit),
            member=None,
            given_on=D(2025, 1, 1) + datetime.timedelta(days=day),
        )
    with django_assert_num_queries(LIST_QUERIES):
        response = officer_client.get(LIST_URL, ALL_YEARS)
    assert len(response.context["page_obj"]) == size


def test_list_opens_on_the_current_year(officer_client, household):
    this_year = SupportRecordFactory(household=household, given_on=today().replace(day=1))
    SupportRecordFactory(household=household, given_on=today().replace(year=today().year - 1))

    response = officer_client.get(LIST_URL)

    assert response.context["form"]["year"].value() == today().year
    assert list(response.context["page_obj"]) == [this_year]


# --- detail ------------------------------------------------------------------------


def test_detail_not_found_when_other_ward(officer_client, units):
    record = SupportRecordFactory(household=HouseholdFactory(unit=unit("6673")))
    assert officer_client.get(detail_url(record)).status_code == 404


def test_detail_shows_record(officer_client, household):
    record = SupportRecordFactory(household=household, provider="Quỹ Vì người nghèo")
    response = officer_client.get(detail_url(record))
    assert response.context["record"] == record
    assert "Quỹ Vì người nghèo" in response.content.decode()


def test_detail_is_404_for_committee_member_who_does_not_read_the_ledger(
    client, halong_member, household
):
    # Scope first: the ledger is outside a member's scope, so its rows are 404s.
    record = SupportRecordFactory(household=household)
    client.force_login(halong_member)
    assert client.get(detail_url(record)).status_code == 404


# --- create ------------------------------------------------------------------------


def test_create_saves_and_redirects_to_household(officer_client, household):
    response = officer_client.post(create_url(household), electricity_post())
    assert response.status_code == 302
    assert response.url == household.get_absolute_url()
    saved = SupportRecord.objects.get()
    # Q1 2025 at the tariff of 11/10/2024: 3 × 62.000 ₫.
    assert (saved.amount, saved.household) == (186_000, household)


def test_create_not_found_when_other_ward(officer_client, units):
    other = HouseholdFactory(unit=unit("6673"))
    assert officer_client.post(create_url(other), electricity_post()).status_code == 404
    assert not SupportRecord.objects.exists()


def test_create_forbidden_when_city_staff(client, city_staff, household):
    client.force_login(city_staff)
    assert client.post(create_url(household), electricity_post()).status_code == 403
    assert not SupportRecord.objects.exists()


def test_create_get_never_saves(officer_client, household):
    response = officer_client.get(create_url(household))
    assert response.status_code == 200
    assert not SupportRecord.objects.exists()


def test_create_prefills_action_and_type(officer_client, household):
    action = PlanActionFactory(
        plan=ExitPlanFactory(household=household), support_type=support_type("housing_repair")
    )
    response = officer_client.get(create_url(household), {"action": action.pk})
    form = response.context["form"]
    assert (form["action"].value(), form["support_type"].value()) == (
        action.pk,
        support_type("housing_repair").pk,
    )


def test_create_ignores_action_of_other_household(officer_client, household):
    foreign = PlanActionFactory(
        plan=ExitPlanFactory(household=HouseholdFactory(unit=household.unit))
    )
    response = officer_client.get(create_url(household), {"action": foreign.pk})
    assert response.context["form"]["action"].value() is None


def test_create_shows_conflict_box_when_same_quarter(officer_client, household):
    first = SupportRecordFactory(household=household, given_on=D(2025, 1, 5), provider="Điện lực")
    response = officer_client.post(create_url(household), electricity_post(funding_source="city"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.conflicts == [first]
    assert form.fields["conflict_reason"].required
    page = response.content.decode()
    assert "Possible duplicate" in page and "Điện lực" in page and "05/01/2025" in page
    assert 'name="provider" value="UBND phường Hạ Long"' in page
    assert SupportRecord.objects.count() == 1


def test_create_saves_conflict_with_reason(officer_client, household):
    SupportRecordFactory(household=household, given_on=D(2025, 1, 5))
    response = officer_client.post(
        create_url(household), electricity_post(conflict_reason="Bù tiền điện quý trước")
    )
    assert response.status_code == 302
    assert SupportRecord.objects.latest("pk").conflict_reason == "Bù tiền điện quý trước"


def test_create_refuses_exact_duplicate(officer_client, household):
    SupportRecordFactory(
        household=household,
        given_on=D(2025, 2, 10),
        provider="UBND phường Hạ Long",
        amount=186_000,
        period_start=D(2025, 1, 1),
        period_end=D(2025, 3, 31),
    )
    response = officer_client.post(create_url(household), electricity_post(conflict_reason="again"))
    assert response.status_code == 200
    assert "already in the ledger" in response.content.decode()
    assert SupportRecord.objects.count() == 1


def test_create_shows_member_error_when_personal_type(officer_client, household):
    MemberFactory(household=household)
    post = electricity_post(support_type=support_type("health_insurance").pk, amount=800_000)
    response = officer_client.post(create_url(household), post)
    assert response.context["form"].errors["member"]
    assert not SupportRecord.objects.exists()


# --- loan status ---------------------------------------------------------------------


def test_loan_status_post_updates(officer_client, household):
    loan = SupportRecordFactory(
        household=household,
        support_type=support_type("loan"),
        amount=50_000_000,
        loan_rate_pct=6.6,
        loan_term_months=36,
        loan_status="current",
    )
    url = reverse("plans:support_loan_status", args=[loan.pk])
    assert officer_client.post(url, {"loan_status": "overdue"}).status_code == 302
    loan.refresh_from_db()
    assert loan.loan_status == "overdue"


def test_loan_status_forbidden_when_city_staff(client, city_staff, household):
    loan = SupportRecordFactory(
        household=household, support_type=support_type("loan"), loan_status="current"
    )
    client.force_login(city_staff)
    url = reverse("plans:support_loan_status", args=[loan.pk])
    assert client.post(url, {"loan_status": "repaid"}).status_code == 403
    loan.refresh_from_db()
    assert loan.loan_status == "current"


# --- duplicate report ------------------------------------------------------------------


def test_report_lists_cross_source_pair(officer_client, household):
    SupportRecordFactory(household=household, given_on=D(2025, 1, 5))
    SupportRecordFactory(household=household, given_on=D(2025, 2, 5), funding_source="charity")
    response = officer_client.get(REPORT_URL, {"year": 2025})
    pairs = list(response.context["pairs"])
    assert len(pairs) == 1 and pairs[0].cross_source
    assert "two sources" in response.content.decode()


def test_report_forbidden_when_committee_member(client, halong_member):
    client.force_login(halong_member)
    assert client.get(REPORT_URL).status_code == 403


# --- household page section -------------------------------------------------------------


def render_section(user, household):
    from django.template import engines
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string(
        '{% include "plans/includes/_household_support.html" %}'
    )
    return template.render({"household": household}, request)


def test_household_section_lists_records_and_add_button(halong_officer, household):
    SupportRecordFactory(household=household, provider="Hội Chữ thập đỏ")
    html = render_section(halong_officer, household)
    assert "Hội Chữ thập đỏ" in html and create_url(household) in html


def test_household_section_without_add_button_when_city_staff(city_staff, household):
    SupportRecordFactory(household=household)
    html = render_section(city_staff, household)
    assert "support-heading" in html and create_url(household) not in html


def test_household_section_hidden_when_committee_member(halong_member, household):
    SupportRecordFactory(household=household)
    assert "support-heading" not in render_section(halong_member, household)


@pytest.mark.parametrize("size", [2, 10])
def test_household_section_query_count_constant(
    halong_officer, household, django_assert_num_queries, size
):
    for day in range(size):
        SupportRecordFactory(
            household=household, given_on=D(2024, 1, 1) + datetime.timedelta(days=day * 100)
        )
    render_section(halong_officer, household)  # warm the user's scope cache
    with django_assert_num_queries(2):
        html = render_section(halong_officer, household)
    assert html.count("<tr>") == size + 1


def test_ward_officer_also_on_city_staff_without_grant_reads_names_of_own_ward_only(
    units, city, make_member
):
    user = make_member(Role.WARD_OFFICER, unit("6688"))
    MembershipFactory(
        user=user, committee=committee_of(city), role=Role.CITY_STAFF, start_date=REFORM
    )
    own = SupportRecordFactory(household=HouseholdFactory(unit=unit("6688")))
    other = SupportRecordFactory(household=HouseholdFactory(unit=unit("6673")))
    assert set(support_for(user)) == {own, other}  # the ledger's scope (aggregates)
    assert list(named_support_for(user)) == [own]  # what named lists and reports show


def test_create_asks_a_reason_when_household_not_on_the_poor_list(officer_client, units):
    near_poor = HouseholdFactory(unit=unit("6688"), code="HL-NP")
    response = officer_client.post(create_url(near_poor), electricity_post())
    assert response.status_code == 200
    assert response.context["form"].shows_eligibility_reason
    assert 'name="eligibility_reason"' in response.content.decode()
    assert not SupportRecord.objects.exists()

    response = officer_client.post(
        create_url(near_poor), electricity_post(eligibility_reason="Hộ chính sách xã hội")
    )
    assert response.status_code == 302
    assert SupportRecord.objects.get().eligibility_reason == "Hộ chính sách xã hội"

"""The names check lives in the read layer: the scoped getters with ``named=True`` and
the named-list selectors answer 404 outside the scope, then 403 without names."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from households.selectors import (
    get_assessment_or_404,
    get_household_or_404,
    get_round_or_404,
    named_households_for,
)
from plans.plan_selectors import get_plan_or_404
from plans.support_selectors import named_ledger_for, possible_duplicates
from tests.conftest import unit
from tests.factories import AssessmentFactory, ExitPlanFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def halong_household(units):
    return HouseholdFactory(unit=unit("6688"))


@pytest.fixture
def baichay_household(units):
    return HouseholdFactory(unit=unit("6673"))


def test_city_staff_without_grant_see_a_household_but_not_by_name(city_staff, halong_household):
    assert get_household_or_404(city_staff, halong_household.pk) == halong_household
    with pytest.raises(PermissionDenied):
        get_household_or_404(city_staff, halong_household.pk, named=True)


def test_city_staff_with_grant_read_names(city_staff_named, halong_household):
    household = get_household_or_404(city_staff_named, halong_household.pk, named=True)

    assert household == halong_household
    assert list(named_households_for(city_staff_named)) == [halong_household]


def test_another_wards_household_is_a_404_before_any_names_check(halong_officer, baichay_household):
    with pytest.raises(Http404):
        get_household_or_404(halong_officer, baichay_household.pk, named=True)


def test_named_list_is_refused_to_a_user_without_names(city_staff, halong_household):
    with pytest.raises(PermissionDenied):
        named_households_for(city_staff)
    with pytest.raises(PermissionDenied):
        named_ledger_for(city_staff)
    with pytest.raises(PermissionDenied):
        possible_duplicates(city_staff)


def test_ward_officer_reads_names_of_their_own_ward_only(
    halong_officer, halong_household, baichay_household
):
    assert list(named_households_for(halong_officer)) == [halong_household]


def test_assessment_round_and_plan_getters_check_names(city_staff, halong_household):
    assessment = AssessmentFactory(household=halong_household, unit=halong_household.unit)
    plan = ExitPlanFactory(household=halong_household)

    for getter, pk in (
        (get_assessment_or_404, assessment.pk),
        (get_round_or_404, assessment.round_id),
        (get_plan_or_404, plan.pk),
    ):
        assert getter(city_staff, pk).pk == pk
        with pytest.raises(PermissionDenied):
            getter(city_staff, pk, named=True)

"""A form reports every mistake in one submit (issue 23 item 4)."""

import pytest
from django.conf import settings
from django.urls import reverse

from households.models import Household
from tests.conftest import unit
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def test_new_household_reports_the_code_the_birth_date_and_the_citizen_id_at_once(
    client, halong_officer
):
    HouseholdFactory(unit=unit("6688"), code="HL-9")
    client.force_login(halong_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = {
        "unit": unit("6688").pk,
        "code": "HL-9",  # taken
        "head_full_name": "Nguyễn Văn A",
        "head_sex": "male",
        "head_birth_year": "1980",
        "head_birth_date": "05/06/1979",  # not in the year of birth
        "head_ethnicity": "Kinh",
        "head_citizen_id": "02208000123",  # 11 digits
    }

    response = client.post(reverse("households:household_create"), data)

    errors = response.context["form"].errors
    assert {"code", "head_birth_date", "head_citizen_id"} <= set(errors), errors
    assert Household.objects.count() == 1


def test_an_eleven_digit_citizen_id_is_flagged_with_the_form_errors(client, halong_officer):
    client.force_login(halong_officer)
    data = {"unit": unit("6688").pk, "head_citizen_id": "022 080 00123"}

    errors = client.post(reverse("households:household_create"), data).context["form"].errors

    assert "head_citizen_id" in errors and "head_full_name" in errors


def test_dates_are_typed_and_shown_day_first(client, halong_officer):
    import datetime

    from communes.forms import DateInput

    html = DateInput().render("on", datetime.date(2026, 11, 20))
    assert 'type="text"' in html and 'value="20/11/2026"' in html
    assert 'placeholder="dd/mm/yyyy"' in html

"""A person logs in, finds their committee and manages it."""

import pytest

from communes.models import Membership, Role
from tests.conftest import committee_of, unit
from tests.factories import TEST_PASSWORD

from .conftest import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_officer_logs_in_and_sees_ward_and_role_in_vietnamese(page, halong_officer):
    login(page, halong_officer.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    body = page.locator("main").inner_text()
    assert "Phường Hạ Long" in body
    assert "Cán bộ giảm nghèo" in body
    assert page.locator("html").get_attribute("lang") == "vi"


def test_wrong_password_shows_error_and_stays_on_login(page, halong_officer):
    login(page, halong_officer.username, "wrong-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger, .invalid-feedback, .errorlist").count() >= 1


def test_head_adds_member_to_committee(page, halong_head):
    committee = committee_of(unit("6688"))
    login(page, halong_head.username, TEST_PASSWORD)
    page.wait_for_url("**/")
    page.goto(f"/committees/{committee.pk}/")
    page.click(f"a[href='/committees/{committee.pk}/members/new/']")
    page.fill("input[name=full_name]", "Ngô Thị Hoa")
    page.select_option("select[name=role]", Role.MEMBER)
    page.fill("input[name=start_date]", "2025-09-01")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/committees/{committee.pk}/")
    added = Membership.objects.get(user__last_name="Hoa")
    assert "Ngô Thị Hoa" in page.locator("main").inner_text()
    assert added.role == Role.MEMBER
    assert added.user.username in page.locator("main").inner_text()  # shown to hand over

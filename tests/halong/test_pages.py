"""Login, home page and navigation per role."""

import pytest
from django.urls import reverse
from django.utils import translation

from communes.templatetags.communes_format import pct, vnd
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def nav_labels(response) -> list[str]:
    items = [*response.context["nav"], *response.context["nav_more"]]
    return [str(item["label"]) for item in items]


def test_home_redirects_to_login_when_anonymous(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_vietnamese_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()
    assert "Đăng nhập" in response.content.decode()


def test_login_succeeds_when_password_right(client, halong_officer):
    response = client.post(
        reverse("login"), {"username": halong_officer.username, "password": "pw-for-tests-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_login_fails_with_message_when_password_wrong(client, halong_officer):
    response = client.post(
        reverse("login"), {"username": halong_officer.username, "password": "wrong"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_logout_requires_post_and_ends_session(client, halong_officer):
    client.force_login(halong_officer)
    response = client.post(reverse("logout"))
    assert response.status_code in (200, 302)
    assert client.get(reverse("home")).status_code == 302


def test_home_shows_committee_and_role_when_ward_officer(client, halong_officer):
    client.force_login(halong_officer)
    response = client.get(reverse("home"))
    body = response.content.decode()
    assert "Phường Hạ Long" in body
    assert [m.role for m in response.context["memberships"]] == ["ward_officer"]


def test_home_tells_user_without_membership_what_to_do(client, db):
    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.context["memberships"] == ()
    assert nav_labels(response) == [str(response.context["nav"][0]["label"])]


@pytest.mark.parametrize(
    "who, sees_units, sees_admin",
    [("halong_member", True, False), ("city_staff", True, False), ("halong_head", True, False)],
)
def test_navigation_shows_what_role_may_use(client, request, who, sees_units, sees_admin):
    client.force_login(request.getfixturevalue(who))
    context = client.get(reverse("home")).context
    urls = [item["url"] for item in [*context["nav"], *context["nav_more"]]]
    assert (reverse("communes:unit_list") in urls) is sees_units
    assert (reverse("admin:index") in urls) is sees_admin


def test_healthz_answers_without_login(client, db):
    response = client.get(reverse("healthz"))
    assert response.json() == {"status": "ok"}


def test_pages_send_content_security_policy(client, halong_officer):
    client.force_login(halong_officer)
    response = client.get(reverse("home"))
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_vnd_and_percent_format_vietnamese_style():
    with translation.override("vi"):
        assert vnd(1500000) == "1.500.000\u00a0₫"
        assert pct(1.1534) == "1,15\u00a0%"
    with translation.override("en"):
        assert vnd(1500000) == "1,500,000\u00a0₫"


def test_language_switch_works_before_login(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert '<html lang="en"' in client.get(reverse("login")).content.decode()


def test_pages_stay_vietnamese_when_browser_prefers_english(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="vi"' in response.content.decode()


@pytest.mark.parametrize(
    "who, expected",
    [
        ("halong_member", ["home", "households:household_list", "plans:my_cases"]),
        # City roles work with aggregates; named lists need the grant.
        ("city_staff", ["home"]),
        ("city_staff_named", ["home", "households:household_list", "plans:support_list"]),
    ],
)
def test_navigation_main_items_per_role(client, request, who, expected):
    client.force_login(request.getfixturevalue(who))
    context = client.get(reverse("home")).context
    assert [item["url"] for item in context["nav"]] == [reverse(name) for name in expected]


def test_navigation_links_head_to_own_wards_case_pages(client, halong_head):
    from tests.conftest import unit

    client.force_login(halong_head)
    more = [item["url"] for item in client.get(reverse("home")).context["nav_more"]]
    ward = unit("6688")
    assert reverse("plans:case_assign", args=[ward.pk]) in more
    assert reverse("plans:member_load", args=[ward.pk]) in more


def test_an_empty_choice_says_choose_not_dashes():
    """Selects' empty choice reads as Django's own ("- Chọn một mục -"), never dashes (issue 23)."""
    from django import forms
    from django.utils import translation

    from communes.models import AdministrativeUnit

    class Form(forms.Form):
        unit = forms.ModelChoiceField(queryset=AdministrativeUnit.objects.none(), required=False)
        pick = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)

    with translation.override("vi"):
        html = str(Form())
    assert "---------" not in html
    assert html.count("- Chọn một mục -") == 2

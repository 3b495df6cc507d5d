"""Access to names takes four eyes: a request, then another head or an administrator."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone, translation

from communes.models import AccessKind, AccessLog, GrantRequestStatus, Membership, Role
from communes.permissions import Action, has_perm
from communes.selectors import user_scope
from communes.services import membership_change, names_grant_decide, names_grant_request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _later(days=30):
    return timezone.localdate() + datetime.timedelta(days=days)


def _fresh(user):
    """The user without the scope cached by earlier checks."""
    user.__dict__.pop("_scope_cache", None)
    return user


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def second_city_head(city, make_member):
    return make_member(Role.CITY_HEAD, city, username="city.deputy")


def test_city_head_cannot_grant_themselves_names_on_the_form(city, city_head):
    own = Membership.objects.get(user=city_head)

    with pytest.raises(ValidationError):
        membership_change(
            actor=city_head,
            membership=own,
            role=Role.CITY_HEAD,
            position="",
            may_view_named_lists=True,
        )

    assert not Membership.objects.get(pk=own.pk).may_view_named_lists
    assert not has_perm(_fresh(city_head), Action.VIEW_NAMED_LISTS)


def test_city_head_cannot_approve_their_own_request(city, city_head):
    own = Membership.objects.get(user=city_head)
    grant_request = names_grant_request(
        actor=city_head, membership=own, reason="Kiểm tra danh sách", until=_later()
    )

    with pytest.raises(ValidationError):
        names_grant_decide(actor=city_head, grant_request=grant_request, approve=True)

    grant_request.refresh_from_db()
    assert grant_request.status == GrantRequestStatus.PENDING
    assert not Membership.objects.get(pk=own.pk).may_view_named_lists


def test_request_grants_nothing_until_an_administrator_approves(
    city, city_head, city_staff, admin_user
):
    membership = Membership.objects.get(user=city_staff)
    grant_request = names_grant_request(
        actor=city_head, membership=membership, reason="Báo cáo năm", until=_later(60)
    )
    assert not has_perm(_fresh(city_staff), Action.VIEW_NAMED_LISTS)

    names_grant_decide(actor=admin_user, grant_request=grant_request, approve=True, note="OK")

    membership.refresh_from_db()
    assert membership.may_view_named_lists and membership.names_grant_until == _later(60)
    assert has_perm(_fresh(city_staff), Action.EXPORT_HOUSEHOLDS)
    events = list(
        AccessLog.objects.filter(kind=AccessKind.NAMES_GRANT)
        .order_by("pk")
        .values_list("user__username", "detail__event")
    )
    assert events == [(city_head.username, "requested"), ("root", "approved")]
    assert membership.history.latest().history_user == admin_user


def test_another_city_head_approves_a_heads_own_request(city, city_head, second_city_head):
    own = Membership.objects.get(user=city_head)
    grant_request = names_grant_request(
        actor=city_head, membership=own, reason="Rà soát", until=_later()
    )

    names_grant_decide(actor=second_city_head, grant_request=grant_request, approve=True)

    assert has_perm(_fresh(city_head), Action.VIEW_NAMED_LISTS)


def test_the_grantee_cannot_approve_a_request_for_themselves(city, city_head, second_city_head):
    theirs = Membership.objects.get(user=second_city_head)
    grant_request = names_grant_request(
        actor=city_head, membership=theirs, reason="Rà soát", until=_later()
    )

    with pytest.raises(ValidationError):
        names_grant_decide(actor=second_city_head, grant_request=grant_request, approve=True)
    assert not Membership.objects.get(pk=theirs.pk).may_view_named_lists


def test_a_ward_head_may_neither_request_nor_decide(city, city_head, city_staff, halong_head):
    membership = Membership.objects.get(user=city_staff)
    with pytest.raises(PermissionDenied):
        names_grant_request(actor=halong_head, membership=membership, reason="x", until=_later())
    grant_request = names_grant_request(
        actor=city_head, membership=membership, reason="x", until=_later()
    )
    with pytest.raises(PermissionDenied):
        names_grant_decide(actor=halong_head, grant_request=grant_request, approve=True)


def test_a_refusal_gives_nothing_and_is_logged(city, city_head, city_staff, admin_user):
    membership = Membership.objects.get(user=city_staff)
    grant_request = names_grant_request(
        actor=city_head, membership=membership, reason="x", until=_later()
    )

    names_grant_decide(actor=admin_user, grant_request=grant_request, approve=False)

    assert not Membership.objects.get(pk=membership.pk).may_view_named_lists
    assert AccessLog.objects.filter(detail__event="refused").count() == 1
    with pytest.raises(ValidationError):
        names_grant_decide(actor=admin_user, grant_request=grant_request, approve=True)


def test_the_grant_ends_on_its_date(city, city_head, city_staff, admin_user):
    membership = Membership.objects.get(user=city_staff)
    grant_request = names_grant_request(
        actor=city_head, membership=membership, reason="x", until=_later(10)
    )
    names_grant_decide(actor=admin_user, grant_request=grant_request, approve=True)

    assert user_scope(_fresh(city_staff), _later(9)).granted_roles_by_unit
    assert not user_scope(_fresh(city_staff), _later(10)).granted_roles_by_unit
    Membership.objects.filter(pk=membership.pk).update(names_grant_until=timezone.localdate())
    assert not has_perm(_fresh(city_staff), Action.VIEW_NAMED_LISTS)


@pytest.mark.parametrize(
    ("days", "reason", "field"), [(0, "x", "until"), (400, "x", "until"), (30, " ", "reason")]
)
def test_a_request_needs_a_reason_and_an_end_within_a_year(
    city, city_head, city_staff, days, reason, field
):
    membership = Membership.objects.get(user=city_staff)
    with pytest.raises(ValidationError) as error:
        names_grant_request(
            actor=city_head, membership=membership, reason=reason, until=_later(days)
        )
    assert field in error.value.error_dict
    assert not membership.names_grant_requests.exists()


def test_the_database_refuses_a_decision_by_the_requester(city, city_head, city_staff):
    membership = Membership.objects.get(user=city_staff)
    grant_request = names_grant_request(
        actor=city_head, membership=membership, reason="x", until=_later()
    )
    grant_request.decided_by = city_head
    with pytest.raises(IntegrityError):
        grant_request.save()


# --- Pages ----------------------------------------------------------------------------


def test_pages_request_then_approve(client, city, city_head, city_staff, admin_user):
    membership = Membership.objects.get(user=city_staff)
    client.force_login(city_head)
    url = reverse("communes:names_grant_request", args=[membership.pk])
    assert client.get(url).status_code == 200
    data = {"reason": "Đối chiếu danh sách", "until": _later(20).isoformat()}
    assert client.post(url, data).status_code == 302
    grant_request = membership.names_grant_requests.get()

    decide_url = reverse("communes:names_grant_decide", args=[grant_request.pk])
    page = client.get(decide_url)
    assert page.status_code == 200 and not page.context["may_decide"]
    assert client.post(decide_url, {"decision": "approve"}).status_code == 403
    listing = client.get(reverse("communes:names_grant_list"))
    assert list(listing.context["page_obj"]) == [grant_request]

    client.force_login(admin_user)
    with translation.override("en"):
        answer = client.post(decide_url, {"decision": "approve", "note": "Đồng ý"})
    assert answer.status_code == 302
    membership.refresh_from_db()
    assert membership.may_view_named_lists and membership.names_grant_until == _later(20)


def test_ward_heads_have_no_names_grant_pages(client, units, halong_head, halong_officer):
    client.force_login(halong_head)
    officer = Membership.objects.get(user=halong_officer)

    assert client.get(reverse("communes:names_grant_list")).status_code == 403
    assert client.get(reverse("communes:names_grant_request", args=[officer.pk])).status_code == 403

"""Writes to units and committees. Each service checks the actor's right,
validates, writes in one transaction and leaves a history record."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import AccessKind, log_access
from .models import (
    CITY_ROLES,
    WARD_ROLES,
    AdministrativeUnit,
    GrantRequestStatus,
    Membership,
    NamesGrantRequest,
    SteeringCommittee,
    UnitKind,
)
from .permissions import (
    can_decide_names_grant,
    can_manage_committee,
    can_manage_villages,
    can_request_names_grant,
    may_grant_named_lists,
)
from .text import clean_name, fold

#: Words before a unit's own name ("Phường Hạ Long"), folded, left out of usernames.
UNIT_NAME_PREFIXES = ("phuong ", "xa ", "thi tran ", "thanh pho ", "dac khu ")
#: A names grant lasts at most this long; it is asked for again after that.
NAMES_GRANT_MAX_DAYS = 366


def with_actor(instance, actor):
    """Attribute the history record of the next save to ``actor``."""
    instance._history_user = actor
    return instance


# --- Villages ------------------------------------------------------------


def _next_village_code(ward: AdministrativeUnit) -> str:
    existing = set(ward.children.filter(kind=UnitKind.VILLAGE).values_list("code", flat=True))
    number = len(existing) + 1
    while f"{ward.code}.{number:02d}" in existing:
        number += 1
    return f"{ward.code}.{number:02d}"


@transaction.atomic
def village_create(*, actor, ward: AdministrativeUnit, name: str) -> AdministrativeUnit:
    """A village / residential group of ``ward``; it lives as long as the ward."""
    if not can_manage_villages(actor, ward):
        raise PermissionDenied
    name = name.strip()
    if ward.children.filter(kind=UnitKind.VILLAGE, name__iexact=name).exists():
        raise ValidationError({"name": _("This ward already has a village with this name.")})
    village = AdministrativeUnit(
        code=_next_village_code(ward),
        name=name,
        kind=UnitKind.VILLAGE,
        area=ward.area,
        parent=ward,
        valid_from=ward.valid_from,
        valid_to=ward.valid_to,
        is_local_code=True,
    )
    village.full_clean()
    with_actor(village, actor).save()
    return village


@transaction.atomic
def village_rename(*, actor, village: AdministrativeUnit, name: str) -> AdministrativeUnit:
    if not village.is_village or not can_manage_villages(actor, village.parent):
        raise PermissionDenied
    name = name.strip()
    clash = village.parent.children.filter(kind=UnitKind.VILLAGE, name__iexact=name)
    if clash.exclude(pk=village.pk).exists():
        raise ValidationError({"name": _("This ward already has a village with this name.")})
    village.name = name
    village.full_clean()
    with_actor(village, actor).save(update_fields=["name", "updated_at"])
    return village


# --- Committees ----------------------------------------------------------


def roles_allowed_in(committee: SteeringCommittee) -> tuple[str, ...]:
    """City committees hold city roles; ward committees hold ward roles."""
    return CITY_ROLES if committee.is_city_level else WARD_ROLES


def _check_role(committee: SteeringCommittee, role: str) -> None:
    if role not in roles_allowed_in(committee):
        raise ValidationError({"role": _("This role does not exist in this committee.")})


def _attachable_account(actor, committee: SteeringCommittee, username: str):
    """The account ``username`` if ``actor`` may attach it to ``committee``, else ``None``.

    A committee head attaches only an active account that holds no current or
    future membership of another committee and is no administrator: people
    who work elsewhere are added by an administrator. Every refusal looks the
    same as an unknown username, so the form tells nothing about other accounts.
    """
    user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
    if user is None or actor.is_superuser:
        return user
    if user.is_staff or user.is_superuser:
        return None
    today = timezone.localdate()
    elsewhere = (
        user.memberships.exclude(committee=committee)
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=today))
        .exists()
    )
    return None if elsewhere else user


def _new_username(committee: SteeringCommittee, full_name: str) -> str:
    """``<unit>.<given name>.<4 digits>``, e.g. ``halong.cuong.4821``: free, and chosen by
    the app, so creating an account never tells whether another one exists."""
    User = get_user_model()

    def slug(text: str) -> str:
        return "".join(c for c in fold(text) if c.isalnum())[:20] or "user"

    unit = fold(committee.unit.name)
    for kind in UNIT_NAME_PREFIXES:
        unit = unit.removeprefix(kind)
    base = f"{slug(unit)}.{slug(full_name.split()[-1])}"
    while True:
        username = f"{base}.{secrets.randbelow(10_000):04d}"
        if not User.objects.filter(username__iexact=username).exists():
            return username


@transaction.atomic
def membership_add(
    *,
    actor,
    committee: SteeringCommittee,
    username: str = "",
    full_name: str = "",
    role: str,
    position: str = "",
    start_date: datetime.date,
    may_view_named_lists: bool = False,
) -> tuple[Membership, str | None]:
    """Give a person a role in ``committee``.

    ``username`` attaches an existing account (see ``_attachable_account``).
    Without it a new account is created for ``full_name``, with a username
    the app chooses and a random temporary password, which is returned (else
    ``None``) so the head can hand it over; the new user changes it after
    logging in. Access to names is never given here: it needs a request and a
    second person's approval (``names_grant_request``).
    """
    if not can_manage_committee(actor, committee):
        raise PermissionDenied
    if may_view_named_lists:
        raise ValidationError({"may_view_named_lists": _grant_needs_request()})
    _check_role(committee, role)
    User = get_user_model()
    username = username.strip()
    full_name = clean_name(full_name)
    temporary_password = None
    if username:
        user = _attachable_account(actor, committee, username)
        if user is None:
            raise ValidationError(
                {
                    "username": _(
                        "No account that can be added here has this username. Leave the "
                        "username empty to create a new account; a person who already works "
                        "in another committee is added by an administrator."
                    )
                }
            )
    else:
        if not full_name:
            raise ValidationError({"full_name": _("Enter the full name of the new user.")})
        *first, last = full_name.split()
        user = User(
            username=_new_username(committee, full_name),
            first_name=" ".join(first),
            last_name=last,
        )
        temporary_password = secrets.token_urlsafe(9)
        user.set_password(temporary_password)
        user.full_clean()
        user.save()
    if committee.memberships.filter(user=user, end_date__isnull=True).exists():
        raise ValidationError(
            {"username": _("This user already has an open membership in this committee.")}
        )
    membership = Membership(
        user=user,
        committee=committee,
        role=role,
        position=position,
        start_date=start_date,
    )
    membership.full_clean()
    with_actor(membership, actor).save()
    return membership, temporary_password


@transaction.atomic
def membership_change(
    *,
    actor,
    membership: Membership,
    role: str,
    position: str,
    may_view_named_lists: bool | None = None,
) -> Membership:
    """Change role, position, and withdraw the named-lists grant.

    ``may_view_named_lists=None`` keeps the grant as it is, ``False`` withdraws
    it (one person suffices to take access away); giving it needs a request
    and an approval (``names_grant_request``). A role that cannot carry the
    grant always loses it. History records each change.
    """
    if not can_manage_committee(actor, membership.committee):
        raise PermissionDenied
    if membership.end_date is not None:
        raise ValidationError(_("An ended membership cannot be changed."))
    _check_role(membership.committee, role)
    if membership.user_id == actor.pk and role != membership.role:
        raise ValidationError(
            {"role": _("You cannot change your own role; ask another head or an administrator.")}
        )
    had_grant = membership.may_view_named_lists
    if may_view_named_lists is None:
        may_view_named_lists = had_grant
    if may_view_named_lists and not had_grant:
        raise ValidationError({"may_view_named_lists": _grant_needs_request()})
    membership.role = role
    membership.position = position
    membership.may_view_named_lists = may_view_named_lists and may_grant_named_lists(role)
    if not membership.may_view_named_lists:
        membership.names_grant_until = None
    membership.full_clean()
    with_actor(membership, actor).save(
        update_fields=[
            "role",
            "position",
            "may_view_named_lists",
            "names_grant_until",
            "updated_at",
        ]
    )
    if had_grant and not membership.may_view_named_lists:
        _log_grant(actor, membership, "withdrawn")
    return membership


# --- The names grant: four eyes ------------------------------------------


def _grant_needs_request() -> str:
    return _(
        "Access to names is given only on a request approved by another head or an "
        "administrator: use “Request access to names”."
    )


def _log_grant(actor, membership: Membership, event: str, request=None, **detail) -> None:
    log_access(
        request,
        AccessKind.NAMES_GRANT,
        user=actor,
        unit=membership.committee.unit,
        label=membership.user.username,
        event=event,
        membership=membership.pk,
        **detail,
    )


@transaction.atomic
def names_grant_request(
    *, actor, membership: Membership, reason: str, until: datetime.date, request=None
) -> NamesGrantRequest:
    """Ask that ``membership`` may open named lists until ``until`` (exclusive).

    Grants nothing by itself: another head of the committee or an
    administrator decides (``names_grant_decide``). Logged.
    """
    if not can_request_names_grant(actor, membership):
        raise PermissionDenied
    today = timezone.localdate()
    if membership.end_date is not None and membership.end_date <= today:
        raise ValidationError(_("This membership has ended."))
    reason = reason.strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why this person needs the names.")
    if until <= today:
        errors["until"] = _("The grant must end after today.")
    elif (until - today).days > NAMES_GRANT_MAX_DAYS:
        errors["until"] = _("A grant lasts at most one year: choose an earlier date.")
    if errors:
        raise ValidationError(errors)
    if membership.names_grant_requests.filter(status=GrantRequestStatus.PENDING).exists():
        raise ValidationError(_("A request for this person is already waiting for approval."))
    grant_request = NamesGrantRequest(
        membership=membership, reason=reason, until=until, requested_by=actor
    )
    with_actor(grant_request, actor).save()
    _log_grant(
        actor, membership, "requested", request, grant_request=grant_request.pk, until=str(until)
    )
    return grant_request


@transaction.atomic
def names_grant_decide(
    *, actor, grant_request: NamesGrantRequest, approve: bool, note: str = "", request=None
) -> NamesGrantRequest:
    """Approve or refuse a pending request; approval gives the grant until its date.

    The decider is neither the requester nor the grantee (``PermissionDenied``
    for others who may not decide). Logged.
    """
    grant_request = (
        NamesGrantRequest.objects.select_for_update()
        .select_related("membership__committee__unit", "membership__user")
        .get(pk=grant_request.pk)
    )
    membership = grant_request.membership
    if actor.pk in (grant_request.requested_by_id, membership.user_id):
        raise ValidationError(
            _(
                "You asked for this grant or would receive it: another head or an "
                "administrator must decide."
            )
        )
    if not can_decide_names_grant(actor, grant_request):
        raise PermissionDenied
    if not grant_request.is_pending:
        raise ValidationError(_("This request has already been decided."))
    today = timezone.localdate()
    if approve and (
        grant_request.until <= today
        or (membership.end_date is not None and membership.end_date <= today)
        or not may_grant_named_lists(membership.role)
    ):
        raise ValidationError(
            _("This request can no longer be approved (its date passed or the role changed).")
        )
    grant_request.status = GrantRequestStatus.APPROVED if approve else GrantRequestStatus.REFUSED
    grant_request.decided_by = actor
    grant_request.decided_at = timezone.now()
    grant_request.decision_note = note.strip()[:300]
    with_actor(grant_request, actor).save()
    if approve:
        membership.may_view_named_lists = True
        membership.names_grant_until = grant_request.until
        with_actor(membership, actor).save(
            update_fields=["may_view_named_lists", "names_grant_until", "updated_at"]
        )
    _log_grant(
        actor,
        membership,
        "approved" if approve else "refused",
        request,
        grant_request=grant_request.pk,
        requested_by=grant_request.requested_by.username,
        until=str(grant_request.until),
    )
    return grant_request


@transaction.atomic
def membership_end(*, actor, membership: Membership, end_date: datetime.date) -> Membership:
    """End a membership; ``end_date`` is the first day without the role."""
    if not can_manage_committee(actor, membership.committee):
        raise PermissionDenied
    if membership.end_date is not None:
        raise ValidationError(_("This membership has already ended."))
    if membership.user_id == actor.pk:
        raise ValidationError(
            _("You cannot end your own membership; ask another head or an administrator.")
        )
    if end_date <= membership.start_date:
        raise ValidationError(
            {
                "end_date": _("The end date must be after the start date (%(start)s).")
                % {"start": membership.start_date.strftime("%d/%m/%Y")}
            }
        )
    membership.end_date = end_date
    with_actor(membership, actor).save(update_fields=["end_date", "updated_at"])
    return membership

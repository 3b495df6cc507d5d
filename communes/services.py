"""Writes to units and committees. Each service checks the actor's right,
validates, writes in one transaction and leaves a history record."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import (
    CITY_ROLES,
    WARD_ROLES,
    AdministrativeUnit,
    Membership,
    SteeringCommittee,
    UnitKind,
)
from .permissions import can_manage_committee, can_manage_villages, may_grant_named_lists


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


@transaction.atomic
def membership_add(
    *,
    actor,
    committee: SteeringCommittee,
    username: str,
    full_name: str = "",
    role: str,
    position: str = "",
    start_date: datetime.date,
    may_view_named_lists: bool = False,
) -> tuple[Membership, str | None]:
    """Give ``username`` a role in ``committee``.

    When no account has that username, one is created with ``full_name`` and
    a random temporary password, which is returned (else ``None``) so the
    head can hand it over; the new user changes it after logging in.
    """
    if not can_manage_committee(actor, committee):
        raise PermissionDenied
    _check_role(committee, role)
    User = get_user_model()
    username = username.strip()
    user = User.objects.filter(username__iexact=username).first()
    temporary_password = None
    if user is None:
        if not full_name.strip():
            raise ValidationError({"full_name": _("Enter the full name of the new user.")})
        *first, last = full_name.split()
        user = User(username=username, first_name=" ".join(first), last_name=last)
        temporary_password = secrets.token_urlsafe(9)
        user.set_password(temporary_password)
        user.full_clean()
        user.save()
    elif not user.is_active:
        raise ValidationError({"username": _("This account is deactivated.")})
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
        may_view_named_lists=may_view_named_lists and may_grant_named_lists(role),
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
    """Change role, position and (for city roles) the named-lists grant.

    ``may_view_named_lists=None`` keeps the grant as it is; a role that
    cannot carry the grant always loses it. History records each change.
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
    if may_view_named_lists is None:
        may_view_named_lists = membership.may_view_named_lists
    membership.role = role
    membership.position = position
    membership.may_view_named_lists = may_view_named_lists and may_grant_named_lists(role)
    membership.full_clean()
    with_actor(membership, actor).save(
        update_fields=["role", "position", "may_view_named_lists", "updated_at"]
    )
    return membership


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

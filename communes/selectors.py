"""Scoped reads of units and committees.

``user_scope(user)`` is the one place that answers "which units may this
user see, and in which role". Every view that reads records of a unit goes
through it (directly or through ``permissions``).

A membership in the committee of unit U covers:

- U and everything below it (a ward's villages, a city's wards);
- every unit U succeeded, transitively (an officer of the new ward Hạ Long
  also sees the former wards Hồng Hà and Hồng Hải and their villages);
- every unit that a unit below U became (the city committee sees the new
  wards created from its former wards in the 2025 reform).

Successors of a ward's predecessors are *not* covered: the new ward Tuần
Châu took part of Hà Khẩu, whose other part went to Việt Hưng; Tuần Châu's
officers see Hà Khẩu's records, not Việt Hưng's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from .models import (
    AccessLog,
    AdministrativeUnit,
    Membership,
    Role,
    SteeringCommittee,
    UnitKind,
)
from .succession import SuccessionGraph


@dataclass(frozen=True)
class Scope:
    """What one user may see on one day."""

    unit_ids: frozenset[int]
    roles_by_unit: dict[int, frozenset[str]] = field(default_factory=dict)
    #: Roles held on a unit by memberships carrying the named-lists grant.
    granted_roles_by_unit: dict[int, frozenset[str]] = field(default_factory=dict)
    memberships: tuple[Membership, ...] = ()
    everything: bool = False

    def covers(self, unit_id: int | None) -> bool:
        return unit_id is not None and (self.everything or unit_id in self.unit_ids)

    def roles_for(self, unit_id: int) -> frozenset[str]:
        if self.everything:
            return frozenset({Role.CITY_HEAD})
        return self.roles_by_unit.get(unit_id, frozenset())

    @property
    def roles(self) -> frozenset[str]:
        if self.everything:
            return frozenset({Role.CITY_HEAD})
        return frozenset(m.role for m in self.memberships)

    def filter_units(self, queryset, field_name: str = "pk"):
        """Restrict ``queryset`` to rows whose ``field_name`` is a visible unit."""
        if self.everything:
            return queryset
        return queryset.filter(**{f"{field_name}__in": self.unit_ids})


def today() -> datetime.date:
    return timezone.localdate()


def _descendant_ids(root_ids: Iterable[int]) -> set[int]:
    """``root_ids`` and all units below them (one query per tree level)."""
    found = set(root_ids)
    frontier = set(found)
    while frontier:
        children = set(
            AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        frontier = children - found
        found |= frontier
    return found


def unit_scope_ids(unit_id: int, graph: SuccessionGraph | None = None) -> set[int]:
    """Units covered by a membership in the committee of ``unit_id`` (see module doc)."""
    graph = graph or SuccessionGraph.load()
    predecessors = graph.all_predecessors([unit_id])
    below = _descendant_ids([unit_id])
    became = graph.all_successors(below - {unit_id})
    return _descendant_ids({unit_id} | predecessors | below | became)


def user_scope(user, on: datetime.date | None = None) -> Scope:
    """The units ``user`` may see on ``on`` (default today), cached on the user."""
    day = on or today()
    cache = user.__dict__.setdefault("_scope_cache", {})
    if day in cache:
        return cache[day]
    if not user.is_authenticated or not user.is_active:
        scope = Scope(unit_ids=frozenset())
    elif user.is_superuser:
        scope = Scope(unit_ids=frozenset(), everything=True)
    else:
        memberships = tuple(
            Membership.objects.active_on(day)
            .filter(user=user)
            .select_related("committee__unit")
            .order_by("start_date", "pk")
        )
        graph = SuccessionGraph.load()
        roles: dict[int, set[str]] = {}
        granted: dict[int, set[str]] = {}
        for membership in memberships:
            for uid in unit_scope_ids(membership.committee.unit_id, graph):
                roles.setdefault(uid, set()).add(membership.role)
                if membership.has_names_grant(day):
                    granted.setdefault(uid, set()).add(membership.role)
        scope = Scope(
            unit_ids=frozenset(roles),
            roles_by_unit={uid: frozenset(r) for uid, r in roles.items()},
            granted_roles_by_unit={uid: frozenset(r) for uid, r in granted.items()},
            memberships=memberships,
        )
    cache[day] = scope
    return scope


def units_for(user, on: datetime.date | None = None):
    """Queryset of the units ``user`` may see."""
    return user_scope(user, on).filter_units(AdministrativeUnit.objects.all())


def grassroots_units_for(user, on: datetime.date | None = None):
    """Wards and communes ``user`` may see, current ones first."""
    return (
        units_for(user, on)
        .grassroots()
        .select_related("parent")
        .order_by(F("valid_to").desc(nulls_first=True), "name")
    )


def villages_of(ward: AdministrativeUnit):
    # Codes are numbered in creation order ("6688.02" before "6688.10"), which
    # keeps "Tổ dân phố 2" before "Tổ dân phố 10", unlike sorting by name.
    return ward.children.filter(kind=UnitKind.VILLAGE).order_by("code")


def committees_for(user, on: datetime.date | None = None):
    return (
        user_scope(user, on)
        .filter_units(SteeringCommittee.objects.all(), "unit")
        .select_related("unit")
        .order_by("unit__kind", "unit__name")
    )


def committee_members(committee: SteeringCommittee):
    """Memberships of ``committee``: open ones first, then by most recent end."""
    return committee.memberships.select_related("user").order_by(
        F("end_date").desc(nulls_first=True), "role", "user__username"
    )


def unit_successions(unit: AdministrativeUnit):
    """(predecessor links, successor links) of ``unit``."""
    before = unit.successions_in.select_related("predecessor").order_by("predecessor__name")
    after = unit.successions_out.select_related("successor").order_by("successor__name")
    return before, after


def resolve_unit_code(code: str, on: datetime.date) -> AdministrativeUnit | None:
    """The grassroots unit carrying GSO ``code`` on ``on`` (codes are reused)."""
    return AdministrativeUnit.objects.grassroots().valid_on(on).filter(code=code).first()


def access_log_for(unit_ids: frozenset[int] | None):
    """Access log entries about ``unit_ids`` (``None``: all, with entries of no unit).

    An entry is about a unit when it is the entry's unit or one of the units
    its rows belong to (an export of several wards is in each ward's log).
    """
    entries = AccessLog.objects.select_related("user", "unit").order_by("-at", "-pk")
    return entries if unit_ids is None else entries.filter(about_units(unit_ids))


def about_units(unit_ids) -> Q:
    """Entries whose unit, or one of whose rows' units, is in ``unit_ids``."""
    rows_in = AccessLog.units.through.objects.filter(
        accesslog_id=OuterRef("pk"), administrativeunit_id__in=unit_ids
    )
    return Q(unit_id__in=unit_ids) | Q(Exists(rows_in))

"""Reads of household events: timelines, members and unit on a past day, transfers."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with

from .models import EventKind, Household, HouseholdEvent, HouseholdTransfer, Member
from .selectors import households_for


def household_events(household: Household) -> list[HouseholdEvent]:
    """The household's timeline, newest first, with what each row names."""
    return list(
        household.events.select_related(
            "other_household", "member", "former_head", "from_unit", "to_unit", "recorded_by"
        ).order_by("-occurred_on", "-pk")
    )


def household_transfers(household: Household) -> list[HouseholdTransfer]:
    return list(
        household.transfers.select_related("from_unit", "to_unit", "proposed_by", "decided_by")
    )


def members_on(household: Household, day: datetime.date) -> list[Member]:
    """The members the household had on ``day`` (joined on or before, not yet left)."""
    return list(
        household.members.filter(
            Q(joined_on__isnull=True) | Q(joined_on__lte=day),
            Q(left_on__isnull=True) | Q(left_on__gt=day),
        ).order_by("birth_year", "pk")
    )


def unit_on(household: Household, day: datetime.date) -> AdministrativeUnit:
    """Where the household was registered on ``day``: the sending unit of the first
    move after ``day``, else its current unit (unit reforms aside)."""
    later = (
        household.events.filter(kind=EventKind.MOVED_WARD, occurred_on__gt=day)
        .select_related("from_unit")
        .order_by("occurred_on", "pk")
        .first()
    )
    return later.from_unit if later is not None else household.unit


def transfers_for(user) -> QuerySet[HouseholdTransfer]:
    """Moves the user may read by name: of the households they see, or into or out of
    their units."""
    units = unit_ids_with(user, Action.VIEW_HOUSEHOLDS)
    named = unit_ids_with(user, Action.VIEW_NAMED_LISTS)
    transfers = HouseholdTransfer.objects.select_related(
        "household__head", "household__unit", "from_unit", "to_unit", "proposed_by", "decided_by"
    )
    if units is None and named is None:
        return transfers
    own = Q(household__in=households_for(user))
    # The sending and receiving wards keep seeing the move after the decision.
    wards = Q(to_unit_id__in=units) | Q(from_unit_id__in=units) if units is not None else Q()
    if named is not None:
        own &= Q(household__unit_id__in=named)
        wards &= Q(to_unit_id__in=named) | Q(from_unit_id__in=named)
    return transfers.filter(own | wards)


def get_transfer_or_404(user, pk: int) -> HouseholdTransfer:
    transfer = transfers_for(user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer

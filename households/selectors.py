"""Scoped reads of households: the only way views read them."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from communes.models import AdministrativeUnit
from communes.permissions import Action, can_view_names, require, unit_ids_with
from communes.selectors import grassroots_units_for

from .models import (
    Assessment,
    Household,
    HouseholdYear,
    ReviewRound,
    VillageMeeting,
)
from .permissions import can_create_household_in


def households_for(user) -> QuerySet[Household]:
    """Households ``user`` may see: all of their units, or those assigned to them."""
    everything = unit_ids_with(user, Action.VIEW_HOUSEHOLDS)
    if everything is None:
        return Household.objects.all()
    assigned = unit_ids_with(user, Action.VIEW_ASSIGNED_HOUSEHOLDS)
    return Household.objects.filter(
        Q(unit_id__in=everything) | Q(unit_id__in=assigned, assigned_to=user)
    )


def named_households_for(user) -> QuerySet[Household]:
    """The households ``user`` sees *and* may read by name (city roles need the grant);
    ``PermissionDenied`` for a user who may read no names at all."""
    require(can_view_names(user))
    households = households_for(user)
    named = unit_ids_with(user, Action.VIEW_NAMED_LISTS)
    return households if named is None else households.filter(unit_id__in=named)


def get_household_or_404(user, pk: int, *, named: bool = False) -> Household:
    """The household ``pk`` in ``user``'s scope, else 404. ``named``: a read that shows
    its names (the page, its documents), so a visible household without the right to
    names is a 403 (``can_view_names``)."""
    household = (
        households_for(user)
        .select_related("unit", "village", "head", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise Http404
    if named:
        require(can_view_names(user, household.unit))
    return household


def assessments_for(user) -> QuerySet[Assessment]:
    return Assessment.objects.filter(household__in=households_for(user))


def get_assessment_or_404(user, pk: int, *, named: bool = False) -> Assessment:
    """As ``get_household_or_404``, for an assessment."""
    assessment = (
        assessments_for(user)
        .select_related("household__unit", "household__head", "round__standard", "unit")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404
    if named:
        require(can_view_names(user, assessment.household.unit))
    return assessment


def rounds_for(user) -> QuerySet[ReviewRound]:
    """Review rounds of the units whose households ``user`` sees in full."""
    units = unit_ids_with(user, Action.VIEW_HOUSEHOLDS)
    rounds = ReviewRound.objects.select_related("unit", "standard", "provincial_standard")
    return rounds if units is None else rounds.filter(unit_id__in=units)


def get_round_or_404(user, pk: int, *, named: bool = False) -> ReviewRound:
    """As ``get_household_or_404``, for a round (its pages list households by name)."""
    review_round = rounds_for(user).filter(pk=pk).first()
    if review_round is None:
        raise Http404
    if named:
        require(can_view_names(user, review_round.unit))
    return review_round


def get_meeting_or_404(user, pk: int) -> VillageMeeting:
    """A village meeting of a round ``user`` sees, else 404; its minutes name the
    households discussed, so a visible meeting without the right to names is a 403."""
    meeting = (
        VillageMeeting.objects.filter(round__in=rounds_for(user))
        .select_related("round__unit", "village")
        .filter(pk=pk)
        .first()
    )
    if meeting is None:
        raise Http404
    require(can_view_names(user, meeting.round.unit))
    return meeting


def household_list_rows(households: QuerySet[Household], year: int | None) -> QuerySet[Household]:
    """Head, unit, village, current member count and the latest decided status on the
    lists (of ``year`` when given; ``HouseholdYear``, the standard that makes the
    lists), all in one query."""
    decided = HouseholdYear.objects.filter(household=OuterRef("pk"), assessment__isnull=False)
    if year:
        decided = decided.filter(year=year)
    latest = decided.order_by("-year")
    return households.select_related("unit", "village", "head").annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True)),
        recorded_status=Subquery(latest.values("status")[:1]),
        status_year=Subquery(latest.values("year")[:1]),
    )


def creatable_units(user) -> QuerySet[AdministrativeUnit]:
    """Current wards and communes where ``user`` may add households."""
    units = grassroots_units_for(user).valid_on(timezone.localdate())
    return units.filter(pk__in=[u.pk for u in units if can_create_household_in(user, u)])


def editable_households(user) -> QuerySet[Household]:
    editable = unit_ids_with(user, Action.EDIT_HOUSEHOLDS)
    households = households_for(user)
    return households if editable is None else households.filter(unit_id__in=editable)


def citizen_id_conflicts_for(user):
    """Citizen ID conflicts about units where ``user`` resolves them (tried in or held in)."""
    from .models import CitizenIdConflict

    allowed = unit_ids_with(user, Action.RESOLVE_ID_CONFLICTS)
    conflicts = CitizenIdConflict.objects.select_related(
        "attempted_unit", "existing_unit", "attempted_by", "resolved_by"
    )
    if allowed is None:
        return conflicts
    return conflicts.filter(Q(attempted_unit_id__in=allowed) | Q(existing_unit_id__in=allowed))

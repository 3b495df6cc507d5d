"""Scoped reads of households: the only way views read them."""

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with
from communes.selectors import grassroots_units_for

from .models import Assessment, Household, HouseholdYear, ReviewRound
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


def get_household_or_404(user, pk: int) -> Household:
    household = (
        households_for(user)
        .select_related("unit", "village", "head", "assigned_to")
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise Http404
    return household


def assessments_for(user) -> QuerySet[Assessment]:
    return Assessment.objects.filter(household__in=households_for(user))


def get_assessment_or_404(user, pk: int) -> Assessment:
    assessment = (
        assessments_for(user)
        .select_related("household__unit", "household__head", "round__standard", "unit")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404
    return assessment


def rounds_for(user) -> QuerySet[ReviewRound]:
    """Review rounds of the units whose households ``user`` sees in full."""
    units = unit_ids_with(user, Action.VIEW_HOUSEHOLDS)
    rounds = ReviewRound.objects.select_related("unit", "standard", "provincial_standard")
    return rounds if units is None else rounds.filter(unit_id__in=units)


def get_round_or_404(user, pk: int) -> ReviewRound:
    review_round = rounds_for(user).filter(pk=pk).first()
    if review_round is None:
        raise Http404
    return review_round


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

"""Scoped reads of the support ledger: lists, totals, and the abuse reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404

from communes.permissions import Action, can_view_names, require, unit_ids_with
from households.models import Assessment, AssessmentStatus, Household, PovertyStatus
from households.selectors import households_for

from . import duplicates
from .models import DuplicateRule, SupportRecord

#: Statuses that qualify for the poverty-reduction support.
SUPPORTED_STATUSES = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)


def support_for(user) -> QuerySet[SupportRecord]:
    """Support records of the households ``user`` sees, in units where they read the ledger."""
    units = unit_ids_with(user, Action.VIEW_SUPPORT)
    if units is None:
        return SupportRecord.objects.all()
    return SupportRecord.objects.filter(
        household__unit_id__in=units, household__in=households_for(user)
    )


def named_support_for(user) -> QuerySet[SupportRecord]:
    """``support_for`` narrowed to units where ``user`` may also read names.

    Lists and reports that name households (the ledger, the duplicate report)
    use this: a user with a ward role and a city role without the names grant
    reads names of their ward only, not of the whole city.
    """
    records = support_for(user)
    named = unit_ids_with(user, Action.VIEW_NAMED_LISTS)
    return records if named is None else records.filter(household__unit_id__in=named)


def named_ledger_for(user) -> QuerySet[SupportRecord]:
    """The ledger as a named list: ``named_support_for``, and ``PermissionDenied`` for
    a user who may read no names at all (city roles without the grant)."""
    require(can_view_names(user))
    return named_support_for(user)


def with_list_columns(records: QuerySet[SupportRecord]) -> QuerySet[SupportRecord]:
    return records.select_related("household__unit", "household__head", "member", "support_type")


def get_support_or_404(user, pk: int, *, named: bool = False) -> SupportRecord:
    """The record ``pk`` in scope, else 404; ``named``: 403 without the right to names."""
    record = (
        with_list_columns(support_for(user))
        .select_related("action__plan", "created_by", "support_programme")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise Http404
    if named:
        require(can_view_names(user, record.household.unit))
    return record


def _sum_amount():
    return Coalesce(Sum("amount"), Value(0), output_field=IntegerField())


def support_totals(records: QuerySet[SupportRecord]) -> dict:
    """Count and VND of ``records``: overall, by support type and by funding source.

    Three grouped queries, whatever the number of records.
    """
    plain = records.order_by()
    by_type = list(
        plain.values("support_type__pk", "support_type__name")
        .annotate(count=Count("pk"), total=_sum_amount())
        .order_by("support_type__order", "support_type__pk")
    )
    by_source = plain.values("funding_source").annotate(count=Count("pk"), total=_sum_amount())
    labels = dict(SupportRecord._meta.get_field("funding_source").choices)
    sources = [
        {**row, "label": labels.get(row["funding_source"], row["funding_source"])}
        for row in by_source.order_by("funding_source")
    ]
    overall = plain.aggregate(count=Count("pk"), total=_sum_amount())
    return {"by_type": by_type, "by_source": sources, **overall}


@dataclass
class HouseholdSupport:
    records: list[SupportRecord] = field(default_factory=list)
    count: int = 0
    total: int = 0


#: How many of a household's records its page lists; the ledger has the rest.
HOUSEHOLD_PAGE_RECORDS = 20


def household_support(
    household: Household, limit: int = HOUSEHOLD_PAGE_RECORDS
) -> HouseholdSupport:
    """The household's latest ``limit`` records and the totals of all (two queries)."""
    records = with_list_columns(SupportRecord.objects.filter(household=household)).order_by(
        "-given_on", "-pk"
    )
    totals = records.order_by().aggregate(count=Count("pk"), total=_sum_amount())
    return HouseholdSupport(
        records=list(records[:limit]), count=totals["count"], total=totals["total"]
    )


# --- Reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicatePair:
    earlier: SupportRecord
    later: SupportRecord
    rule: DuplicateRule

    @property
    def cross_source(self) -> bool:
        return self.earlier.funding_source != self.later.funding_source


#: What the duplicate rules compare (see ``duplicates``).
COMPARED_FIELDS = (
    "id",
    "household_id",
    "member_id",
    "support_type_id",
    "given_on",
    "period_start",
    "period_end",
    "loan_term_months",
    "support_programme_id",
)


def possible_duplicates(user, year: int | None = None) -> list[DuplicatePair]:
    """Pairs of records in ``user``'s scope that break a duplicate rule.

    With ``year``, the pairs whose later record was given that year. Two
    queries: the active rules, then the candidate records ordered by
    household and type; each household's records of one type are compared
    in Python (``duplicates.conflicting_pairs``).
    """
    require(can_view_names(user))  # the report names households
    rules = {
        rule.support_type_id: rule
        for rule in DuplicateRule.objects.filter(active=True).select_related("support_type")
    }
    if not rules:
        return []
    # Compare slim rows (no joins), then load the full rows of the pairs found:
    # a city-wide ledger holds tens of thousands of records.
    records = (
        named_support_for(user)
        .filter(support_type_id__in=rules)
        .only(*COMPARED_FIELDS)
        .order_by("household_id", "support_type_id", "given_on", "pk")
    )
    if year is not None:
        records = records.filter(given_on__year__lte=year)
    found = []
    for (_household, type_id), group in groupby(
        records.iterator(chunk_size=5000), key=lambda r: (r.household_id, r.support_type_id)
    ):
        for earlier, later in duplicates.conflicting_pairs(list(group), rules[type_id]):
            if year is None or later.given_on.year == year:
                found.append((earlier.pk, later.pk, rules[type_id]))
    full = with_list_columns(SupportRecord.objects.all()).in_bulk(
        {pk for earlier, later, _rule in found for pk in (earlier, later)}
    )
    pairs = [
        DuplicatePair(earlier=full[earlier], later=full[later], rule=rule)
        for earlier, later, rule in found
    ]
    pairs.sort(key=lambda p: (-p.later.given_on.toordinal(), p.later.household.code))
    return pairs


def support_while_not_poor(user, year: int | None = None) -> QuerySet[SupportRecord]:
    """Records given while the household's list in force was neither poor nor near-poor.

    The list in force on a day is the household's latest recognised decision
    taken on or before that day (a review's result applies from its decision,
    usually in December, until the next one); an assessment without a
    decision date counts from the end of its year. Households with no
    recognised decision before the support are left out.
    """
    in_force = (
        Assessment.objects.filter(
            Q(decision_date__lte=OuterRef("given_on"))
            | Q(decision_date__isnull=True, year__lt=ExtractYear(OuterRef("given_on"))),
            household=OuterRef("household_id"),
            status=AssessmentStatus.RECOGNISED,
        )
        .exclude(recorded_status="")
        .order_by("-year", "-decision_date", "-pk")
    )
    records = with_list_columns(named_ledger_for(user)).annotate(
        status_then=Subquery(in_force.values("recorded_status")[:1]),
        status_year=Subquery(in_force.values("year")[:1]),
    )
    if year is not None:
        records = records.filter(given_on__year=year)
    return (
        records.filter(status_then__isnull=False)
        .exclude(status_then__in=SUPPORTED_STATUSES)
        .order_by("-given_on", "-pk")
    )

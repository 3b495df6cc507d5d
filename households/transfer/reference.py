"""Reference data an import checks its rows against, loaded in a few queries."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.succession import SuccessionGraph
from communes.text import fold

from ..models import (
    Assessment,
    AssessmentCause,
    Household,
    Indicator,
    Member,
    PovertyStandard,
    ReviewKind,
    ReviewRound,
    StandardLevel,
)
from ..models.standards import latest_in_force
from .columns import header_key
from .plans import Row


class ReferenceData:
    """Loads units, standards and the existing register (a mixin of ``ImportPlanner``).

    Uses ``today``, ``unit_ids``, ``round_keys`` and ``cell_problem`` of the planner;
    sets the lookups the row mixins read (``existing``, ``standards``, ``rounds``, ...).
    """

    def load_indicator_names(self) -> dict[str, str]:
        names = {}
        for code, name in Indicator.objects.values_list("code", "name"):
            names[code] = code
            names[header_key(name)] = code
        return names

    def load_units(self, rows: list[Row]) -> None:
        codes = {row.values.get("unit_code") for row in rows} - {None, ""}
        self.units_by_code: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for unit in AdministrativeUnit.objects.grassroots().filter(code__in=codes):
            self.units_by_code[unit.code].append(unit)

    def resolve_unit(self, row: Row) -> AdministrativeUnit | None:
        code = row.values.get("unit_code")
        if not code:
            self.cell_problem(row, "unit_code", _("Enter the unit code."))
            return None
        candidates = self.units_by_code.get(code, [])
        if not candidates:
            self.cell_problem(row, "unit_code", _("Unknown unit code %(code)s.") % {"code": code})
            return None
        year = row.values.get("year")
        day = datetime.date(year, 12, 31) if year else self.today
        valid = [u for u in candidates if u.is_valid_on(day)]
        if not valid and year:
            start = datetime.date(year, 1, 1)
            valid = [
                u
                for u in candidates
                if (u.valid_from is None or u.valid_from <= day)
                and (u.valid_to is None or u.valid_to > start)
            ]
        if not valid:
            self.cell_problem(
                row,
                "unit_code",
                _("The unit with code %(code)s did not exist in %(year)s.")
                % {"code": code, "year": year or self.today.year},
            )
            return None
        unit = valid[-1]
        if self.unit_ids is not None and unit.pk not in self.unit_ids:
            self.cell_problem(
                row,
                "unit_code",
                _(
                    "This household belongs to %(unit)s, another ward than yours: "
                    "you may not import its households."
                )
                % {"unit": unit.name},
            )
            return None
        return unit

    def load_standards(self, years: set[int]) -> None:
        self.standards: dict[int, tuple[PovertyStandard | None, PovertyStandard | None]] = {}
        standards = list(PovertyStandard.objects.prefetch_related("indicators"))
        for year in years:
            # The periodic review of the file's year: the standards in force the next year.
            self.standards[year] = (
                latest_in_force(standards, year + 1, StandardLevel.NATIONAL),
                latest_in_force(standards, year + 1, StandardLevel.PROVINCIAL),
            )
        self.indicator_ids = {s.pk: {i.code: i.pk for i in s.indicators.all()} for s in standards}

    def load_existing(self, units: set[int]) -> None:
        self.succession = SuccessionGraph.load()
        reach = self.succession.lineage(units)
        self.existing: dict[tuple[int, str], Household] = {}
        for household in Household.objects.filter(unit_id__in=reach).order_by():
            self.existing[(household.unit_id, household.code.casefold())] = household
        self.current_members: dict[int, list[Member]] = defaultdict(list)
        for member in Member.objects.filter(
            household__unit_id__in=reach, left_on__isnull=True
        ).order_by("birth_year", "pk"):
            self.current_members[member.household_id].append(member)
        self.villages: dict[tuple[int, str], int] = {}
        for pk, parent_id, code, name in (
            AdministrativeUnit.objects.villages()
            .filter(parent_id__in=reach)
            .values_list("pk", "parent_id", "code", "name")
        ):
            self.villages[(parent_id, fold(name))] = pk
            self.villages[(parent_id, code.casefold())] = pk
        years = {y for (_unit, y) in self.round_keys}
        self.assessments_of: dict[tuple[int, int], list[Assessment]] = defaultdict(list)
        self.deprivations: dict[int, dict[int, int]] = defaultdict(dict)  # a → {indicator: id}
        self.causes: dict[int, list[tuple[str, bool]]] = defaultdict(list)
        self.rounds: dict[tuple[int, int], ReviewRound] = {}
        if not years:
            return
        scope = Q(household__unit_id__in=reach, year__in=years)
        for assessment in Assessment.objects.filter(scope).select_related("round").order_by():
            self.assessments_of[(assessment.household_id, assessment.year)].append(assessment)
        through = Assessment.deprivations.through
        for pk, assessment_id, indicator_id in through.objects.filter(
            assessment__household__unit_id__in=reach, assessment__year__in=years
        ).values_list("pk", "assessment_id", "indicator_id"):
            self.deprivations[assessment_id][indicator_id] = pk
        for assessment_id, code, primary in AssessmentCause.objects.filter(
            assessment__household__unit_id__in=reach, assessment__year__in=years
        ).values_list("assessment_id", "code", "is_primary"):
            self.causes[assessment_id].append((code, primary))
        for review_round in ReviewRound.objects.filter(
            unit_id__in=units, year__in=years, kind=ReviewKind.PERIODIC
        ):
            self.rounds[(review_round.unit_id, review_round.year)] = review_round

"""Rows of the households sheet: the household, its head and its review result."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.text import fold

from ..evaluation import (
    WHOLE_SURVEY,
    StandardTerms,
    SurveyEvidence,
    SurveyStandards,
    evaluate_survey,
)
from ..models import (
    Assessment,
    AssessmentStatus,
    Household,
    Member,
    Relation,
    ReviewKind,
    ReviewRound,
)
from .cells import MISSING
from .columns import pick_assessment
from .plans import DEFAULT_ETHNICITY, AssessmentPlan, HouseholdPlan, MemberPlan, Row


class HouseholdRows:
    """Plans households and assessments from their rows (a mixin of ``ImportPlanner``).

    Reads the lookups of ``ReferenceData``; adds to ``households``, ``assessments``,
    ``new_rounds`` and ``result``.
    """

    def find_household(self, unit: AdministrativeUnit, code: str) -> Household | None:
        for unit_id in self.succession.forward_order(unit.pk):
            household = self.existing.get((unit_id, code.casefold()))
            if household is not None:
                return household
        return None

    def household_plan(self, row: Row, unit: AdministrativeUnit) -> HouseholdPlan | None:
        code = row.values.get("household_code", "")
        if not code:
            self.cell_problem(row, "household_code", _("Enter the household code."))
            return None
        household = self.find_household(unit, code)
        if household is not None:
            if self.unit_ids is not None and household.unit_id not in self.unit_ids:
                self.cell_problem(
                    row,
                    "household_code",
                    _(
                        "Household %(code)s is now registered in another ward than yours: "
                        "you may not import it."
                    )
                    % {"code": code},
                )
                return None
            key = ("pk", household.pk)
        else:
            key = ("new", unit.pk, code.casefold())
        plan = self.households.get(key)
        if plan is None:
            if household is None:
                household = Household(unit=unit, code=code)
            current = self.current_members.get(household.pk, []) if household.pk else []
            plan = HouseholdPlan(
                household=household,
                is_new=household.pk is None,
                unit=unit,
                row=row,
                current=list(current),
                unmatched={m.pk: m for m in current if m.pk != household.head_id},
            )
            self.households[key] = plan
        return plan

    def apply_household_row(self, plan: HouseholdPlan, row: Row) -> None:
        """Household fields and head from ``row`` (the household's last row in the file)."""
        household, values = plan.household, row.values
        desired = {}
        if "village" in values:
            village = values["village"]
            if not village:
                desired["village_id"] = None
            else:
                village_id = self.villages.get((household.unit_id, fold(village))) or (
                    self.villages.get((household.unit_id, village.casefold()))
                )
                if village_id is None:
                    self.cell_problem(
                        row,
                        "village",
                        _("%(unit)s has no village or residential group “%(village)s”.")
                        % {"unit": plan.unit.name, "village": village},
                    )
                desired["village_id"] = village_id
        if "ethnic_minority" in values:
            desired["is_ethnic_minority"] = values["ethnic_minority"]
        plan.changed = any(getattr(household, k) != v for k, v in desired.items())
        for name, value in desired.items():
            setattr(household, name, value)
        # The head
        head_values = {}
        for source, target in (
            ("head_name", "full_name"),
            ("head_sex", "sex"),
            ("head_birth_year", "birth_year"),
        ):
            if values.get(source) not in (None, ""):
                head_values[target] = values[source]
        if "head_citizen_id" in values:
            head_values["citizen_id"] = values["head_citizen_id"]
        existing_head = next((m for m in plan.current if m.pk == household.head_id), None)
        if existing_head is not None:
            plan.head = MemberPlan(existing_head, is_new=False)
        elif head_values.get("full_name"):
            plan.head = MemberPlan(
                Member(relation=Relation.HEAD, ethnicity=DEFAULT_ETHNICITY), is_new=True
            )
        elif plan.is_new:
            self.cell_problem(row, "head_name", _("Enter the name of the head of household."))
            return
        if plan.head is not None:
            plan.head.head_values = head_values
            plan.head.head_row = row

    # --- assessments ----------------------------------------------------------------

    def assessment_row(self, plan: HouseholdPlan, row: Row, unit: AdministrativeUnit):
        values, year = row.values, row.values.get("year")
        national, provincial = self.standards.get(year, (None, None))
        if national is None:
            self.cell_problem(
                row, "year", _("No national poverty standard applies in %(year)s.") % {"year": year}
            )
            return
        catalogue = self.indicator_ids[national.pk]
        for code, flag in row.flags.items():
            if flag and code not in catalogue:
                row.failed = True
                self.problem(
                    row.sheet,
                    row.number,
                    row.sheet.indicators[code],
                    _("“%(code)s” is not an indicator of %(standard)s, the standard of %(year)s.")
                    % {"code": code, "standard": national.code, "year": year},
                )
        causes = values.get("causes", MISSING)
        primary = values.get("primary_cause", MISSING)
        if primary not in (MISSING, "") and causes is not MISSING and primary not in causes:
            causes = [primary, *causes]
        if row.failed:
            return
        household = plan.household
        existing = None
        if household.pk is not None:
            existing = pick_assessment(self.assessments_of.get((household.pk, year), []))
        old_deps = self.deprivations.get(existing.pk, {}) if existing else {}
        old_codes = {code for code, pk in catalogue.items() if pk in old_deps}
        # Deprivations: the flags of the file; indicators without a column keep their value.
        codes = {code for code in catalogue if row.flags.get(code, code in old_codes)}
        new_causes = None
        if causes is not MISSING:
            chosen_primary = primary if primary not in (MISSING, "") else None
            if chosen_primary is None and primary is MISSING and existing is not None:
                chosen_primary = next((c for c, p in self.causes.get(existing.pk, []) if p), None)
                chosen_primary = chosen_primary if chosen_primary in causes else None
            new_causes = sorted((code, code == chosen_primary) for code in causes)
        elif primary not in (MISSING, "") and existing is not None:
            old = [c for c, _p in self.causes.get(existing.pk, [])]
            new_causes = sorted((c, c == primary) for c in dict.fromkeys([primary, *old]))
        elif primary not in (MISSING, ""):
            new_causes = [(primary, True)]
        desired = {}
        for key in ("income_per_capita", "score_a"):
            if key in values:
                desired[key] = values[key]
        if values.get("members") is not None:
            desired["member_count"] = values["members"]
        status = values.get("status") or ""
        if existing is not None:
            same = (
                all(getattr(existing, k) == v for k, v in desired.items())
                and codes == old_codes
                and (new_causes is None or new_causes == sorted(self.causes.get(existing.pk, [])))
                and (not status or status == existing.recorded_status)
            )
            if same:
                self.result.assessments["unchanged"] += 1
                return
        income = desired.get("income_per_capita", existing.income_per_capita if existing else None)
        score_a = desired.get("score_a", existing.score_a if existing else None)
        if new_causes is not None:
            effective_causes = new_causes
        else:
            effective_causes = self.causes.get(existing.pk, []) if existing else []
        statuses, problems = evaluate_survey(
            SurveyEvidence(
                area=unit.area,
                income_per_capita=income,
                score_a=score_a,
                deprivation_codes=frozenset(codes),
                causes=tuple(code for code, _primary in effective_causes),
                primary_cause=next((code for code, primary in effective_causes if primary), None),
                member_count=desired.get("member_count"),
                decided_status=status,
            ),
            self.survey_standards(national, provincial),
        )
        for problem in problems:
            self.cell_problem(
                row, self.problem_column(row, problem.field), problem.message, warn=problem.warning
            )
        if row.failed:
            return
        if existing is None:
            review_round = self.rounds.get((unit.pk, year)) or self.new_rounds.get((unit.pk, year))
            if review_round is None:
                review_round = ReviewRound(
                    unit=unit,
                    year=year,
                    kind=ReviewKind.PERIODIC,
                    standard=national,
                    provincial_standard=provincial,
                    opened_on=datetime.date(year, 9, 1),
                )
                self.new_rounds[(unit.pk, year)] = review_round
            assessment = Assessment(round=review_round, unit=unit, year=year)
        else:
            assessment = existing
        assessment.income_per_capita = income
        assessment.score_a = score_a
        if "member_count" in desired:
            assessment.member_count = desired["member_count"]
        assessment.national_status = statuses.national
        assessment.provincial_status = statuses.provincial
        assessment.recorded_status = statuses.recorded
        assessment.status = AssessmentStatus.RECOGNISED
        self.assessments.append(
            AssessmentPlan(
                assessment=assessment,
                is_new=existing is None,
                household=plan,
                indicator_ids={catalogue[c] for c in codes}
                if existing is None or codes != old_codes
                else None,
                causes=new_causes
                if existing is None or new_causes != sorted(self.causes.get(existing.pk, []))
                else None,
            )
        )
        self.result.assessments["created" if existing is None else "updated"] += 1

    def survey_standards(self, national, provincial) -> SurveyStandards:
        def terms(standard):
            if standard is None:
                return None
            return StandardTerms.of(standard, self.indicator_ids[standard.pk])

        return SurveyStandards(national=terms(national), provincial=terms(provincial))

    #: The column of the sheet that holds each input ``evaluate_survey`` names.
    PROBLEM_COLUMNS = {"member_count": "members", "deprivation_codes": "year", WHOLE_SURVEY: "year"}

    def problem_column(self, row: Row, field: str) -> str:
        key = self.PROBLEM_COLUMNS.get(field, field)
        if key == "income_per_capita" and key not in row.sheet.columns:
            key = "score_a" if "score_a" in row.sheet.columns else "year"
        return key

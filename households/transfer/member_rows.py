"""Rows of the members sheet, and the citizen IDs of every planned member."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from communes.text import fold

from ..models import Member, Relation
from ..services.conflicts import Conflict, elsewhere_message
from ..validators import validate_citizen_id
from .bulk import BATCH
from .plans import DEFAULT_ETHNICITY, MEMBER_FIELDS, HouseholdPlan, MemberPlan, Row

FIRST_BIRTH_YEAR = 1900


class MemberRows:
    """Plans members from their rows and checks citizen IDs (a mixin of ``ImportPlanner``).

    Runs after ``HouseholdRows``: completes the plans in ``households``.
    """

    def member_rows(self, rows: list[Row]) -> None:
        by_code: dict[str, list[HouseholdPlan]] = defaultdict(list)
        for plan in self.households.values():
            by_code[plan.household.code.casefold()].append(plan)
        heads_seen: dict[int, int] = {}
        for row in rows:
            if row.failed:
                continue
            code = row.values.get("household_code", "")
            plans = by_code.get(code.casefold(), [])
            if not plans and code.casefold() in self.listed_codes:
                continue  # the household's own row has a problem, already reported
            unit_code = row.values.get("unit_code")
            if unit_code:
                plans = [p for p in plans if p.unit.code == unit_code]
            if not code or not plans:
                self.cell_problem(
                    row,
                    "household_code",
                    _("Household %(code)s is not on the households sheet.") % {"code": code},
                )
                continue
            if len(plans) > 1:
                self.cell_problem(
                    row,
                    "household_code",
                    _("Several households have the code %(code)s: add the unit_code column.")
                    % {"code": code},
                )
                continue
            self.member_row(plans[0], row, heads_seen)

    def member_row(self, plan: HouseholdPlan, row: Row, heads_seen: dict) -> None:
        values = row.values
        person = {}
        if values.get("full_name"):
            person["full_name"] = values["full_name"]
        for source, target in (
            ("citizen_id", "citizen_id"),
            ("health_insurance_card", "health_insurance_number"),
            ("health_insurance_expiry", "health_insurance_expiry"),
            ("birth_date", "birth_date"),
        ):
            if source in values:
                person[target] = values[source]
        for key in ("sex", "relation", "ethnicity"):
            if values.get(key):
                person[key] = values[key]
        birth_year = values.get("birth_year")
        birth_date = values.get("birth_date")
        if birth_date and birth_year and birth_date.year != birth_year:
            self.cell_problem(
                row, "birth_year", _("The date of birth is not in the year of birth.")
            )
            return
        if birth_date or birth_year:
            person["birth_year"] = birth_date.year if birth_date else birth_year
        if person.get("relation") == Relation.HEAD:
            if id(plan) in heads_seen:
                self.cell_problem(
                    row,
                    "relation",
                    _("The household already has a head on row %(row)s.")
                    % {"row": heads_seen[id(plan)]},
                )
                return
            heads_seen[id(plan)] = row.number
            if plan.head is None:
                if plan.household.head_id is None and person.get("full_name"):
                    plan.head = MemberPlan(
                        Member(relation=Relation.HEAD, ethnicity=DEFAULT_ETHNICITY), is_new=True
                    )
                else:
                    return
            self.merge_head(plan, row, person)
            return
        member = self.match_member(plan, person)
        if member is None:
            member_plan = MemberPlan(Member(ethnicity=DEFAULT_ETHNICITY), is_new=True)
        else:
            member_plan = MemberPlan(member, is_new=False)
        if member_plan.is_new and "relation" not in person:
            self.cell_problem(row, "relation", _("Enter the relation to the head of household."))
            return
        self.set_member(member_plan, person, row)
        plan.members.append(member_plan)

    def match_member(self, plan: HouseholdPlan, person: dict) -> Member | None:
        cid = person.get("citizen_id")
        candidates = plan.unmatched.values()
        found = None
        if cid:
            found = next((m for m in candidates if m.citizen_id == cid), None)
        if found is None and person.get("full_name"):
            name = fold(person["full_name"])
            found = next(
                (
                    m
                    for m in candidates
                    if fold(m.full_name) == name
                    and m.birth_year == person.get("birth_year", m.birth_year)
                ),
                None,
            )
        if found is not None:
            del plan.unmatched[found.pk]
        return found

    def merge_head(self, plan: HouseholdPlan, row: Row, person: dict) -> None:
        """The members sheet's head row completes the head of the households sheet."""
        given = plan.head.head_values
        for key in ("full_name", "citizen_id", "sex", "birth_year"):
            if key in given and key in person and given[key] and person[key]:
                same = (
                    fold(given[key]) == fold(person[key])
                    if key == "full_name"
                    else given[key] == person[key]
                )
                if not same:
                    column = {"full_name": "full_name", "birth_year": "birth_year"}.get(key, key)
                    if column not in row.sheet.columns and key == "birth_year":
                        column = "birth_date"
                    self.cell_problem(
                        row,
                        column,
                        _(
                            "The head on the members sheet differs from the head on the "
                            "households sheet (%(value)s)."
                        )
                        % {"value": given[key]},
                    )
                    return
        person.pop("relation", None)
        plan.head.head_values = {**person, **given}
        plan.head.head_row = row

    def set_member(self, member_plan: MemberPlan, person: dict, row: Row | None) -> None:
        member = member_plan.member
        if member_plan.is_new:
            missing = [k for k in ("full_name", "sex", "birth_year") if not person.get(k)]
            if missing and row is not None:
                labels = {"full_name": "full_name", "sex": "sex", "birth_year": "birth_year"}
                key = labels[missing[0]]
                if key not in row.sheet.columns and key == "birth_year":
                    key = "birth_date"
                if key not in row.sheet.columns:
                    key = {"full_name": "head_name", "sex": "head_sex"}.get(key, "head_birth_year")
                self.cell_problem(
                    row, key, _("Enter the name, sex and year of birth of a new member.")
                )
                return
        before = {f: getattr(member, f) for f in MEMBER_FIELDS}
        member_plan.old_citizen_id = before["citizen_id"] or ""
        for key, value in person.items():
            setattr(member, key, value)
        if member.birth_date and member.birth_date.year != member.birth_year:
            member.birth_date = None
        if row is not None:
            this_year = self.today.year
            if not FIRST_BIRTH_YEAR <= (member.birth_year or 0) <= this_year:
                key = "birth_year" if "birth_year" in row.sheet.columns else "head_birth_year"
                if key not in row.sheet.columns:
                    key = "birth_date"
                self.cell_problem(
                    row,
                    key,
                    _("Enter a year between %(first)s and %(last)s.")
                    % {"first": FIRST_BIRTH_YEAR, "last": this_year},
                )
                return
            cid_key = "citizen_id" if "citizen_id" in row.sheet.columns else "head_citizen_id"
            if member.citizen_id:
                try:
                    validate_citizen_id(
                        member.citizen_id, birth_year=member.birth_year, sex=member.sex
                    )
                except ValidationError as error:
                    self.cell_problem(row, cid_key, " ".join(error.messages))
                    return
            member_plan.where = (row, cid_key)
        member_plan.changed = member_plan.is_new or any(
            getattr(member, f) != v for f, v in before.items()
        )

    def finish_heads(self) -> None:
        for plan in self.households.values():
            head = plan.head
            if head is None:
                continue
            values = head.head_values
            row = head.head_row or plan.row
            self.set_member(head, values, row)

    def check_citizen_ids(self) -> None:
        owners = {
            id(m): p
            for p in self.households.values()
            for m in ([p.head] if p.head else []) + p.members
        }
        plans = [
            m
            for p in self.households.values()
            for m in ([p.head] if p.head else []) + p.members
            if m.where is not None and m.member.citizen_id
        ]
        first: dict[str, MemberPlan] = {}
        for member_plan in plans:
            cid = member_plan.member.citizen_id
            other = first.setdefault(cid, member_plan)
            if other is not member_plan:
                row, key = member_plan.where
                self.cell_problem(
                    row,
                    key,
                    _("The citizen ID %(cid)s is also given on %(sheet)s, row %(row)s.")
                    % {
                        "cid": cid,
                        "sheet": other.where[0].sheet.name,
                        "row": other.where[0].number,
                    },
                )
        wanted = {
            m.member.citizen_id: m
            for m in plans
            if m.is_new or m.member.citizen_id != m.old_citizen_id
        }
        cids = list(wanted)
        for start in range(0, len(cids), BATCH):
            clashes = Member.objects.filter(
                citizen_id__in=cids[start : start + BATCH], left_on__isnull=True
            ).values_list("citizen_id", "pk", "household__code", "household__unit_id")
            for cid, pk, code, unit_id in clashes:
                member_plan = wanted[cid]
                if member_plan.member.pk == pk:
                    continue
                row, key = member_plan.where
                if self.unit_ids is None or unit_id in self.unit_ids:
                    message = _(
                        "This citizen ID is already recorded for a current member of "
                        "household %(code)s."
                    ) % {"code": code}
                else:
                    # Held in a ward the importer does not see: say nothing about that person.
                    message = elsewhere_message()
                    owner = owners[id(member_plan)]
                    self.result.conflicts.append(
                        Conflict(
                            citizen_id=cid,
                            attempted_unit=owner.unit,
                            attempted_household_code=owner.household.code,
                            existing_unit_id=unit_id,
                            existing_household_code=code,
                        )
                    )
                self.cell_problem(row, key, message)

"""The write of a planned import: bulk statements, history included."""

from __future__ import annotations

from django.utils import timezone

from communes.text import fold

from ..household_years import sync_household_years
from ..models import Assessment, AssessmentCause, Household, Member
from . import bulk
from .bulk import BATCH
from .planning import ImportPlanner
from .plans import ASSESSMENT_FIELDS, MEMBER_FIELDS


class ImportWriter:
    """Applies the plans of an ``ImportPlanner`` (which found no problem)."""

    def __init__(self, planner: ImportPlanner):
        self.actor = planner.actor
        self.households = planner.households
        self.assessments = planner.assessments
        self.new_rounds = planner.new_rounds

    def write(self) -> None:
        actor = self.actor
        now = timezone.now()
        for review_round in self.new_rounds.values():
            review_round._history_user = actor
            review_round.save()
        plans = list(self.households.values())
        new_households = [p.household for p in plans if p.is_new]
        for household in new_households:
            household.created_at = household.updated_at = now
        bulk.insert(Household, new_households)
        updated_members, new_members = [], []
        for plan in plans:
            for member_plan in ([plan.head] if plan.head else []) + plan.members:
                if not member_plan.changed:
                    continue
                member = member_plan.member
                member.search_name = fold(member.full_name)
                member.updated_at = now
                if member_plan.is_new:
                    member.household = plan.household
                    member.created_at = now
                    new_members.append(member)
                    plan.current.append(member)
                else:
                    updated_members.append(member)
        # Changed members first: a citizen ID may move from one person to another.
        bulk.update(Member, updated_members, [*MEMBER_FIELDS, "search_name", "updated_at"])
        bulk.insert_history(Member, updated_members, user=actor, when=now, change="~")
        bulk.insert(Member, new_members)
        bulk.insert_history(Member, new_members, user=actor, when=now)
        changed_households, search_only = [], []
        for plan in plans:
            household = plan.household
            if plan.head is not None and plan.head.is_new:
                household.head = plan.head.member
                plan.changed = True
            members = sorted(plan.current, key=lambda m: (m.birth_year, m.pk))
            text = fold(
                " ".join([household.code, *(f"{m.full_name} {m.citizen_id}" for m in members)])
            )
            text_changed = text != household.search_text
            household.search_text = text
            if plan.is_new:
                continue
            if plan.changed:
                household.version += 1
                household.updated_at = now
                changed_households.append(household)
            elif text_changed:
                search_only.append(household)
        bulk.update(Household, new_households, ["head", "search_text"])
        bulk.insert_history(Household, new_households, user=actor, when=now)
        bulk.update(
            Household,
            changed_households,
            ["village", "is_ethnic_minority", "head", "search_text", "version", "updated_at"],
        )
        bulk.insert_history(Household, changed_households, user=actor, when=now, change="~")
        bulk.update(Household, search_only, ["search_text"])
        self.write_assessments(now)

    def write_assessments(self, now) -> None:
        actor = self.actor
        new, updated = [], []
        for plan in self.assessments:
            assessment = plan.assessment
            assessment.household = plan.household.household
            assessment.round_id = assessment.round.pk
            if assessment.member_count is None:
                assessment.member_count = len(plan.household.current) or None
            assessment.updated_at = now
            if plan.is_new:
                assessment.created_at = now
                new.append(assessment)
            else:
                assessment.version += 1
                updated.append(assessment)
        bulk.update(Assessment, updated, [*ASSESSMENT_FIELDS, "version", "updated_at"])
        bulk.insert(Assessment, new)
        through = Assessment.deprivations.through
        changed_ids = [p.assessment.pk for p in self.assessments if p.indicator_ids is not None]
        for start in range(0, len(changed_ids), BATCH):
            through.objects.filter(assessment_id__in=changed_ids[start : start + BATCH]).delete()
        links = [
            through(assessment_id=p.assessment.pk, indicator_id=indicator_id)
            for p in self.assessments
            if p.indicator_ids is not None
            for indicator_id in sorted(p.indicator_ids)
        ]
        bulk.insert(through, links, returning=False)
        bulk.insert_history(Assessment, updated, user=actor, when=now, change="~")
        bulk.insert_history(Assessment, new, user=actor, when=now)
        bulk.insert_m2m_history(Assessment, "deprivations", [a.pk for a in updated + new], when=now)
        cause_ids = [p.assessment.pk for p in self.assessments if p.causes is not None]
        for start in range(0, len(cause_ids), BATCH):
            AssessmentCause.objects.filter(
                assessment_id__in=cause_ids[start : start + BATCH]
            ).delete()
        causes = [
            AssessmentCause(assessment_id=p.assessment.pk, code=code, is_primary=primary)
            for p in self.assessments
            if p.causes is not None
            for code, primary in p.causes
        ]
        bulk.insert(AssessmentCause, causes, returning=False)
        # The decided years of every household whose assessments changed, in this transaction.
        sync_household_years(household_ids={a.household_id for a in updated + new})

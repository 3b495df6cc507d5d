"""The review under way at the demo's "today" (December 2026): ``seed_demo`` adds it.

- the **end-2026 periodic review** of every ward and commune, which decides the
  2027 lists under the 2026–2030 standard (``ND351-2027``, chosen by the rule
  of ``round_open``): the current poor and near-poor households listed, about
  three in five surveyed (each also classified under NĐ 07, for comparison),
  one village meeting held in Hạ Long and in Bãi Cháy, nothing decided yet;
- the **regular reviews of 2026** under NĐ 07 in the two demo wards:
  applications through the year decided within 15 days, and one still open
  near its deadline.

Everything goes through the review services, as an officer would enter it, so
the data obeys the same rules. Idempotent: nothing is written when a 2026
periodic round of the demo's units exists. The 2015–2025 history (and the
article's figures) are not touched.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count

from communes.demo import city_grassroots_units
from communes.models import Area

from .demo import CODE_PREFIX, SURVEYORS, _family_name, _person_name
from .models import (
    Assessment,
    AssessmentStatus,
    Household,
    Member,
    PovertyStatus,
    ReviewKind,
    ReviewRound,
    SchoolLevel,
    Sex,
)
from .services import meetings as meeting_services
from .services import review as review_services

YEAR = 2026
PERIODIC_OPENED = datetime.date(YEAR, 9, 1)
REGULAR_OPENED = datetime.date(YEAR, 1, 5)
#: Share of the listed households surveyed by the demo's today.
SURVEYED_SHARE = 0.6
#: The wards whose demo logins run the regular reviews and hold a meeting.
DEMO_WARDS = ("6688", "6673")
#: Application days of the regular reviews of 2026 (all decided within 15 days).
APPLICATION_DAYS = (
    datetime.date(YEAR, 2, 9),
    datetime.date(YEAR, 4, 14),
    datetime.date(YEAR, 6, 8),
    datetime.date(YEAR, 8, 17),
    datetime.date(YEAR, 10, 12),
)
#: Days before today of the application still open (within its 15 days).
OPEN_APPLICATION_AGE = 10

LISTED = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)


@dataclass(frozen=True)
class CurrentReviewSummary:
    created: bool
    rounds: int
    listed: int
    surveyed: int
    agreed: int
    regular_decided: int


def _summary(created: bool) -> CurrentReviewSummary:
    assessments = Assessment.objects.filter(year=YEAR, household__code__startswith=CODE_PREFIX)
    periodic = assessments.filter(round__kind=ReviewKind.PERIODIC)
    return CurrentReviewSummary(
        created=created,
        rounds=ReviewRound.objects.filter(year=YEAR, kind=ReviewKind.PERIODIC).count(),
        listed=periodic.count(),
        surveyed=periodic.exclude(status=AssessmentStatus.LISTED).count(),
        agreed=periodic.filter(status=AssessmentStatus.AGREED).count(),
        regular_decided=assessments.filter(
            round__kind=ReviewKind.REGULAR, status=AssessmentStatus.RECOGNISED
        ).count(),
    )


def seed_current_review(
    *, rng: random.Random, today: datetime.date, stdout: TextIO | None = None
) -> CurrentReviewSummary | None:
    """Add the reviews of 2026 in progress on ``today``; ``None`` without demo households."""
    if not Household.objects.filter(code__startswith=CODE_PREFIX).exists():
        return None
    units = [u for u in city_grassroots_units() if u.is_valid_on(PERIODIC_OPENED)]
    if ReviewRound.objects.filter(year=YEAR, kind=ReviewKind.PERIODIC, unit__in=units).exists():
        return _summary(created=False)
    with transaction.atomic():
        _CurrentWriter(rng, today, stdout).run(units)
    return _summary(created=True)


class _CurrentWriter:
    def __init__(self, rng: random.Random, today: datetime.date, stdout: TextIO | None):
        self.rng = rng
        self.today = today
        self.stdout = stdout
        users = get_user_model().objects.filter(username__in=["admin", *SURVEYORS.values()])
        self.users = {u.username: u for u in users}
        self.admin = self.users["admin"]
        # The last day surveys and meetings can carry: not after today, nor the round's end.
        self.last_day = max(PERIODIC_OPENED, min(today, datetime.date(YEAR, 12, 14)))

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def officer(self, unit):
        return self.users.get(SURVEYORS.get(unit.code, ""), self.admin)

    def run(self, units) -> None:
        listed = surveyed = 0
        for unit in units:
            actor = self.officer(unit)
            review_round = review_services.round_open(
                actor=actor,
                unit=unit,
                year=YEAR,
                kind=ReviewKind.PERIODIC,
                opened_on=PERIODIC_OPENED,
            )
            listed += review_services.round_list_households(actor=actor, review_round=review_round)
            surveyed += self._survey_part(review_round, actor)
            if unit.code in DEMO_WARDS:
                self._village_meeting(review_round, actor)
        self.log(
            f"  2026 periodic review (2027 lists, 2026–2030 standard): {len(units)} rounds, "
            f"{listed} households listed, {surveyed} surveyed"
        )
        decided = 0
        for unit in units:
            if unit.code in DEMO_WARDS:
                decided += self._regular_reviews(unit)
        self.log(f"  2026 regular reviews (NĐ 07): {decided} applications decided")

    # --- The periodic review ---------------------------------------------------

    def _survey_part(self, review_round: ReviewRound, actor) -> int:
        assessments = list(
            review_round.assessments.select_related("household", "unit").order_by("household__code")
        )
        chosen = [a for a in assessments if self.rng.random() < SURVEYED_SHARE]
        last = _last_decisions([a.household_id for a in chosen], before=YEAR)
        indicators = set(review_round.standard.indicators.values_list("code", flat=True))
        for assessment in chosen:
            before = last.get(assessment.household_id)
            self._survey(assessment, actor, before, indicators)
        return len(chosen)

    def _survey(self, assessment: Assessment, actor, before: Assessment | None, indicators):
        rng = self.rng
        income = before.income_per_capita if before and before.income_per_capita else 1_600_000
        income = math.floor(income * rng.uniform(1.0, 1.18) / 10_000) * 10_000
        codes = {c for c in (before.deprivation_codes if before else []) if c in indicators}
        if rng.random() < 0.25 and codes:
            codes.discard(rng.choice(sorted(codes)))
        if "waste" in indicators and assessment.unit.area == Area.RURAL and rng.random() < 0.35:
            codes.add("waste")
        causes = before.cause_codes if before and before.cause_codes else ["no_capital"]
        span = (self.last_day - PERIODIC_OPENED).days
        surveyed_on = PERIODIC_OPENED + datetime.timedelta(days=rng.randint(3, max(3, span)))
        review_services.assessment_survey(
            actor=actor,
            assessment=assessment,
            version=assessment.version,
            surveyed_on=min(surveyed_on, self.last_day),
            income_per_capita=income,
            score_a=None,
            deprivation_codes=codes,
            causes=causes,
            primary_cause=causes[0],
            support_needs=list(before.support_needs) if before else [],
        )

    def _village_meeting(self, review_round: ReviewRound, actor) -> None:
        """One village's meeting, held a week before today, on its surveyed households."""
        surveyed = review_round.assessments.filter(
            status=AssessmentStatus.SURVEYED, household__village__isnull=False
        )
        busiest = (
            surveyed.values("household__village")
            .annotate(n=Count("pk"))
            .order_by("-n", "household__village")
            .first()
        )
        if busiest is None:
            return
        village_id = busiest["household__village"]
        assessments = list(surveyed.filter(household__village_id=village_id))
        held_on = max(PERIODIC_OPENED, self.last_day - datetime.timedelta(days=7))
        latest_survey = max(a.surveyed_on for a in assessments)
        held_on = max(held_on, latest_survey)
        chair = _person_name(self.rng, _family_name(self.rng, "Kinh"), Sex.MALE)
        secretary = _person_name(self.rng, _family_name(self.rng, "Kinh"), Sex.FEMALE)
        attendees = self.rng.randint(26, 38)
        village = assessments[0].household.village
        meeting_services.meeting_record(
            actor=actor,
            review_round=review_round,
            village=village,
            held_on=held_on,
            chair=chair,
            chair_title=f"Trưởng {village.name[0].lower()}{village.name[1:]}",
            secretary=secretary,
            attendee_count=attendees,
            place=f"Nhà văn hóa {village.name[0].lower()}{village.name[1:]}",
            assessments=assessments,
        )
        for assessment in assessments:
            review_services.assessment_record_meeting(
                actor=actor,
                assessment=assessment,
                version=assessment.version,
                meeting_date=held_on,
                chair=chair,
                attendees=attendees,
                agreed=self.rng.randint(math.ceil(attendees * 0.6), attendees),
            )

    # --- The regular reviews of 2026 -----------------------------------------------

    def _regular_reviews(self, unit) -> int:
        officer = self.officer(unit)
        head = self.admin
        review_round = review_services.round_open(
            actor=officer, unit=unit, year=YEAR, kind=ReviewKind.REGULAR, opened_on=REGULAR_OPENED
        )
        applicants = list(
            Household.objects.filter(
                unit=unit, closed_on__isnull=True, code__startswith=CODE_PREFIX
            )
            .exclude(assessments__year=YEAR)
            .exclude(
                assessments__year=YEAR - 1,
                assessments__status=AssessmentStatus.RECOGNISED,
                assessments__recorded_status__in=LISTED,
            )
            .order_by("code")[: len(APPLICATION_DAYS) + 1]
        )
        open_day = min(
            self.today - datetime.timedelta(days=OPEN_APPLICATION_AGE), datetime.date(YEAR, 12, 20)
        )
        days = [d for d in APPLICATION_DAYS if d < open_day]
        decided = 0
        for household, applied in zip(applicants, [*days, open_day], strict=False):
            assessment = review_services.assessment_create(
                actor=officer,
                household=household,
                review_round=review_round,
                application_date=applied,
            )
            poor = self.rng.random() < 0.4
            codes = {"health_insurance", "housing_quality", "sanitation"} if poor else {"water"}
            line = 2_000_000 if unit.area == Area.URBAN else 1_500_000
            review_services.assessment_survey(
                actor=officer,
                assessment=assessment,
                version=assessment.version,
                surveyed_on=applied + datetime.timedelta(days=2),
                income_per_capita=math.floor(line * self.rng.uniform(0.6, 0.95) / 10_000) * 10_000,
                score_a=None,
                deprivation_codes=codes,
                causes=["illness_accident"] if poor else ["no_capital"],
                primary_cause="illness_accident" if poor else "no_capital",
                support_needs=["health"] if poor else ["credit"],
            )
            if applied == open_day:
                continue  # surveyed; the meeting and decision are still to come
            attendees = self.rng.randint(22, 30)
            met = applied + datetime.timedelta(days=3)
            posted_from = _next_working_day(met)
            posted_to = _after_working_days(posted_from, review_services.POSTING_WORKING_DAYS)
            review_services.assessment_record_meeting(
                actor=officer,
                assessment=assessment,
                meeting_date=met,
                chair=_person_name(self.rng, _family_name(self.rng, "Kinh"), Sex.MALE),
                attendees=attendees,
                agreed=self.rng.randint(math.ceil(attendees * 0.6), attendees),
            )
            review_services.assessment_post(
                actor=officer,
                assessment=assessment,
                posted_from=posted_from,
                posted_to=posted_to,
            )
            review_services.assessment_recognise(
                actor=head,
                assessment=assessment,
                decision_number=f"{self.rng.randint(100, 1800)}/QĐ-UBND",
                decision_date=posted_to + datetime.timedelta(days=1),
                signer=f"{_person_name(self.rng, 'Nguyễn', Sex.MALE)}, Chủ tịch UBND",
            )
            decided += 1
        return decided


def _next_working_day(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _after_working_days(first: datetime.date, count: int) -> datetime.date:
    """The last day of ``count`` working days starting on ``first`` (a working day)."""
    day, left = first, count - 1
    while left:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _last_decisions(household_ids: list[int], *, before: int) -> dict[int, Assessment]:
    """Each household's last recognised assessment before ``before``, with its evidence."""
    found: dict[int, Assessment] = {}
    rows = (
        Assessment.objects.filter(
            household_id__in=household_ids,
            status=AssessmentStatus.RECOGNISED,
            year__lt=before,
        )
        .order_by("household_id", "-year", "-pk")
        .prefetch_related("deprivations", "causes")
    )
    for assessment in rows:
        if assessment.household_id in found:
            continue
        assessment.deprivation_codes = [i.code for i in assessment.deprivations.all()]
        causes = sorted(assessment.causes.all(), key=lambda c: (not c.is_primary, c.code))
        assessment.cause_codes = [c.code for c in causes]
        found[assessment.household_id] = assessment
    return found


#: School kind in the demo's school names, by level (general schools carry a grade).
SCHOOL_NAMES = {
    SchoolLevel.PRESCHOOL: "Trường Mầm non",
    SchoolLevel.PRIMARY: "Trường Tiểu học",
    SchoolLevel.LOWER_SECONDARY: "Trường THCS",
    SchoolLevel.UPPER_SECONDARY: "Trường THPT",
}
GRADE_RANGES = {
    SchoolLevel.PRIMARY: (1, 5),
    SchoolLevel.LOWER_SECONDARY: (6, 9),
    SchoolLevel.UPPER_SECONDARY: (10, 12),
}


def school_grade(level: str, birth_year: int, school_year: int) -> int | None:
    """The grade a pupil of ``level`` born in ``birth_year`` is in during the school year
    starting in ``school_year`` (grade 1 at six), kept within the level's grades."""
    if level not in GRADE_RANGES:
        return None
    low, high = GRADE_RANGES[level]
    return min(high, max(low, school_year - birth_year - 5))


def fill_school_facts(*, today: datetime.date) -> int:
    """Give the demo's pupils a school (named after their unit) and a grade, where none is
    recorded; the school lists need them. Idempotent: recorded facts are kept."""
    school_year = today.year if today.month >= 9 else today.year - 1
    pupils = (
        Member.objects.filter(
            household__code__startswith=CODE_PREFIX,
            school_level__in=list(SCHOOL_NAMES),
            school_name="",
            left_on__isnull=True,
        )
        .select_related("household__unit")
        .only("pk", "school_level", "birth_year", "household__unit__name")
    )
    changed = []
    for pupil in pupils.iterator(chunk_size=2000):
        pupil.school_name = f"{SCHOOL_NAMES[pupil.school_level]} {pupil.household.unit.name}"
        pupil.school_grade = school_grade(pupil.school_level, pupil.birth_year, school_year)
        changed.append(pupil)
    with transaction.atomic():
        Member.objects.bulk_update(changed, ["school_name", "school_grade"], batch_size=1000)
    return len(changed)

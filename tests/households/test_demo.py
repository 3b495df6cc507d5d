"""seed_demo's household history: the seed article's figures, computed from the database."""

import datetime
import io
import time
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from communes.demo import city_grassroots_units
from communes.models import AdministrativeUnit, UnitHouseholdCount
from households.models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Household,
    Member,
    PovertyStandard,
    ReviewKind,
    ReviewRound,
)
from households.rules import StandardRule, classify
from households.transitions import Transition, count_transitions, yearly_statuses
from households.validators import validate_citizen_id

REFORM = datetime.date(2025, 7, 1)


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = time.perf_counter()
        call_command("seed_demo", "--password", "pw-demo-123", stdout=io.StringIO())
        print(f"\nseed_demo (units, logins and households): {time.perf_counter() - started:.1f} s")
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    """The seeded database; each test's writes are rolled back."""


def city_figures(year: int) -> tuple[int, int, int]:
    """(poor, near-poor, resident households) of the city after ``year``'s review."""
    units = city_grassroots_units()
    recognised = Assessment.objects.filter(
        unit__in=units, year=year, status=AssessmentStatus.RECOGNISED
    )
    counts = recognised.aggregate(
        poor=Count("household", filter=Q(recorded_status="poor"), distinct=True),
        near=Count("household", filter=Q(recorded_status="near_poor"), distinct=True),
    )
    total = UnitHouseholdCount.objects.filter(unit__in=units, year=year).aggregate(
        n=Sum("households")
    )["n"]
    return counts["poor"], counts["near"], total


def rate(part: int, total: int) -> float:
    return round(100 * part / total, 2)


def test_end_2015_figures_match_the_seed_article(demo):
    poor, near, total = city_figures(2015)

    assert (poor, near, total) == (991, 1046, 86_000)
    assert (rate(poor, total), rate(near, total)) == (1.15, 1.22)


def test_end_2020_figures_match_the_seed_article(demo):
    poor, near, total = city_figures(2020)

    assert (poor, near, total) == (62, 144, 88_600)
    assert (rate(poor, total), rate(near, total)) == (0.07, 0.16)


def test_figures_follow_the_targets_after_the_new_standard(demo):
    poor = [city_figures(year)[0] for year in range(2020, 2026)]
    near = [city_figures(year)[1] for year in range(2020, 2026)]

    assert poor[1] > 5 * poor[0]  # the multidimensional standard of end 2021
    assert all(0.7 <= b / a <= 0.8 for a, b in zip(poor[1:], poor[2:], strict=False))
    assert all(0.85 <= b / a <= 0.95 for a, b in zip(near[1:], near[2:], strict=False))


def test_denominators_cover_only_units_valid_that_year(demo):
    yet_kieu = AdministrativeUnit.objects.get(code="HL-YETKIEU")
    years = set(UnitHouseholdCount.objects.filter(unit=yet_kieu).values_list("year", flat=True))
    assert years == set(range(2015, 2024))
    units_2025 = UnitHouseholdCount.objects.filter(year=2025).values_list(
        "unit__valid_from", flat=True
    )
    assert set(units_2025) == {REFORM}
    assert len(units_2025) == 13


def test_poor_nd07_assessments_have_three_deprivations(demo):
    counted = Assessment.objects.filter(round__standard__code="ND07-2022").annotate(
        n=Count("deprivations")
    )

    assert counted.filter(national_status="poor").exists()
    assert not counted.filter(national_status="poor", n__lt=3).exists()
    assert not counted.filter(national_status="near_poor", n__gt=2).exists()


def test_deprivations_belong_to_the_round_standard(demo):
    through = Assessment.deprivations.through.objects
    assert not through.exclude(indicator__standard=F("assessment__round__standard")).exists()


def test_every_status_follows_the_standard_rule(demo):
    standards = {s.code: s for s in PovertyStandard.objects.all()}
    surveyed = (
        Assessment.objects.exclude(income_per_capita=None)
        .annotate(n=Count("deprivations"))
        .values_list(
            "income_per_capita",
            "n",
            "unit__area",
            "round__standard__code",
            "national_status",
            "round__provincial_standard__code",
            "provincial_status",
        )
    )
    wrong = []
    for income, n, area, national, status, provincial, provincial_status in surveyed:
        for code, recorded in ((national, status), (provincial, provincial_status)):
            if code is None:
                continue
            rule = StandardRule.for_area(standards[code], area)
            if classify(rule, income=income, score_a=None, deprivation_count=n) != recorded:
                wrong.append((code, income, n, recorded))
    assert len(surveyed) > 10_000
    assert wrong == []


def test_recognised_status_is_the_national_status(demo):
    recognised = Assessment.objects.filter(status=AssessmentStatus.RECOGNISED)

    assert not recognised.exclude(recorded_status=F("national_status")).exists()
    listed = recognised.filter(recorded_status__in=["poor", "near_poor"])
    assert not listed.filter(certificate_number="").exists()
    assert not listed.exclude(certificate_number__endswith="/GCN-HN.HCN").exists()
    assert not recognised.filter(Q(decision_number="") | Q(decision_date=None)).exists()
    assert not recognised.exclude(decision_date__month=12).filter(round__kind="periodic").exists()


def test_every_surveyed_assessment_has_exactly_one_primary_cause(demo):
    # The households listed for the 2026 review but not surveyed yet have no causes.
    not_surveyed = Q(year=2026, status=AssessmentStatus.LISTED)
    primaries = Assessment.objects.exclude(not_surveyed).annotate(
        primary=Count("causes", filter=Q(causes__is_primary=True)), total=Count("causes")
    )

    assert not primaries.exclude(primary=1).exists()
    assert not primaries.filter(total__gt=3).exists()


def test_legacy_causes_only_before_2021(demo):
    legacy = ["many_dependents", "jobless", "social_evils", "idleness", "disaster"]
    causes = AssessmentCause.objects.filter(code__in=legacy)

    assert causes.exists()
    assert not causes.filter(assessment__year__gte=2021).exists()


def test_village_meetings_pass(demo):
    met = Assessment.objects.exclude(meeting_attendees=None)

    assert not met.filter(Q(meeting_attendees__lt=20) | Q(meeting_attendees__gt=40)).exists()
    assert all(a.meeting_passed for a in met.only("meeting_attendees", "meeting_agreed"))


def test_citizen_ids_are_valid_and_unique(demo):
    members = list(
        Member.objects.exclude(citizen_id="").values_list("citizen_id", "birth_year", "sex")
    )

    for citizen_id, birth_year, sex in members:
        validate_citizen_id(citizen_id, birth_year=birth_year, sex=sex)
    assert len(members) > 5_000
    # A person moved by a household event keeps a former row with the same ID.
    current = list(
        Member.objects.exclude(citizen_id="")
        .filter(left_on__isnull=True)
        .values_list("citizen_id", flat=True)
    )
    assert len(set(current)) == len(current)
    repeated = {cid for cid, n in Counter(m[0] for m in members).items() if n > 1}
    former = Member.objects.filter(citizen_id__in=repeated, left_on__isnull=False)
    assert repeated == set(former.values_list("citizen_id", flat=True))
    assert len(repeated) < 20  # only the people of the demo's few events


def test_households_have_two_to_six_members_and_a_head(demo):
    # The demo's household events (split, merge, move) are checked below.
    households = Household.objects.filter(code__startswith="HL-", events__isnull=True).annotate(
        n=Count("members")
    )

    assert not households.filter(Q(n__lt=2) | Q(n__gt=6)).exists()
    assert not households.filter(head=None).exists()
    assert not households.exclude(head__relation="head").exists()
    assert not households.exclude(village__parent=F("unit")).exists()


def test_assessments_keep_the_unit_of_their_time(demo):
    assessments = Assessment.objects.filter(household__code__startswith="HL-")

    assert not assessments.filter(year=2025).exclude(unit__valid_from=REFORM).exists()
    assert not assessments.filter(year=2024).exclude(unit__valid_from=None).exists()
    assert not assessments.filter(year=2024, unit__code="HL-YETKIEU").exists()
    assert assessments.filter(year=2023, unit__code="HL-YETKIEU").exists()
    assert not assessments.exclude(unit=F("round__unit")).exists()
    # Every household is registered in a unit that exists today.
    assert not Household.objects.exclude(unit__valid_to=None).exists()


def test_split_unit_households_go_to_both_successors(demo):
    ha_khau = AdministrativeUnit.objects.get(code="6655", valid_from=None)
    moved = Household.objects.filter(assessments__unit=ha_khau).distinct()

    assert set(moved.values_list("unit__name", flat=True)) == {
        "Phường Việt Hưng",
        "Phường Tuần Châu",
    }


def test_transitions_are_non_trivial(demo):
    records = defaultdict(list)
    for household_id, year, status, pk in Assessment.objects.filter(
        status=AssessmentStatus.RECOGNISED
    ).values_list("household_id", "year", "recorded_status", "pk"):
        records[household_id].append((year, status, pk))
    by_year = defaultdict(list)
    for history in records.values():
        for entry in yearly_statuses(history, until=2025):
            by_year[entry.year].append(entry.transition)

    for year in (2017, 2019, 2022, 2025):
        counts = count_transitions([])
        for kind in by_year[year]:
            if kind:
                counts[kind] += 1
        for kind in (
            Transition.EXITED,
            Transition.POOR_TO_NEAR_POOR,
            Transition.NEAR_POOR_EXITED,
            Transition.NEW_POOR,
            Transition.NEW_NEAR_POOR,
            Transition.STAYED_POOR,
            Transition.STAYED_NEAR_POOR,
        ):
            assert counts[kind] > 0, (year, kind)
        assert counts[Transition.RE_POOR] + counts[Transition.RE_NEAR_POOR] > 0, year


def test_exits_are_recorded_and_then_absent(demo):
    recognised = Assessment.objects.filter(status=AssessmentStatus.RECOGNISED)
    exited = recognised.filter(recorded_status__in=["average", "not_poor"])

    assert exited.filter(year__lte=2020).exclude(recorded_status="not_poor").count() == 0
    assert exited.filter(year__gte=2021, recorded_status="average").exists()
    # Two exits in a row never happen: after the exit the household is absent.
    pairs = set(exited.values_list("household_id", "year"))
    assert not any((h, y + 1) in pairs for h, y in pairs)


def test_2025_review_shows_work_in_progress(demo):
    steps = set(
        Assessment.objects.filter(year=2025)
        .exclude(status=AssessmentStatus.RECOGNISED)
        .values_list("status", flat=True)
    )
    assert {"listed", "surveyed", "agreed", "posted", "refused"} <= steps
    assert not Assessment.objects.filter(status="refused", refusal_reason="").exists()

    regular = Assessment.objects.filter(year=2025, round__kind=ReviewKind.REGULAR)
    assert regular.count() == 2
    assert not regular.filter(application_date=None).exists()
    overdue = [a for a in regular if a.status != "refused"]
    assert len(overdue) == 1
    assert overdue[0].decision_deadline < datetime.date.today()
    in_time = regular.get(status="refused")
    assert in_time.decision_date <= in_time.decision_deadline
    assert ReviewRound.objects.filter(year=2025, closed_on=None).exists()


def test_member_logins_have_cases_in_their_ward(demo):
    for username, code in (("halong.member", "6688"), ("baichay.member", "6673")):
        assigned = Household.objects.filter(assigned_to__username=username)
        assert assigned.count() >= 5
        assert set(assigned.values_list("unit__code", "unit__valid_from")) == {(code, REFORM)}


def test_ethnic_minority_households_live_in_rural_communes(demo):
    minority = Household.objects.filter(is_ethnic_minority=True)

    assert minority.count() > 50
    assert minority.filter(unit__area="rural").count() > minority.filter(unit__area="urban").count()


def test_second_run_creates_nothing(demo):
    def counts():
        return tuple(
            model.objects.count()
            for model in (Household, Member, Assessment, AssessmentCause, ReviewRound)
        ) + (UnitHouseholdCount.objects.count(), Assessment.deprivations.through.objects.count())

    before = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    assert counts() == before
    assert "none created" in out.getvalue()


# --- The review under way (December 2026) ---------------------------------------------


def test_demo_has_the_2026_periodic_review_in_progress_under_the_new_standard(demo):
    from households.models import HouseholdYear, VillageMeeting

    rounds = ReviewRound.objects.filter(year=2026, kind=ReviewKind.PERIODIC)
    assert rounds.exists()
    assert set(rounds.values_list("standard__code", "comparison_standard__code")) == {
        ("ND351-2027", "ND07-2022")
    }
    assert not rounds.filter(closed_on__isnull=False).exists()
    assessments = Assessment.objects.filter(round__in=rounds)
    # On the lists by their latest decided year (round_list_households; the lists are
    # made under the provincial standard where it decides them, issue 12).
    latest = (
        HouseholdYear.objects.filter(
            household=OuterRef("household"), year__lt=2026, assessment__isnull=False
        )
        .order_by("-year")
        .values("status")[:1]
    )
    listed_2025 = (
        Assessment.objects.filter(round__in=rounds)
        .annotate(last=Subquery(latest))
        .filter(last__in=["poor", "near_poor"])
        .values("household")
    )
    # The current lists are listed; part surveyed under both standards; none decided.
    assert assessments.filter(household__in=listed_2025).count() == assessments.count()
    surveyed = assessments.exclude(status=AssessmentStatus.LISTED)
    assert 0 < surveyed.count() < assessments.count()
    assert not surveyed.filter(comparison_status="").exists()
    assert surveyed.exclude(national_status=F("comparison_status")).exists()
    assert assessments.filter(status=AssessmentStatus.AGREED).exists()
    assert not assessments.filter(
        status__in=[AssessmentStatus.POSTED, AssessmentStatus.RECOGNISED, AssessmentStatus.REFUSED]
    ).exists()
    assert VillageMeeting.objects.filter(round__in=rounds).count() == 2


def test_demo_regular_reviews_of_2026_run_under_nd07(demo):
    rounds = ReviewRound.objects.filter(year=2026, kind=ReviewKind.REGULAR)
    assert set(rounds.values_list("standard__code", flat=True)) == {"ND07-2022"}
    decided = Assessment.objects.filter(round__in=rounds, status=AssessmentStatus.RECOGNISED)
    assert decided.exists()
    for assessment in decided:
        assert assessment.decision_date <= assessment.decision_deadline
    assert Assessment.objects.filter(round__in=rounds, status=AssessmentStatus.SURVEYED).exists()


def test_seeding_the_current_review_again_creates_nothing(demo):
    import random

    from households.demo_current import seed_current_review

    before = Assessment.objects.filter(year=2026).count()
    summary = seed_current_review(rng=random.Random(1), today=datetime.date(2026, 12, 3))

    assert summary.created is False
    assert Assessment.objects.filter(year=2026).count() == before


# --- Household events and the follow-up after exit (issue 18) ---------------------------------


def test_demo_has_a_split_a_merge_and_an_accepted_move(demo):
    from households.demo_events import SPLIT_CODE
    from households.models import EventKind, HouseholdEvent, HouseholdTransfer, TransferStatus

    ha_long = AdministrativeUnit.objects.get(code="6688", valid_from=REFORM)
    bai_chay = AdministrativeUnit.objects.get(code="6673", valid_from=REFORM)
    founded = Household.objects.get(unit=ha_long, code=SPLIT_CODE)
    split_from = founded.events.get(kind=EventKind.SPLIT_FROM).other_household
    assert founded.head.relation == "head" and split_from.head_id
    assert founded.members.filter(left_on__isnull=True).exists()
    merge = HouseholdEvent.objects.get(kind=EventKind.MERGE, household__unit=ha_long)
    assert merge.other_household.closed_on and merge.other_household.merged_into == merge.household
    transfer = HouseholdTransfer.objects.get(
        from_unit=bai_chay, to_unit=ha_long, status=TransferStatus.ACCEPTED
    )
    assert transfer.household.unit == ha_long
    assert transfer.household.events.filter(kind=EventKind.MOVED_WARD).exists()


def test_demo_reports_of_both_wards_balance_after_the_events(demo):
    from halong.reports import annual_report
    from tests.halong.test_reports import flows_balance

    for code in ("6688", "6673"):
        ward = AdministrativeUnit.objects.get(code=code, valid_from=REFORM)
        for year in (2024, 2025, 2026):
            total = annual_report(year=year, root=ward).as_json()["total"]
            assert flows_balance(total["poor"], "near_poor"), (code, year)
            assert flows_balance(total["near_poor"], "poor"), (code, year)


def test_demo_follow_up_list_has_checks_at_several_warning_levels(demo):
    from django.contrib.auth import get_user_model

    from plans.followup import followups_for
    from plans.models import FollowUpCheck

    member = get_user_model().objects.get(username="halong.member")
    today = datetime.date.today()
    mine = followups_for(member, today)
    checked = [f for f in mine if f.latest_check is not None]
    assert len(checked) == FollowUpCheck.objects.count() >= 3
    assert len({f.risk for f in checked}) >= 2
    assert all(f.reasons for f in checked if f.risk != "low")

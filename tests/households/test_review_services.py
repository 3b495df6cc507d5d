"""Workflow rules of the yearly review (households.services.review)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from households import review_selectors
from households.models import AssessmentStatus, PovertyStandard, PovertyStatus, ReviewKind
from households.services import review as services
from households.services.common import StaleEdit
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    MemberFactory,
    ReviewRoundFactory,
    standard,
)

D = datetime.date
POOR_SURVEY = {
    "surveyed_on": D(2024, 10, 1),
    "member_count": 3,
    "income_per_capita": 1_500_000,
    "score_a": None,
    "deprivation_codes": {"health_insurance", "water", "sanitation"},
    "causes": ["no_capital", "illness_accident"],
    "primary_cause": "no_capital",
    "support_needs": ["credit", "health"],
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def ward(units):
    return unit("6688")


@pytest.fixture
def round_2024(ward):
    return ReviewRoundFactory(
        unit=ward,
        year=2024,
        standard=standard("ND07-2022"),
        provincial_standard=standard("QN-NQ13-2023"),
    )


@pytest.fixture
def assessment(round_2024, ward):
    return AssessmentFactory(household=HouseholdFactory(unit=ward), round=round_2024)


def survey(actor, assessment, **changes):
    return services.assessment_survey(
        actor=actor, assessment=assessment, version=assessment.version, **{**POOR_SURVEY, **changes}
    )


def meet(actor, assessment, attendees=10, agreed=6):
    return services.assessment_record_meeting(
        actor=actor,
        assessment=assessment,
        meeting_date=D(2024, 10, 10),
        chair="Trần Văn Tổ",
        attendees=attendees,
        agreed=agreed,
    )


def post(actor, assessment):
    return services.assessment_post(
        actor=actor, assessment=assessment, posted_from=D(2024, 10, 14), posted_to=D(2024, 10, 16)
    )


def recognise(actor, assessment, number="12/QĐ-UBND"):
    return services.assessment_recognise(
        actor=actor,
        assessment=assessment,
        decision_number=number,
        decision_date=D(2024, 12, 10),
        signer="Phạm Thị Chủ tịch",
    )


def posted(officer, assessment, **survey_changes):
    survey(officer, assessment, **survey_changes)
    meet(officer, assessment)
    return post(officer, assessment)


# --- Rounds ---------------------------------------------------------------------


def test_round_open_attaches_national_and_provincial_standards(halong_officer, ward):
    review_round = services.round_open(
        actor=halong_officer,
        unit=ward,
        year=2024,
        kind=ReviewKind.PERIODIC,
        opened_on=D(2024, 9, 1),
    )
    assert review_round.standard.code == "ND07-2022"
    assert review_round.provincial_standard.code == "QN-NQ13-2023"


def test_round_open_without_provincial_standard_after_its_period(halong_officer, ward):
    # QN-NQ13-2023 governs the lists of 2024–2026: the periodic review of 2026
    # (lists of 2027) and the regular reviews of 2027 have none.
    periodic = services.round_open(
        actor=halong_officer,
        unit=ward,
        year=2026,
        kind=ReviewKind.PERIODIC,
        opened_on=D(2026, 9, 1),
    )
    regular = services.round_open(
        actor=halong_officer, unit=ward, year=2027, kind=ReviewKind.REGULAR, opened_on=D(2027, 1, 4)
    )
    assert periodic.provincial_standard is None
    assert regular.provincial_standard is None


# --- Which standard a round uses (DOMAIN.md) -------------------------------------


@pytest.mark.parametrize(
    ("kind", "year", "opened_on", "national", "comparison"),
    [
        # The periodic review of Y decides the lists of Y + 1: the standard in force then.
        (ReviewKind.PERIODIC, 2026, D(2026, 9, 1), "ND351-2027", "ND07-2022"),
        (ReviewKind.PERIODIC, 2025, D(2025, 9, 1), "ND07-2022", None),
        (ReviewKind.PERIODIC, 2021, D(2021, 9, 1), "ND07-2022", "QD59-2016"),
        (ReviewKind.PERIODIC, 2020, D(2020, 9, 1), "QD59-2016", None),
        # A regular review: the standard in force on its date.
        (ReviewKind.REGULAR, 2026, D(2026, 11, 15), "ND07-2022", None),
        (ReviewKind.REGULAR, 2026, D(2026, 12, 31), "ND07-2022", None),
        (ReviewKind.REGULAR, 2027, D(2027, 1, 1), "ND351-2027", None),
        (ReviewKind.REGULAR, 2021, D(2021, 3, 1), "QD59-2016", None),
    ],
)
@pytest.mark.django_db
def test_standards_by_rule_at_the_boundaries(kind, year, opened_on, national, comparison):
    chosen = services.standards_by_rule(kind=kind, year=year, opened_on=opened_on)

    assert chosen.national.code == national
    assert (chosen.comparison.code if chosen.comparison else None) == comparison


def test_periodic_round_of_2026_is_kept_under_the_new_standard(halong_officer, ward):
    review_round = services.round_open(
        actor=halong_officer,
        unit=ward,
        year=2026,
        kind=ReviewKind.PERIODIC,
        opened_on=D(2026, 9, 1),
    )
    review_round.refresh_from_db()
    assert review_round.standard.code == "ND351-2027"
    assert review_round.comparison_standard.code == "ND07-2022"
    assert review_round.standard_reason == ""


def test_regular_round_of_15_november_2026_classifies_under_nd07(halong_officer, ward):
    review_round = services.round_open(
        actor=halong_officer,
        unit=ward,
        year=2026,
        kind=ReviewKind.REGULAR,
        opened_on=D(2026, 11, 15),
    )
    assessment = services.assessment_create(
        actor=halong_officer,
        household=HouseholdFactory(unit=ward),
        review_round=review_round,
        application_date=D(2026, 11, 15),
    )
    survey(halong_officer, assessment, income_per_capita=1_800_000, deprivation_codes=set())

    assessment.refresh_from_db()
    assert review_round.standard.code == "ND07-2022"
    assert review_round.comparison_standard is None
    # 1.8 M within ND07's urban line (2.0 M), fewer than 3 deprivations: near-poor.
    assert assessment.national_status == PovertyStatus.NEAR_POOR
    assert assessment.comparison_status == ""


def test_regular_round_must_open_in_its_year(halong_officer, ward):
    with pytest.raises(ValidationError) as error:
        services.round_open(
            actor=halong_officer,
            unit=ward,
            year=2026,
            kind=ReviewKind.REGULAR,
            opened_on=D(2027, 1, 5),
        )
    assert "opened_on" in error.value.message_dict


def _nd351_round(officer, ward):
    return services.round_open(
        actor=officer, unit=ward, year=2026, kind=ReviewKind.PERIODIC, opened_on=D(2026, 9, 1)
    )


def test_survey_of_2026_round_classifies_under_both_standards(halong_officer, ward):
    review_round = _nd351_round(halong_officer, ward)
    assessment = services.assessment_create(
        actor=halong_officer, household=HouseholdFactory(unit=ward), review_round=review_round
    )
    # 2.5 M: above ND07's urban line (2.0 M), within ND351's (2.8 M); three deprivations,
    # one of them (waste) only in ND351's list.
    survey(
        halong_officer,
        assessment,
        income_per_capita=2_500_000,
        deprivation_codes={"water", "sanitation", "waste"},
    )

    assessment.refresh_from_db()
    assert assessment.national_status == PovertyStatus.POOR
    assert assessment.recorded_status == PovertyStatus.POOR
    # Under ND07: 2 of its indicators, 2.5 M within its average ceiling (3.0 M).
    assert assessment.comparison_status == PovertyStatus.AVERAGE


def test_comparison_that_cannot_use_the_evidence_does_not_refuse_the_survey(halong_officer, ward):
    review_round = _nd351_round(halong_officer, ward)
    review_round.comparison_standard.poor_line_urban = None
    review_round.comparison_standard.save()
    assessment = services.assessment_create(
        actor=halong_officer, household=HouseholdFactory(unit=ward), review_round=review_round
    )
    survey(halong_officer, assessment, income_per_capita=2_500_000, deprivation_codes=set())

    assessment.refresh_from_db()
    assert assessment.national_status == PovertyStatus.NEAR_POOR
    assert assessment.comparison_status == ""


def test_head_overrides_the_standard_with_a_reason_kept_in_history(
    halong_head, halong_officer, ward
):
    review_round = _nd351_round(halong_officer, ward)
    nd07 = PovertyStandard.objects.get(code="ND07-2022")

    services.round_set_standards(
        actor=halong_head,
        review_round=review_round,
        standard=nd07,
        provincial_standard=None,
        reason="Hướng dẫn của tỉnh: rà soát năm 2026 theo chuẩn cũ",
    )

    review_round.refresh_from_db()
    assert review_round.standard == nd07
    assert review_round.comparison_standard is None
    assert review_round.standard_reason.startswith("Hướng dẫn")
    latest = review_round.history.first()
    assert latest.history_change_reason == review_round.standard_reason
    assert latest.history_user == halong_head


def test_override_needs_a_reason_and_a_head(halong_head, halong_officer, ward):
    review_round = _nd351_round(halong_officer, ward)
    nd07 = PovertyStandard.objects.get(code="ND07-2022")
    with pytest.raises(PermissionDenied):
        services.round_set_standards(
            actor=halong_officer,
            review_round=review_round,
            standard=nd07,
            provincial_standard=None,
            reason="x",
        )
    with pytest.raises(ValidationError) as error:
        services.round_set_standards(
            actor=halong_head,
            review_round=review_round,
            standard=nd07,
            provincial_standard=None,
            reason="  ",
        )
    assert "reason" in error.value.message_dict


def test_override_is_refused_after_the_first_survey(halong_head, halong_officer, ward):
    review_round = _nd351_round(halong_officer, ward)
    assessment = services.assessment_create(
        actor=halong_officer, household=HouseholdFactory(unit=ward), review_round=review_round
    )
    survey(halong_officer, assessment, income_per_capita=2_500_000, deprivation_codes=set())

    with pytest.raises(ValidationError) as error:
        services.round_set_standards(
            actor=halong_head,
            review_round=review_round,
            standard=PovertyStandard.objects.get(code="ND07-2022"),
            provincial_standard=None,
            reason="Muộn",
        )
    assert "already surveyed" in " ".join(error.value.message_dict["standard"])


def test_choosing_the_rule_again_clears_the_override(halong_head, halong_officer, ward):
    review_round = _nd351_round(halong_officer, ward)
    nd07 = PovertyStandard.objects.get(code="ND07-2022")
    nd351 = PovertyStandard.objects.get(code="ND351-2027")
    services.round_set_standards(
        actor=halong_head,
        review_round=review_round,
        standard=nd07,
        provincial_standard=None,
        reason="Thử",
    )
    services.round_set_standards(
        actor=halong_head,
        review_round=review_round,
        standard=nd351,
        provincial_standard=None,
        reason="",
    )
    review_round.refresh_from_db()
    assert review_round.standard_reason == ""
    assert review_round.comparison_standard.code == "ND07-2022"


def test_round_open_twice_is_refused(halong_officer, round_2024, ward):
    with pytest.raises(ValidationError) as error:
        services.round_open(
            actor=halong_officer,
            unit=ward,
            year=2024,
            kind=ReviewKind.PERIODIC,
            opened_on=D(2024, 9, 2),
        )
    assert "already open" in str(error.value.message_dict["kind"])


def test_round_open_by_member_is_forbidden(halong_member, ward):
    with pytest.raises(PermissionDenied):
        services.round_open(
            actor=halong_member, unit=ward, year=2024, kind="periodic", opened_on=D(2024, 9, 1)
        )


def test_round_list_households_picks_previous_recognised_poor_and_near_poor(
    halong_officer, ward, round_2024
):
    previous = ReviewRoundFactory(unit=ward, year=2023)

    def decided(status, year_round=previous, step=AssessmentStatus.RECOGNISED):
        return AssessmentFactory(
            household=HouseholdFactory(unit=ward),
            round=year_round,
            status=step,
            recorded_status=status,
        )

    poor = decided(PovertyStatus.POOR).household
    near_poor = decided(PovertyStatus.NEAR_POOR).household
    decided(PovertyStatus.AVERAGE)
    decided(PovertyStatus.POOR, step=AssessmentStatus.SURVEYED)  # never decided
    # Poor in 2022 but out in 2023: the latest decision counts.
    exited = decided(PovertyStatus.NOT_POOR).household
    AssessmentFactory(
        household=exited,
        round=ReviewRoundFactory(unit=ward, year=2022),
        status=AssessmentStatus.RECOGNISED,
        recorded_status=PovertyStatus.POOR,
    )
    # Another ward's poor household is not listed.
    AssessmentFactory(
        household=HouseholdFactory(unit=unit("6673")),
        round=ReviewRoundFactory(unit=unit("6673"), year=2023),
        status=AssessmentStatus.RECOGNISED,
        recorded_status=PovertyStatus.POOR,
    )
    already = decided(PovertyStatus.POOR).household
    AssessmentFactory(household=already, round=round_2024)

    count = services.round_list_households(actor=halong_officer, review_round=round_2024)

    assert count == 2
    listed = set(round_2024.assessments.values_list("household", flat=True))
    assert listed == {poor.pk, near_poor.pk, already.pk}
    assert set(round_2024.assessments.values_list("status", flat=True)) == {"listed"}


# --- Applications -----------------------------------------------------------------


def test_assessment_create_in_regular_round_needs_application_date(halong_officer, ward):
    regular = ReviewRoundFactory(unit=ward, year=2024, kind=ReviewKind.REGULAR)
    household = HouseholdFactory(unit=ward)
    with pytest.raises(ValidationError) as error:
        services.assessment_create(actor=halong_officer, household=household, review_round=regular)
    assert "application_date" in error.value.message_dict
    assessment = services.assessment_create(
        actor=halong_officer,
        household=household,
        review_round=regular,
        application_date=D(2024, 3, 15),
    )
    assert (assessment.unit, assessment.year, assessment.status) == (ward, 2024, "listed")
    assert assessment.decision_deadline == D(2024, 3, 30)


def test_overdue_applications_lists_undecided_past_deadline(ward):
    regular = ReviewRoundFactory(unit=ward, year=2024, kind=ReviewKind.REGULAR)
    late = AssessmentFactory(round=regular, household__unit=ward, application_date=D(2024, 3, 1))
    AssessmentFactory(round=regular, household__unit=ward, application_date=D(2024, 3, 16))
    AssessmentFactory(
        round=regular,
        household__unit=ward,
        application_date=D(2024, 2, 1),
        status=AssessmentStatus.REFUSED,
        refusal_reason="x",
    )
    # 1/3 is taken up by the review of 15/3, due 30/3; 16/3 by that of 15/4, due 30/4.
    today = D(2024, 4, 3)
    assert list(review_selectors.overdue_applications([ward.pk], today)) == [late]
    assert review_selectors.deadline_state(late, today) == "overdue"


# --- Survey and classification -----------------------------------------------------------


def test_survey_classifies_under_national_and_provincial_standards(halong_officer, assessment):
    # Urban, 2024: national line 2,000,000 (average up to 3,000,000); QN-NQ13 line 2,600,000.
    surveyed = survey(halong_officer, assessment, income_per_capita=2_050_000)
    surveyed.refresh_from_db()
    assert surveyed.national_status == PovertyStatus.AVERAGE
    assert surveyed.provincial_status == PovertyStatus.POOR
    # Issue 12 item 1: in Quảng Ninh the provincial standard makes the lists of its
    # years in force, so the result to decide is the provincial one (it was the
    # national "average" before, which left the province's poor off its list).
    assert surveyed.recorded_status == PovertyStatus.POOR
    assert surveyed.status == AssessmentStatus.SURVEYED
    assert set(surveyed.deprivations.values_list("code", flat=True)) == {
        "health_insurance",
        "water",
        "sanitation",
    }
    assert list(surveyed.causes.values_list("code", "is_primary")) == [
        ("no_capital", True),
        ("illness_accident", False),
    ]
    assert surveyed.surveyed_by == halong_officer
    assert surveyed.history.first().history_user == halong_officer


def test_survey_member_count_defaults_to_current_members(halong_officer, assessment):
    household = assessment.household
    MemberFactory(household=household)
    MemberFactory(household=household, left_on=D(2023, 1, 1))
    surveyed = survey(halong_officer, assessment, member_count=None)
    assert surveyed.member_count == 2  # head + one current member


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deprivation_codes": {"water", "moon_landing"}}, "deprivation_codes"),
        ({"causes": ["no_capital", "bad_luck"]}, "causes"),
        ({"primary_cause": "no_land"}, "primary_cause"),
        ({"causes": [], "primary_cause": None}, "causes"),
        ({"income_per_capita": -1}, "income_per_capita"),
        ({"income_per_capita": None, "score_a": None}, "income_per_capita"),
    ],
)
def test_survey_validation_leaves_assessment_unchanged(halong_officer, assessment, changes, field):
    with pytest.raises(ValidationError) as error:
        survey(halong_officer, assessment, **changes)
    assert field in error.value.message_dict
    assessment.refresh_from_db()
    assert (assessment.status, assessment.version, assessment.national_status) == ("listed", 1, "")
    assert not assessment.deprivations.exists()
    assert not assessment.causes.exists()


def test_survey_cause_message_for_poor_household(halong_officer, assessment):
    with pytest.raises(ValidationError) as error:
        survey(halong_officer, assessment, causes=[], primary_cause=None)
    assert error.value.message_dict["causes"] == [
        "Record at least one cause for a poor or near-poor household."
    ]


def test_survey_not_poor_needs_no_cause(halong_officer, assessment):
    surveyed = survey(
        halong_officer, assessment, income_per_capita=5_000_000, causes=[], primary_cause=None
    )
    assert surveyed.national_status == surveyed.provincial_status == PovertyStatus.NOT_POOR


def test_survey_with_stale_version_is_refused(halong_officer, assessment):
    survey(halong_officer, assessment)
    with pytest.raises(StaleEdit):
        services.assessment_survey(
            actor=halong_officer, assessment=assessment, version=1, **POOR_SURVEY
        )
    assessment.refresh_from_db()
    assert assessment.version == 2


def test_survey_after_agreement_needs_send_back(halong_officer, assessment):
    survey(halong_officer, assessment)
    meet(halong_officer, assessment)
    with pytest.raises(ValidationError):
        survey(halong_officer, assessment)
    services.assessment_send_back(
        actor=halong_officer, assessment=assessment, reason="Complaint upheld"
    )
    assert assessment.status == AssessmentStatus.SURVEYED
    assert assessment.meeting_agreed is None
    assert "Complaint upheld" in assessment.notes
    survey(halong_officer, assessment, income_per_capita=1_000_000)


# --- Meeting, posting, decision --------------------------------------------------------


def test_meeting_with_exactly_half_agreeing_passes(halong_officer, assessment):
    survey(halong_officer, assessment)
    meet(halong_officer, assessment, attendees=10, agreed=5)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.AGREED


def test_meeting_below_half_stays_surveyed_with_note(halong_officer, assessment):
    survey(halong_officer, assessment)
    meet(halong_officer, assessment, attendees=11, agreed=5)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SURVEYED
    assert (
        "meeting on 10/10/2024: 5/11 agreed — re-survey and meet again" in assessment.notes.lower()
    )
    assert assessment.history.first().meeting_agreed == 5


@pytest.mark.parametrize(("attendees", "agreed"), [(0, 0), (5, 6), (5, -1)])
def test_meeting_counts_are_validated(halong_officer, assessment, attendees, agreed):
    survey(halong_officer, assessment)
    with pytest.raises(ValidationError):
        meet(halong_officer, assessment, attendees=attendees, agreed=agreed)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SURVEYED
    assert assessment.meeting_attendees is None


def test_no_recognition_without_a_passed_meeting(halong_officer, halong_head, assessment):
    survey(halong_officer, assessment)
    meet(halong_officer, assessment, attendees=10, agreed=4)
    with pytest.raises(ValidationError):
        post(halong_officer, assessment)
    with pytest.raises(ValidationError):
        recognise(halong_head, assessment)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SURVEYED
    assert assessment.certificate_number == ""


def test_posting_cannot_end_before_it_starts(halong_officer, assessment):
    survey(halong_officer, assessment)
    meet(halong_officer, assessment)
    with pytest.raises(ValidationError) as error:
        services.assessment_post(
            actor=halong_officer,
            assessment=assessment,
            posted_from=D(2024, 10, 12),
            posted_to=D(2024, 10, 11),
        )
    assert "posted_to" in error.value.message_dict


def test_officer_cannot_recognise(halong_officer, assessment):
    posted(halong_officer, assessment)
    with pytest.raises(PermissionDenied):
        recognise(halong_officer, assessment)
    assessment.refresh_from_db()
    assert (assessment.status, assessment.certificate_number) == ("posted", "")


def test_recognition_numbers_certificates_per_unit_and_year(halong_officer, halong_head, ward):
    rounds = ReviewRoundFactory(unit=ward, year=2024)
    first, second, average = (
        AssessmentFactory(household=HouseholdFactory(unit=ward), round=rounds) for _ in range(3)
    )
    posted(halong_officer, first)
    posted(halong_officer, second, income_per_capita=1_800_000, deprivation_codes={"water"})
    posted(halong_officer, average, income_per_capita=2_500_000, causes=[], primary_cause=None)
    recognise(halong_head, first)
    recognise(halong_head, second)
    recognise(halong_head, average)
    assert first.certificate_number == "001/GCN-HN.HCN"
    assert second.certificate_number == "002/GCN-HN.HCN"
    assert second.recorded_status == PovertyStatus.NEAR_POOR
    assert average.certificate_number == ""  # average living standard: no certificate
    assert average.status == AssessmentStatus.RECOGNISED
    # Numbering restarts for another year.
    assert services.next_certificate_number(ward.pk, 2025) == "001/GCN-HN.HCN"


def test_refusal_needs_a_reason(halong_officer, halong_head, assessment):
    survey(halong_officer, assessment)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.assessment_refuse(
                actor=halong_head,
                assessment=assessment,
                decision_date=D(2024, 10, 20),
                signer="Chủ tịch",
                reason=reason,
            )
        assert "reason" in error.value.message_dict
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SURVEYED
    services.assessment_refuse(
        actor=halong_head,
        assessment=assessment,
        decision_date=D(2024, 10, 20),
        signer="Chủ tịch",
        reason="Income above the line",
    )
    assessment.refresh_from_db()
    assert (assessment.status, assessment.refusal_reason) == ("refused", "Income above the line")


def test_officer_cannot_refuse(halong_officer, assessment):
    survey(halong_officer, assessment)
    with pytest.raises(PermissionDenied):
        services.assessment_refuse(
            actor=halong_officer,
            assessment=assessment,
            decision_date=D(2024, 10, 20),
            signer="x",
            reason="y",
        )


# --- Bulk actions --------------------------------------------------------------------


def test_bulk_post_is_all_or_nothing(halong_officer, ward, round_2024):
    ready = AssessmentFactory(household=HouseholdFactory(unit=ward), round=round_2024)
    behind = AssessmentFactory(household=HouseholdFactory(unit=ward), round=round_2024)
    survey(halong_officer, ready)
    meet(halong_officer, ready)
    survey(halong_officer, behind)
    with pytest.raises(ValidationError) as error:
        services.bulk_post(
            actor=halong_officer,
            assessments=[ready, behind],
            posted_from=D(2024, 10, 14),
            posted_to=D(2024, 10, 16),
        )
    assert behind.household.code in str(error.value)
    assert ready.household.code not in str(error.value)
    ready.refresh_from_db()
    assert (ready.status, ready.posted_from) == ("agreed", None)


def test_bulk_meeting_recognise_in_one_go(halong_officer, halong_head, ward, round_2024):
    batch = [
        AssessmentFactory(household=HouseholdFactory(unit=ward), round=round_2024) for _ in range(3)
    ]
    for a in batch:
        survey(halong_officer, a)
    services.bulk_record_meeting(
        actor=halong_officer,
        assessments=batch,
        meeting_date=D(2024, 10, 10),
        chair="Tổ trưởng",
        attendees=20,
        agreed=15,
    )
    services.bulk_post(
        actor=halong_officer,
        assessments=batch,
        posted_from=D(2024, 10, 14),
        posted_to=D(2024, 10, 16),
    )
    with pytest.raises(PermissionDenied):
        services.bulk_recognise(
            actor=halong_officer,
            assessments=batch,
            decision_number="1",
            decision_date=D(2024, 12, 1),
            signer="x",
        )
    services.bulk_recognise(
        actor=halong_head,
        assessments=batch,
        decision_number="99/QĐ-UBND",
        decision_date=D(2024, 12, 1),
        signer="Chủ tịch",
    )
    numbers = sorted(round_2024.assessments.values_list("certificate_number", flat=True))
    assert numbers == ["001/GCN-HN.HCN", "002/GCN-HN.HCN", "003/GCN-HN.HCN"]


# --- Timeline ------------------------------------------------------------------------------


def _recognised_history(household, ward, statuses):
    for year, status in statuses:
        a = AssessmentFactory(
            household=household,
            round=ReviewRoundFactory(unit=ward, year=year),
            status=AssessmentStatus.RECOGNISED,
            national_status=status,
            recorded_status=status,
        )
        a.deprivations.set(standard().indicators.all()[:3])


@pytest.mark.parametrize("years", [2, 6])
def test_household_timeline_query_count_is_constant(ward, years, django_assert_num_queries):
    household = HouseholdFactory(unit=ward)
    _recognised_history(household, ward, [(2020 + i, "poor") for i in range(years)])
    with django_assert_num_queries(3):
        rows = review_selectors.household_timeline(household)
    assert len(rows) == years
    assert rows[0].b_score == 30


def test_household_timeline_transitions(ward):
    household = HouseholdFactory(unit=ward)
    _recognised_history(household, ward, [(2022, "poor"), (2023, "near_poor"), (2024, "average")])
    rows = review_selectors.household_timeline(household)
    assert [(r.year, r.transition) for r in rows] == [
        (2024, "near_poor_exited"),
        (2023, "poor_to_near_poor"),
        (2022, "new_poor"),
    ]


# --- Regular review: 15 days from the start of the monthly review (QĐ 24, Điều 5) ----


@pytest.mark.parametrize(
    ("applied", "start", "deadline"),
    [
        (D(2026, 3, 1), D(2026, 3, 15), D(2026, 3, 30)),
        (D(2026, 3, 15), D(2026, 3, 15), D(2026, 3, 30)),
        (D(2026, 3, 16), D(2026, 4, 15), D(2026, 4, 30)),
        (D(2026, 12, 20), D(2027, 1, 15), D(2027, 1, 30)),
    ],
)
def test_regular_deadline_runs_from_the_start_of_the_monthly_review(applied, start, deadline):
    from households.models import Assessment

    assessment = Assessment(application_date=applied)

    assert assessment.regular_review_start == start
    assert assessment.decision_deadline == deadline


@pytest.mark.parametrize(
    ("today", "applied", "overdue"),
    [
        # Applied 16/3: reviewed from 15/4, due 30/4.
        (D(2026, 4, 30), D(2026, 3, 16), False),
        (D(2026, 5, 1), D(2026, 3, 16), True),
        # Applied 15/3: due 30/3.
        (D(2026, 3, 30), D(2026, 3, 15), False),
        (D(2026, 3, 31), D(2026, 3, 15), True),
        (D(2026, 3, 31), D(2026, 3, 16), False),
    ],
)
def test_overdue_applications_at_the_deadline(halong_officer, ward, today, applied, overdue):
    regular = ReviewRoundFactory(unit=ward, year=2026, kind=ReviewKind.REGULAR)
    assessment = AssessmentFactory(
        household=HouseholdFactory(unit=ward), round=regular, application_date=applied
    )

    found = list(review_selectors.overdue_applications([ward.pk], today))

    assert (assessment in found) is overdue
    assert (review_selectors.deadline_state(assessment, today) == "overdue") is overdue


def test_a_score_only_survey_is_not_refused_by_the_provincial_standard(halong_officer, assessment):
    # QN-NQ13-2023 has no A-score line: it needs the measured income. ND07 accepts
    # the A-score (urban line 175), so the survey is recorded and classified nationally.
    surveyed = survey(halong_officer, assessment, income_per_capita=None, score_a=150)

    surveyed.refresh_from_db()
    assert surveyed.national_status == PovertyStatus.POOR
    assert surveyed.provincial_status == ""
    assert not PovertyStandard.objects.get(code="QN-NQ13-2023").accepts_score_a("urban")


# --- Posting and complaints (QĐ 24/2021, step 4) -------------------------------------------


def test_posting_lasts_three_working_days(halong_officer, assessment):
    survey(halong_officer, assessment)
    meet(halong_officer, assessment)
    # Fri 11/10 – Mon 14/10 2024: two working days.
    with pytest.raises(ValidationError) as error:
        services.assessment_post(
            actor=halong_officer,
            assessment=assessment,
            posted_from=D(2024, 10, 11),
            posted_to=D(2024, 10, 14),
        )
    assert "3 working days" in " ".join(error.value.message_dict["posted_to"])
    posted = services.assessment_post(
        actor=halong_officer,
        assessment=assessment,
        posted_from=D(2024, 10, 11),
        posted_to=D(2024, 10, 15),
    )
    assert posted.status == AssessmentStatus.POSTED


def test_decision_before_the_posting_ended_is_refused(halong_officer, halong_head, assessment):
    posted(halong_officer, assessment)  # posted 14–16/10/2024
    with pytest.raises(ValidationError) as error:
        services.assessment_recognise(
            actor=halong_head,
            assessment=assessment,
            decision_number="1/QĐ",
            decision_date=D(2024, 10, 16),
            signer="Chủ tịch",
        )
    assert "decision_date" in error.value.message_dict
    decided = services.assessment_recognise(
        actor=halong_head,
        assessment=assessment,
        decision_number="1/QĐ",
        decision_date=D(2024, 10, 17),
        signer="Chủ tịch",
    )
    assert decided.status == AssessmentStatus.RECOGNISED


def _complain(actor, assessment, **changes):
    from households.services import complaints

    return complaints.complaint_record(
        actor=actor,
        assessment=assessment,
        **{
            "received_on": D(2024, 10, 15),
            "complainant": " Nguyễn   Văn Bình ",
            "channel": "written",
            "content": "Hộ có xe ô tô, không thuộc diện nghèo.",
            **changes,
        },
    )


def test_unsettled_complaint_blocks_the_decision_until_re_verified(
    halong_officer, halong_head, assessment
):
    from households.services import complaints

    posted(halong_officer, assessment)
    complaint = _complain(halong_officer, assessment)
    assert complaint.complainant == "Nguyễn Văn Bình"

    with pytest.raises(ValidationError) as error:
        recognise(halong_head, assessment)
    assert "not settled" in " ".join(error.value.message_dict["decision_date"])

    complaints.complaint_settle(
        actor=halong_officer,
        complaint=complaint,
        version=complaint.version,
        rechecked_on=D(2024, 10, 18),
        recheck_result="Xe ô tô của người thân, hộ không sở hữu.",
        outcome="rejected",
    )
    assessment.refresh_from_db()
    assert recognise(halong_head, assessment).status == AssessmentStatus.RECOGNISED


def test_upheld_complaint_sends_the_assessment_back_for_a_re_survey(halong_officer, assessment):
    from households.services import complaints

    posted(halong_officer, assessment)
    complaint = _complain(halong_officer, assessment)
    complaints.complaint_settle(
        actor=halong_officer,
        complaint=complaint,
        version=complaint.version,
        rechecked_on=D(2024, 10, 17),
        recheck_result="Thu nhập thực tế cao hơn kê khai.",
        outcome="upheld",
    )

    assessment.refresh_from_db()
    complaint.refresh_from_db()
    assert assessment.status == AssessmentStatus.SURVEYED
    assert assessment.posted_from is None and "upheld" in assessment.notes
    assert complaint.is_settled and complaint.outcome == "upheld"


def test_complaint_needs_a_posted_result_and_its_facts(halong_officer, assessment):
    survey(halong_officer, assessment)
    with pytest.raises(ValidationError) as error:
        _complain(halong_officer, assessment)
    assert "received_on" in error.value.message_dict
    meet(halong_officer, assessment)
    post(halong_officer, assessment)
    with pytest.raises(ValidationError) as error:
        _complain(
            halong_officer,
            assessment,
            received_on=D(2024, 10, 1),
            complainant="",
            channel="pigeon",
            content=" ",
        )
    assert set(error.value.message_dict) == {"received_on", "complainant", "channel", "content"}


def test_complaint_of_another_ward_is_refused(baichay_officer, halong_officer, assessment):
    posted(halong_officer, assessment)
    with pytest.raises(PermissionDenied):
        _complain(baichay_officer, assessment)

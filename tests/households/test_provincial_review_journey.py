"""Issue 12's journey: a ward runs its 2025 periodic review under Quảng Ninh's standard.

One household between the national line and the provincial one (urban ward:
2,000,000 ₫ national, 2,600,000 ₫ provincial), three deprivations: not poor
nationally, poor on Quảng Ninh's list. It goes through every step — listed,
surveyed, village meeting, posting, a complaint settled by re-verification,
the chair's decision after the posting — gets a certificate, is printed on
the review's documents, and the ward submits; the city sees the submission;
the list, the household year and the report say it is poor under QN-NQ13 with
the national classification beside it.
"""

import datetime

import pytest
from django.urls import reverse

from halong.reports import annual_report
from households.models import (
    AssessmentStatus,
    ComplaintChannel,
    ComplaintOutcome,
    HouseholdYear,
    ResultSubmission,
    ReviewKind,
)
from households.services import complaints as complaint_services
from households.services import review as services
from households.services import submissions as submission_services
from households.submission_data import ensure_reporting_lines
from tests.conftest import unit
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_ward_runs_the_2025_review_under_the_provincial_standard(
    client, units, halong_head, city_head
):
    ensure_reporting_lines()
    ward = unit("6688")
    household = HouseholdFactory(unit=ward, code="HL-QN1", head__full_name="Trần Thị Quảng")

    review_round = services.round_open(
        actor=halong_head, unit=ward, year=2025, kind=ReviewKind.PERIODIC, opened_on=D(2025, 9, 1)
    )
    assert (review_round.standard.code, review_round.provincial_standard.code) == (
        "ND07-2022",
        "QN-NQ13-2023",
    )
    assessment = services.assessment_create(
        actor=halong_head, household=household, review_round=review_round
    )
    assessment = services.assessment_survey(
        actor=halong_head,
        assessment=assessment,
        version=assessment.version,
        surveyed_on=D(2025, 9, 20),
        member_count=4,
        income_per_capita=2_300_000,
        score_a=None,
        deprivation_codes={"housing_quality", "health_insurance", "employment"},
        causes=["no_capital"],
        primary_cause="no_capital",
        support_needs=[],
    )
    assert (assessment.national_status, assessment.provincial_status) == ("average", "poor")
    assert assessment.recorded_status == "poor"  # the provincial standard makes the list

    assessment = services.assessment_record_meeting(
        actor=halong_head,
        assessment=assessment,
        version=assessment.version,
        meeting_date=D(2025, 10, 10),
        chair="Trưởng khu phố",
        attendees=20,
        agreed=15,
    )
    assessment = services.assessment_post(
        actor=halong_head,
        assessment=assessment,
        version=assessment.version,
        posted_from=D(2025, 10, 13),
        posted_to=D(2025, 10, 17),
    )
    complaint = complaint_services.complaint_record(
        actor=halong_head,
        assessment=assessment,
        received_on=D(2025, 10, 14),
        complainant="Nguyễn Văn Bình",
        channel=ComplaintChannel.IN_PERSON,
        content="Hộ có thu nhập cao hơn kê khai.",
    )
    complaint_services.complaint_settle(
        actor=halong_head,
        complaint=complaint,
        version=None,
        rechecked_on=D(2025, 10, 20),
        recheck_result="Phúc tra: thu nhập đúng như phiếu khảo sát.",
        outcome=ComplaintOutcome.REJECTED,
    )
    assessment.refresh_from_db()
    assessment = services.assessment_recognise(
        actor=halong_head,
        assessment=assessment,
        version=assessment.version,
        decision_number="15/QĐ-UBND",
        decision_date=D(2025, 12, 10),
        signer="Chủ tịch UBND phường",
    )
    assert assessment.status == AssessmentStatus.RECOGNISED
    assert assessment.certificate_number.endswith("/GCN-HN.HCN")

    year = HouseholdYear.objects.get(household=household, year=2025)
    assert (year.status, year.national_status, year.list_level) == ("poor", "average", "provincial")

    # The documents of the review print (HTML and PDF).
    client.force_login(halong_head)
    for name, pk, shows in (
        ("households:assessment_survey_form", assessment.pk, "HL-QN1"),
        (
            "households:assessment_certificate_document",
            assessment.pk,
            assessment.certificate_number,
        ),
        ("households:round_posting_list", review_round.pk, "HL-QN1"),
        ("households:round_decision", review_round.pk, "Trần Thị Quảng"),
    ):
        page = client.get(reverse(name, args=[pk]))
        assert page.status_code == 200, name
        assert shows in page.content.decode(), name
    pdf = client.get(
        reverse("households:round_decision", args=[review_round.pk]), {"format": "pdf"}
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    submission = submission_services.results_submit(actor=halong_head, unit=ward, year=2025)
    assert ResultSubmission.objects.filter(pk=submission.pk).exists()
    client.force_login(city_head)
    city_page = client.get(reverse("households:submission_list"), {"year": 2025})
    assert ward.name in city_page.content.decode()

    report = annual_report(year=2025, root=ward.parent or None, units=[ward])
    row = report.units[0]
    assert (row.poor.end, row.national["poor"]) == (1, 0)
    assert report.as_json()["view"] == "list"

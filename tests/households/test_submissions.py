"""Submitting yearly results upward: the lock, sending back, the city's overview."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from households.models import AssessmentStatus, ResultSubmission, SubmissionStatus
from households.services import review as review_services
from households.services import submissions as services
from households.submission_data import ensure_reporting_lines
from tests.conftest import unit
from tests.factories import AssessmentFactory, HouseholdFactory, ReviewRoundFactory

D = datetime.date


@pytest.fixture
def ward(units):
    ensure_reporting_lines()
    return unit("6688")


@pytest.fixture
def decided(ward):
    review_round = ReviewRoundFactory(unit=ward, year=2025)
    return AssessmentFactory(
        household=HouseholdFactory(unit=ward),
        round=review_round,
        status=AssessmentStatus.RECOGNISED,
        recorded_status="poor",
        decision_number="1/QĐ",
        decision_date=D(2025, 12, 10),
        decision_signer="Chủ tịch",
    )


@pytest.fixture
def posted(decided):
    return AssessmentFactory(
        household=HouseholdFactory(unit=decided.unit),
        round=decided.round,
        status=AssessmentStatus.POSTED,
        recorded_status="near_poor",
        posted_from=D(2025, 11, 20),
        posted_to=D(2025, 11, 26),
    )


def test_submit_records_upper_and_summary_when_all_decided(halong_head, decided, city):
    submission = services.results_submit(actor=halong_head, unit=decided.unit, year=2025)

    assert submission.upper == city
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.summary == {"poor": 1, "near_poor": 0, "not_listed": 0, "refused": 0}


def test_submit_refused_while_a_household_is_undecided(halong_head, posted):
    with pytest.raises(ValidationError) as raised:
        services.results_submit(actor=halong_head, unit=posted.unit, year=2025)

    assert "1" in raised.value.message_dict["year"][0]
    assert not ResultSubmission.objects.exists()


def test_officer_cannot_submit(halong_officer, decided):
    with pytest.raises(PermissionDenied):
        services.results_submit(actor=halong_officer, unit=decided.unit, year=2025)

    assert not ResultSubmission.objects.exists()


def test_locked_results_refuse_review_writes(halong_head, decided, posted):
    posted.status = AssessmentStatus.RECOGNISED
    posted.save()
    services.results_submit(actor=halong_head, unit=decided.unit, year=2025)
    refused = AssessmentFactory(
        household=HouseholdFactory(unit=decided.unit),
        round=decided.round,
        status=AssessmentStatus.SURVEYED,
    )
    before = (refused.status, refused.version)

    with pytest.raises(ValidationError) as raised:
        review_services.assessment_refuse(
            actor=halong_head,
            assessment=refused,
            decision_date=D(2025, 12, 12),
            signer="Chủ tịch",
            reason="Vượt chuẩn",
        )

    assert "locked" in " ".join(raised.value.messages) or "khóa" in " ".join(raised.value.messages)
    refused.refresh_from_db()
    assert (refused.status, refused.version) == before


def test_reopen_unlocks_and_keeps_history(halong_head, city_head, decided):
    submission = services.results_submit(actor=halong_head, unit=decided.unit, year=2025)

    services.results_reopen(
        actor=city_head, submission=submission, reason="Thiếu biên bản họp", version=1
    )

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.RETURNED
    assert submission.return_reason == "Thiếu biên bản họp"
    services.ensure_results_open(unit_id=decided.unit_id, year=2025)  # no longer raises
    statuses = list(submission.history.order_by("history_date").values_list("status", flat=True))
    assert statuses == ["submitted", "returned"]
    resubmitted = services.results_submit(
        actor=halong_head, unit=decided.unit, year=2025, version=submission.version
    )
    assert resubmitted.pk == submission.pk and resubmitted.is_locked


def test_reopen_needs_a_reason_and_the_upper_level(halong_head, city_staff, city_head, decided):
    submission = services.results_submit(actor=halong_head, unit=decided.unit, year=2025)

    with pytest.raises(PermissionDenied):
        services.results_reopen(actor=city_staff, submission=submission, reason="x", version=1)
    with pytest.raises(PermissionDenied):
        services.results_reopen(actor=halong_head, submission=submission, reason="x", version=1)
    with pytest.raises(ValidationError):
        services.results_reopen(actor=city_head, submission=submission, reason=" ", version=1)

    submission.refresh_from_db()
    assert submission.is_locked


def test_city_sees_submitted_and_late_wards(client, city_staff, halong_head, decided, ward):
    services.results_submit(actor=halong_head, unit=decided.unit, year=2025)
    client.force_login(city_staff)

    response = client.get(reverse("households:submission_list") + "?year=2024")
    rows = {r.unit.code: r for r in response.context["rows"]}
    assert rows["6688"].state == "late"  # 2024 never submitted, deadline 31/12/2024 passed

    response = client.get(reverse("households:submission_list") + "?year=2025")
    rows = {r.unit.code: r for r in response.context["rows"]}
    # Today is past 31/12/2025 only when the suite runs after that day.
    on_time = datetime.date.today() <= D(2025, 12, 31)
    assert rows["6688"].state == ("submitted" if on_time else "submitted_late")
    assert rows["6673"].state == ("pending" if on_time else "late")
    assert rows["6673"].submission is None
    assert "Phường Hạ Long" in response.content.decode()


def test_ward_head_submits_through_the_page(client, halong_head, decided):
    client.force_login(halong_head)

    response = client.post(
        reverse("households:submission_submit"), {"unit": decided.unit_id, "year": 2025}
    )

    assert response.status_code == 302
    assert ResultSubmission.objects.get().submitted_by == halong_head


def test_other_ward_cannot_submit_for_hạ_long(client, baichay_officer, decided):
    client.force_login(baichay_officer)

    response = client.post(
        reverse("households:submission_submit"), {"unit": decided.unit_id, "year": 2025}
    )

    assert response.status_code == 404
    assert not ResultSubmission.objects.exists()


def test_city_head_sends_back_through_the_page(client, city_head, halong_head, decided):
    submission = services.results_submit(actor=halong_head, unit=decided.unit, year=2025)
    client.force_login(city_head)

    response = client.post(
        reverse("households:submission_return", args=[submission.pk]),
        {"reason": "Sai số liệu", "version": submission.version},
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert (submission.status, submission.returned_by) == (SubmissionStatus.RETURNED, city_head)
    page = client.get(reverse("households:submission_detail", args=[submission.pk]))
    assert "Sai số liệu" in page.content.decode()


def test_submission_page_of_another_ward_is_404(client, baichay_officer, halong_head, decided):
    submission = services.results_submit(actor=halong_head, unit=decided.unit, year=2025)
    client.force_login(baichay_officer)

    response = client.get(reverse("households:submission_detail", args=[submission.pk]))

    assert response.status_code == 404


def test_overview_query_count_does_not_grow_with_submissions(
    client, city_staff, halong_head, decided, django_assert_max_num_queries
):
    client.force_login(city_staff)
    path = reverse("households:submission_list") + "?year=2025"
    client.get(path)
    with django_assert_max_num_queries(40) as small:
        client.get(path)
    services.results_submit(actor=halong_head, unit=decided.unit, year=2025)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(path)

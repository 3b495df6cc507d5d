"""Printed documents: content (HTML context and PDF text), scoping, access log."""

import datetime
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communes.models import AccessKind, AccessLog
from households.documents import html_to_pdf
from households.models import AssessmentStatus, VillageMeeting
from households.services import meetings as meeting_services
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    HouseholdFactory,
    MemberFactory,
    ReviewRoundFactory,
    VillageFactory,
    standard,
)

D = datetime.date
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils")


def pdf_text(content: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode()


@pytest.fixture
def ward(units):
    return unit("6688")


@pytest.fixture
def village(ward):
    return VillageFactory(parent=ward, name="Tổ dân phố 5")


def _household(ward, village, code, name, **head):
    household = HouseholdFactory(
        unit=ward,
        village=village,
        code=code,
        address="Số 12 phố Lê Lợi",
        head__full_name=name,
        head__citizen_id=head.pop("citizen_id", "022180000123"),
        head__ethnicity=head.pop("ethnicity", "Tày"),
        head__birth_year=1975,
        head__sex="female",
    )
    return household


@pytest.fixture
def review(ward, village):
    """The 2025 periodic review of Hạ Long: two recognised, one exit, one refusal."""
    review_round = ReviewRoundFactory(
        unit=ward, year=2025, provincial_standard=standard("QN-NQ13-2023")
    )
    last_year = ReviewRoundFactory(unit=ward, year=2024)
    poor = _household(ward, village, "HL-001", "Lê Thị Hoa")
    MemberFactory(household=poor, full_name="Lê Văn Nam", birth_year=2012, ethnicity="Tày")
    near = _household(ward, village, "HL-002", "Phạm Thị Mai", citizen_id="022190000456")
    exited = _household(ward, village, "HL-003", "Đỗ Văn Hùng", citizen_id="022170000789")
    refused = _household(ward, village, "HL-004", "Vũ Thị Lan", citizen_id="022185000321")
    AssessmentFactory(
        household=exited,
        round=last_year,
        status=AssessmentStatus.RECOGNISED,
        recorded_status="poor",
        national_status="poor",
    )
    decided = {
        "status": AssessmentStatus.RECOGNISED,
        "decision_number": "125/QĐ-UBND",
        "decision_date": D(2025, 12, 10),
        "decision_signer": "Trần Văn Quyết",
        "posted_from": D(2025, 11, 20),
        "posted_to": D(2025, 11, 26),
        "meeting_attendees": 40,
        "meeting_agreed": 31,
        "surveyed_on": D(2025, 10, 2),
        "score_a": 120,
        "member_count": 2,
    }
    a_poor = AssessmentFactory(
        household=poor,
        round=review_round,
        recorded_status="poor",
        national_status="near_poor",
        provincial_status="poor",
        certificate_number="001/GCN-HN.HCN",
        **decided,
    )
    a_poor.deprivations.set(
        standard().indicators.filter(code__in=["water", "sanitation", "telecom"])
    )
    a_near = AssessmentFactory(
        household=near,
        round=review_round,
        recorded_status="near_poor",
        national_status="near_poor",
        certificate_number="002/GCN-HN.HCN",
        **decided,
    )
    a_exit = AssessmentFactory(
        household=exited, round=review_round, recorded_status="not_poor", **decided
    )
    a_refused = AssessmentFactory(
        household=refused,
        round=review_round,
        status=AssessmentStatus.REFUSED,
        decision_date=D(2025, 12, 10),
        decision_signer="Trần Văn Quyết",
        decision_number="126/TB-UBND",
        refusal_reason="Thu nhập bình quân vượt chuẩn cận nghèo của tỉnh.",
    )
    return {
        "round": review_round,
        "poor": a_poor,
        "near": a_near,
        "exit": a_exit,
        "refused": a_refused,
    }


@pytest.fixture
def meeting(review, village, halong_officer):
    return meeting_services.meeting_record(
        actor=halong_officer,
        review_round=review["round"],
        village=village,
        held_on=D(2025, 11, 15),
        place="Nhà văn hóa tổ 5",
        chair="Nguyễn Văn Trưởng",
        chair_title="Tổ trưởng tổ dân phố 5",
        secretary="Hoàng Thị Thư",
        attendee_count=40,
        attendee_names="Nguyễn Văn A\nTrần Thị B",
        assessments=[review["poor"], review["near"], review["exit"]],
    )


def url(name, pk, query=""):
    return reverse(f"households:{name}", args=[pk]) + query


# --- Content ------------------------------------------------------------------------------


def test_decision_lists_the_three_annexes_when_rendered(client, halong_head, review):
    client.force_login(halong_head)

    response = client.get(url("round_decision", review["round"].pk))

    assert response.status_code == 200
    groups = response.context["groups"]
    assert [a.household.code for a in groups["poor"].rows] == ["HL-001"]
    assert [a.household.code for a in groups["near_poor"].rows] == ["HL-002"]
    assert [a.household.code for a in groups["exited_poor"].rows] == ["HL-003"]
    assert groups["exited_near_poor"].rows == []
    assert response.context["decision_number"] == "125/QĐ-UBND"
    assert response.context["list_year"] == 2026
    body = response.content.decode()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body.upper()
    assert "Phụ lục III" in body
    assert "001/GCN-HN.HCN" in body
    assert "Vũ Thị Lan" not in body  # refused: on no list


@needs_pdftotext
def test_decision_pdf_carries_motto_number_and_households(client, halong_head, review):
    client.force_login(halong_head)

    response = client.get(url("round_decision", review["round"].pk, "?format=pdf"))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="quyet-dinh-')
    text = pdf_text(response.content)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Số: 125/QĐ-UBND" in text
    assert "Hạ Long, ngày 10 tháng 12 năm 2025" in text
    assert "HN.HCN" in text and "Hùng" in text
    assert "Trần Văn Quyết" in text


def test_decision_unknown_number_is_404(client, halong_head, review):
    client.force_login(halong_head)

    response = client.get(url("round_decision", review["round"].pk, "?number=999/QĐ"))

    assert response.status_code == 404


def test_survey_form_shows_scores_and_deprivations(client, halong_officer, review):
    client.force_login(halong_officer)

    response = client.get(url("assessment_survey_form", review["poor"].pk))

    context = response.context
    assert context["b_score"] == 30
    assert context["deprived_count"] == 3
    deprived = {r.indicator.code for d in context["dimensions"] for r in d.rows if r.deprived}
    assert deprived == {"water", "sanitation", "telecom"}
    assert context["head_citizen_id"] == "••••••••0123"
    body = response.content.decode()
    assert "022180000123" not in body
    assert "Phiếu B1" in body and "Phiếu B2" in body
    assert "120 điểm" in body


@needs_pdftotext
def test_survey_form_pdf_has_vietnamese_text(client, halong_officer, review):
    client.force_login(halong_officer)

    response = client.get(url("assessment_survey_form", review["poor"].pk, "?format=pdf"))

    text = pdf_text(response.content)
    assert "PHIẾU B2" in text
    assert "Tổng điểm B (3 chỉ số thiếu hụt)" in text


def test_certificate_lists_members_with_sex_and_ethnicity(client, halong_head, review):
    client.force_login(halong_head)

    response = client.get(url("assessment_certificate_document", review["poor"].pk))

    members = response.context["members"]
    assert [(m.full_name, m.birth_year, m.ethnicity) for m in members] == [
        ("Lê Thị Hoa", 1975, "Tày"),
        ("Lê Văn Nam", 2012, "Tày"),
    ]
    body = response.content.decode()
    assert "022180000123" in body
    assert "Nữ" in body or "Female" in body
    log = AccessLog.objects.get()
    assert (log.kind, log.household_id, log.detail["document"]) == (
        AccessKind.REVEAL_CITIZEN_ID,
        review["poor"].household_id,
        "certificate",
    )


def test_certificate_document_is_404_for_a_refused_household(client, halong_head, review):
    client.force_login(halong_head)

    response = client.get(url("assessment_certificate_document", review["refused"].pk))

    assert response.status_code == 404


def test_refusal_letter_states_the_reason(client, halong_head, review):
    client.force_login(halong_head)

    response = client.get(url("assessment_refusal_letter", review["refused"].pk))

    body = response.content.decode()
    assert "Thu nhập bình quân vượt chuẩn cận nghèo của tỉnh." in body
    assert "Kính gửi: Bà" in body and "Vũ Thị Lan" in body
    assert "126/TB-UBND" in body


def test_refusal_letter_is_404_when_not_refused(client, halong_head, review):
    client.force_login(halong_head)

    assert client.get(url("assessment_refusal_letter", review["poor"].pk)).status_code == 404


def test_posting_list_shows_the_posting_dates(client, halong_officer, review):
    client.force_login(halong_officer)

    response = client.get(url("round_posting_list", review["round"].pk))

    assert (response.context["posted_from"], response.context["posted_to"]) == (
        D(2025, 11, 20),
        D(2025, 11, 26),
    )
    titles = {g.title: len(g.rows) for g in response.context["groups"]}
    assert titles == {
        "Hộ nghèo": 1,
        "Hộ cận nghèo": 1,
        "Hộ thoát nghèo": 1,
        "Hộ thoát cận nghèo": 0,
    }
    assert "20/11/2025" in response.content.decode()


def test_minutes_show_chair_secretary_attendees_and_votes(client, halong_officer, meeting):
    client.force_login(halong_officer)

    response = client.get(url("meeting_minutes", meeting.pk))

    votes = response.context["votes"]
    assert [(v.assessment.household.code, v.share, v.passed) for v in votes] == [
        ("HL-001", 77.5, True),
        ("HL-002", 77.5, True),
        ("HL-003", 77.5, True),
    ]
    body = response.content.decode()
    for text in ("Nguyễn Văn Trưởng", "Hoàng Thị Thư", "Nguyễn Văn A", "Trần Thị B", "15/11/2025"):
        assert text in body
    log = AccessLog.objects.get()
    assert (log.kind, log.rows, log.detail) == (
        AccessKind.DOCUMENT,
        3,
        {"document": "meeting_minutes", "format": "html"},
    )


def test_pdf_download_is_logged_with_its_format(client, halong_officer, meeting):
    client.force_login(halong_officer)

    client.get(url("meeting_minutes", meeting.pk, "?format=pdf"))

    assert AccessLog.objects.get().detail == {"document": "meeting_minutes", "format": "pdf"}


def test_html_to_pdf_never_fetches_other_urls():
    pdf = html_to_pdf('<img src="http://127.0.0.1:1/x.png"><p>Xin chào</p>')

    assert pdf.startswith(b"%PDF")


# --- Scope and names ------------------------------------------------------------------------

DOCUMENT_URLS = [
    ("assessment_survey_form", "poor"),
    ("assessment_certificate_document", "poor"),
    ("assessment_refusal_letter", "refused"),
    ("round_posting_list", "round"),
    ("round_decision", "round"),
    ("round_documents", "round"),
    ("meeting_create", "round"),
]


@pytest.mark.parametrize(("name", "key"), DOCUMENT_URLS)
def test_other_wards_officer_gets_404_and_nothing_is_logged(
    client, baichay_officer, review, name, key
):
    client.force_login(baichay_officer)

    response = client.get(url(name, review[key].pk))

    assert response.status_code == 404
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize(("name", "key"), DOCUMENT_URLS)
def test_city_staff_without_names_grant_gets_403(client, city_staff, review, name, key):
    client.force_login(city_staff)

    response = client.get(url(name, review[key].pk))

    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_minutes_of_another_ward_are_404(client, baichay_officer, meeting):
    client.force_login(baichay_officer)

    assert client.get(url("meeting_minutes", meeting.pk)).status_code == 404


def test_city_staff_with_grant_reads_the_decision(client, city_staff_named, review):
    client.force_login(city_staff_named)

    response = client.get(url("round_decision", review["round"].pk))

    assert response.status_code == 200
    assert AccessLog.objects.get().user == city_staff_named


def test_member_cannot_record_a_meeting(client, halong_member, review):
    client.force_login(halong_member)

    response = client.get(url("meeting_create", review["round"].pk))

    assert response.status_code in (403, 404)


# --- Recording a meeting ------------------------------------------------------------------------


def test_officer_records_a_meeting_through_the_form(client, halong_officer, review, village):
    client.force_login(halong_officer)

    response = client.post(
        url("meeting_create", review["round"].pk),
        {
            "village": village.pk,
            "held_on": "2025-11-15",
            "chair": "Nguyễn Văn Trưởng",
            "secretary": "Hoàng Thị Thư",
            "attendee_count": "42",
            "attendee_names": "Nguyễn Văn A\n\nTrần Thị B\n",
            "assessments": [review["poor"].pk],
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    meeting = VillageMeeting.objects.get()
    assert (meeting.chair, meeting.secretary, meeting.attendee_count) == (
        "Nguyễn Văn Trưởng",
        "Hoàng Thị Thư",
        42,
    )
    assert meeting.attendee_list == ["Nguyễn Văn A", "Trần Thị B"]
    assert list(meeting.assessments.all()) == [review["poor"]]


def test_meeting_with_fewer_attendees_than_a_vote_is_refused(halong_officer, review):
    with pytest.raises(ValidationError) as raised:
        meeting_services.meeting_record(
            actor=halong_officer,
            review_round=review["round"],
            village=None,
            held_on=D(2025, 11, 15),
            chair="A",
            secretary="B",
            attendee_count=20,
            assessments=[review["poor"]],
        )

    assert set(raised.value.message_dict) == {"assessments"}
    assert not VillageMeeting.objects.exists()


def test_meeting_of_another_wards_village_is_refused(halong_officer, review, units):
    other_village = VillageFactory(parent=unit("6673"), name="Tổ 9")

    with pytest.raises(ValidationError) as raised:
        meeting_services.meeting_record(
            actor=halong_officer,
            review_round=review["round"],
            village=other_village,
            held_on=D(2025, 11, 15),
            chair="A",
            secretary="B",
            attendee_count=20,
        )

    assert set(raised.value.message_dict) == {"village"}
    assert not VillageMeeting.objects.exists()


def test_decision_query_count_does_not_grow_with_households(
    client, halong_head, review, village, django_assert_max_num_queries
):
    client.force_login(halong_head)
    path = url("round_decision", review["round"].pk)
    client.get(path)
    with django_assert_max_num_queries(30) as small:
        client.get(path)
    for i in range(6):
        household = _household(
            review["round"].unit,
            village,
            f"HL-1{i:02d}",
            f"Hộ {i}",
            citizen_id=f"0221900011{i:02d}",
        )
        AssessmentFactory(
            household=household,
            round=review["round"],
            status=AssessmentStatus.RECOGNISED,
            recorded_status="poor",
            decision_number="125/QĐ-UBND",
            decision_date=D(2025, 12, 10),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(path)

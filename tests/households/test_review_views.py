"""Pages of the yearly review: scoping, permissions and the full journey."""

import datetime

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from households.models import Assessment, AssessmentStatus, ReviewKind, ReviewRound
from tests.conftest import unit
from tests.factories import AssessmentFactory, HouseholdFactory, MemberFactory, ReviewRoundFactory

D = datetime.date


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def ward(units):
    return unit("6688")


@pytest.fixture
def household(ward):
    household = HouseholdFactory(
        unit=ward,
        head__full_name="Lê Thị Hoa",
        head__citizen_id="022180000123",
        head__ethnicity="Tày",
        head__birth_year=1975,
    )
    MemberFactory(household=household, full_name="Lê Văn Nam", birth_year=2012)
    return household


@pytest.fixture
def round_2024(ward):
    return ReviewRoundFactory(unit=ward, year=2024)


@pytest.fixture
def surveyed(round_2024, household):
    return AssessmentFactory(
        household=household,
        round=round_2024,
        status=AssessmentStatus.SURVEYED,
        national_status="poor",
        recorded_status="poor",
    )


def url(name, *args):
    return reverse(f"households:{name}", args=args)


def snapshot(assessment):
    assessment.refresh_from_db()
    return (assessment.status, assessment.version, assessment.meeting_agreed, assessment.notes)


def test_other_wards_assessment_is_404(client, baichay_officer, surveyed):
    client.force_login(baichay_officer)
    for name in (
        "assessment_detail",
        "assessment_survey",
        "assessment_meeting",
        "assessment_decide",
    ):
        assert client.get(url(name, surveyed.pk)).status_code == 404
    assert client.get(url("round_detail", surveyed.round.pk)).status_code == 404
    before = snapshot(surveyed)
    response = client.post(
        url("assessment_meeting", surveyed.pk),
        {"version": 1, "meeting_date": "2024-10-10", "chair": "x", "attendees": 2, "agreed": 2},
    )
    assert response.status_code == 404
    assert snapshot(surveyed) == before


def test_city_staff_without_names_grant_gets_403_on_named_pages(client, city_staff, surveyed):
    client.force_login(city_staff)
    assert client.get(url("assessment_detail", surveyed.pk)).status_code == 403
    assert client.get(url("round_detail", surveyed.round.pk)).status_code == 403
    assert client.get(url("round_list")).status_code == 200


def test_city_staff_reads_but_cannot_write(client, city_staff_named, surveyed):
    client.force_login(city_staff_named)
    assert client.get(url("assessment_detail", surveyed.pk)).status_code == 200
    assert client.get(url("round_detail", surveyed.round.pk)).status_code == 200
    assert client.get(url("round_list")).status_code == 200
    before = snapshot(surveyed)
    posts = {
        url("assessment_meeting", surveyed.pk): {
            "version": 1,
            "meeting_date": "2024-10-10",
            "chair": "x",
            "attendees": 2,
            "agreed": 2,
        },
        url("round_bulk", surveyed.round.pk): {"action": "meeting", "assessments": [surveyed.pk]},
        url("round_list_households", surveyed.round.pk): {},
        url("assessment_send_back", surveyed.pk): {"version": 1, "reason": "x"},
        url("round_create"): {"year": 2025},
    }
    for path, data in posts.items():
        assert client.post(path, data).status_code == 403, path
    assert snapshot(surveyed) == before
    assert ReviewRound.objects.count() == 1


def test_officer_cannot_decide(client, halong_officer, surveyed):
    surveyed.status = AssessmentStatus.POSTED
    surveyed.save()
    client.force_login(halong_officer)
    assert client.get(url("assessment_decide", surveyed.pk)).status_code == 403
    response = client.post(
        url("assessment_decide", surveyed.pk),
        {
            "version": 1,
            "decision": "recognise",
            "decision_number": "1/QĐ",
            "decision_date": "2024-12-01",
            "signer": "x",
        },
    )
    assert response.status_code == 403
    surveyed.refresh_from_db()
    assert (surveyed.status, surveyed.certificate_number) == ("posted", "")
    bulk = client.post(
        url("round_bulk", surveyed.round.pk),
        {
            "action": "recognise",
            "assessments": [surveyed.pk],
            "recognise-decision_number": "1",
            "recognise-decision_date": "2024-12-01",
            "recognise-signer": "x",
        },
    )
    assert bulk.status_code == 403
    surveyed.refresh_from_db()
    assert surveyed.status == "posted"


def test_get_pages_never_change_state(client, halong_head, surveyed):
    client.force_login(halong_head)
    before = snapshot(surveyed)
    for name in (
        "assessment_detail",
        "assessment_survey",
        "assessment_meeting",
        "assessment_decide",
    ):
        assert client.get(url(name, surveyed.pk)).status_code == 200
    for name in ("round_list_households", "round_bulk"):
        assert client.get(url(name, surveyed.round.pk)).status_code == 405
    assert client.get(url("assessment_send_back", surveyed.pk)).status_code == 405
    assert snapshot(surveyed) == before
    assert Assessment.objects.count() == 1


def test_failed_meeting_shows_warning_and_stays_surveyed(client, halong_officer, surveyed):
    client.force_login(halong_officer)
    response = client.post(
        url("assessment_meeting", surveyed.pk),
        {
            "version": 1,
            "meeting_date": "2024-10-10",
            "chair": "Tổ trưởng",
            "attendees": 9,
            "agreed": 4,
        },
        follow=True,
    )
    assert "Fewer than half" in response.content.decode()
    surveyed.refresh_from_db()
    assert surveyed.status == AssessmentStatus.SURVEYED
    assert "4/9 agreed" in surveyed.notes


def test_stale_survey_rerenders_posted_values(client, halong_officer, surveyed):
    client.force_login(halong_officer)
    data = {
        "version": 1,
        "surveyed_on": "2024-10-01",
        "income_per_capita": "1234567",
        "deprivations": ["water", "sanitation", "telecom"],
        "causes": ["no_capital"],
        "primary_cause": "no_capital",
    }
    Assessment.objects.filter(pk=surveyed.pk).update(version=2)
    response = client.post(url("assessment_survey", surveyed.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "after you opened it" in html or "changed by someone else" in html
    assert 'value="1234567"' in html
    surveyed.refresh_from_db()
    assert surveyed.income_per_capita is None


def test_survey_form_marks_suggestions_without_ticking_them(client, halong_officer, surveyed):
    # The head has no health insurance card: health_insurance is suggested.
    client.force_login(halong_officer)
    html = client.get(url("assessment_survey", surveyed.pk)).content.decode()
    assert "suggested from the member data" in html
    assert 'id="ind-health_insurance"' in html
    checkbox = html.split('id="ind-health_insurance"')[1].split(">")[0]
    assert "checked" not in checkbox


def test_round_page_shows_overdue_regular_application(client, halong_officer, ward, household):
    regular = ReviewRoundFactory(unit=ward, year=2024, kind=ReviewKind.REGULAR)
    AssessmentFactory(household=household, round=regular, application_date=D(2024, 3, 1))
    client.force_login(halong_officer)
    html = client.get(url("round_detail", regular.pk)).content.decode()
    # Taken up by the monthly review of 15/3: due 30/3.
    assert "30/03/2024" in html
    assert "overdue" in html


def test_bulk_action_with_wrong_step_changes_nothing(client, halong_officer, surveyed, ward):
    listed = AssessmentFactory(household=HouseholdFactory(unit=ward), round=surveyed.round)
    client.force_login(halong_officer)
    response = client.post(
        url("round_bulk", surveyed.round.pk),
        {
            "action": "meeting",
            "assessments": [surveyed.pk, listed.pk],
            "meeting-meeting_date": "2024-10-10",
            "meeting-chair": "Tổ trưởng",
            "meeting-attendees": 10,
            "meeting-agreed": 8,
        },
        follow=True,
    )
    assert listed.household.code in response.content.decode()
    assert snapshot(surveyed)[0] == "surveyed"


def test_timeline_partial_query_count_is_constant(ward, django_assert_num_queries):
    template = Template('{% include "households/includes/_assessment_timeline.html" %}')
    counts = []
    for years in (1, 5):
        household = HouseholdFactory(unit=ward)
        for i in range(years):
            AssessmentFactory(
                household=household,
                round=ReviewRoundFactory(unit=ward, year=2019 + i),
                status=AssessmentStatus.RECOGNISED,
                recorded_status="poor",
                national_status="poor",
                decision_number=f"{i}/QĐ",
                decision_date=D(2019 + i, 12, 1),
            )
        with django_assert_num_queries(3):
            html = template.render(Context({"household": household}))
        counts.append(html.count("/QĐ"))
    assert counts == [1, 5]


def test_full_journey_application_to_certificate(
    client, halong_officer, halong_head, ward, household
):
    regular = ReviewRoundFactory(unit=ward, year=2024, kind=ReviewKind.REGULAR)
    client.force_login(halong_officer)
    response = client.post(
        url("assessment_create", household.pk),
        {"review_round": regular.pk, "application_date": "2024-05-02"},
    )
    assessment = Assessment.objects.get(household=household, round=regular)
    assert response.url == url("assessment_survey", assessment.pk)

    response = client.post(
        url("assessment_survey", assessment.pk),
        {
            "version": 1,
            "surveyed_on": "2024-05-05",
            "income_per_capita": "1800000",
            "deprivations": ["health_insurance", "water", "sanitation"],
            "causes": ["no_capital", "illness_accident"],
            "primary_cause": "illness_accident",
            "support_needs": ["health"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    detail = client.get(url("assessment_detail", assessment.pk)).content.decode()
    assert "30" in detail and "Poor" in detail

    response = client.post(
        url("assessment_meeting", assessment.pk),
        {
            "version": 2,
            "meeting_date": "2024-05-08",
            "chair": "Tổ trưởng",
            "attendees": 10,
            "agreed": 5,
        },
    )
    assert response.status_code == 302
    response = client.post(
        url("assessment_post", assessment.pk),
        {"version": 3, "posted_from": "2024-05-09", "posted_to": "2024-05-13", "complaints": ""},
    )
    assert response.status_code == 302

    client.force_login(halong_head)
    response = client.post(
        url("assessment_decide", assessment.pk),
        {
            "version": 4,
            "decision": "recognise",
            "decision_number": "45/QĐ-UBND",
            "decision_date": "2024-05-15",
            "signer": "Phạm Văn Chủ tịch",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.RECOGNISED
    assert assessment.certificate_number == "001/GCN-HN.HCN"

    html = client.get(url("assessment_certificate", assessment.pk)).content.decode()
    for text in (
        "Giấy chứng nhận hộ nghèo",
        "001/GCN-HN.HCN",
        "Lê Thị Hoa",
        "Tày",
        "022180000123",
        "Lê Văn Nam",
        "2012",
        "45/QĐ-UBND",
        "15/05/2024",
        "Phạm Văn Chủ tịch",
        ward.name,
    ):
        assert text in html, text


def test_certificate_is_404_unless_recognised_poor_or_near_poor(client, halong_head, surveyed):
    client.force_login(halong_head)
    assert client.get(url("assessment_certificate", surveyed.pk)).status_code == 404


def test_officer_opens_a_round_and_lists_households(client, halong_officer, ward):
    client.force_login(halong_officer)
    assert client.get(url("round_create")).status_code == 200
    response = client.post(
        url("round_create"),
        {"unit": ward.pk, "year": 2024, "kind": "periodic", "opened_on": "2024-09-01"},
    )
    review_round = ReviewRound.objects.get(unit=ward, year=2024)
    assert response.url == url("round_detail", review_round.pk)
    assert review_round.provincial_standard.code == "QN-NQ13-2023"
    previous = ReviewRoundFactory(unit=ward, year=2023)
    AssessmentFactory(
        household=HouseholdFactory(unit=ward),
        round=previous,
        status=AssessmentStatus.RECOGNISED,
        recorded_status="near_poor",
    )
    response = client.post(url("round_list_households", review_round.pk), follow=True)
    assert review_round.assessments.count() == 1
    assert "1 households" in response.content.decode()


# --- The round's standards (rule, comparison, override) ---------------------------


@pytest.fixture
def round_2026(ward):
    from households.services import review as services
    from tests.factories import UserFactory

    return services.round_open(
        actor=UserFactory(is_superuser=True),
        unit=ward,
        year=2026,
        kind=ReviewKind.PERIODIC,
        opened_on=D(2026, 9, 1),
    )


def test_survey_in_the_2026_round_shows_both_classifications(
    client, halong_officer, round_2026, household
):
    listed = AssessmentFactory(household=household, round=round_2026)
    client.force_login(halong_officer)

    form = client.get(url("assessment_survey", listed.pk)).content.decode()
    assert 'value="waste"' in form  # the 2026–2030 standard's indicator list
    response = client.post(
        url("assessment_survey", listed.pk),
        {
            "version": 1,
            "surveyed_on": "2026-10-01",
            "income_per_capita": "2500000",
            "deprivations": ["water", "sanitation", "waste"],
            "causes": ["no_capital"],
            "primary_cause": "no_capital",
        },
    )
    assert response.status_code == 302
    page = client.get(url("assessment_detail", listed.pk)).content.decode()
    assert "National (ND351-2027)" in page
    assert "Previous standard, for comparison (ND07-2022)" in page
    listed.refresh_from_db()
    assert (listed.national_status, listed.comparison_status) == ("poor", "average")
    round_page = client.get(url("round_detail", round_2026.pk)).content.decode()
    assert "compared with" in round_page and 'data-testid="standards-note"' in round_page


def test_head_changes_the_standards_of_a_round_with_a_reason(client, halong_head, round_2026):
    client.force_login(halong_head)
    page = url("round_standards", round_2026.pk)
    assert client.get(page).status_code == 200
    nd07 = round_2026.comparison_standard

    refused = client.post(page, {"standard": nd07.pk, "provincial_standard": "", "reason": ""})
    assert refused.status_code == 200
    assert "Give the reason" in refused.content.decode()
    response = client.post(
        page, {"standard": nd07.pk, "provincial_standard": "", "reason": "Công văn của tỉnh"}
    )
    assert response.status_code == 302
    round_2026.refresh_from_db()
    assert round_2026.standard == nd07 and round_2026.standard_reason == "Công văn của tỉnh"
    detail = client.get(url("round_detail", round_2026.pk)).content.decode()
    assert "Công văn của tỉnh" in detail


def test_officer_cannot_change_the_standards(client, halong_officer, round_2026):
    client.force_login(halong_officer)
    assert client.get(url("round_standards", round_2026.pk)).status_code == 403


def test_other_ward_cannot_see_the_standards_page(client, baichay_officer, round_2026):
    client.force_login(baichay_officer)
    assert client.get(url("round_standards", round_2026.pk)).status_code == 404


# --- Complaints during the posting --------------------------------------------------------


@pytest.fixture
def posted_assessment(round_2024, household):
    return AssessmentFactory(
        household=household,
        round=round_2024,
        status=AssessmentStatus.POSTED,
        national_status="poor",
        recorded_status="poor",
        posted_from=D(2024, 11, 4),
        posted_to=D(2024, 11, 6),
    )


def test_officer_records_and_settles_a_complaint_then_the_head_decides(
    client, halong_officer, halong_head, posted_assessment
):
    client.force_login(halong_officer)
    response = client.post(
        url("complaint_create", posted_assessment.pk),
        {
            "received_on": "2024-11-05",
            "complainant": "Trần Thị Mai",
            "channel": "in_person",
            "content": "Hộ mới mua xe máy.",
        },
    )
    assert response.status_code == 302
    complaint = posted_assessment.complaint_records.get()
    page = client.get(url("assessment_detail", posted_assessment.pk)).content.decode()
    assert "Trần Thị Mai" in page and "not settled" in page

    client.force_login(halong_head)
    refused = client.post(
        url("assessment_decide", posted_assessment.pk),
        {
            "version": posted_assessment.version,
            "decision": "recognise",
            "decision_number": "7/QĐ-UBND",
            "decision_date": "2024-11-10",
            "signer": "Chủ tịch",
        },
    )
    assert refused.status_code == 200 and "not settled" in refused.content.decode()

    client.force_login(halong_officer)
    response = client.post(
        url("complaint_settle", complaint.pk),
        {
            "version": complaint.version,
            "rechecked_on": "2024-11-07",
            "recheck_result": "Xe máy cũ, giá trị thấp.",
            "outcome": "rejected",
        },
    )
    assert response.status_code == 302
    client.force_login(halong_head)
    response = client.post(
        url("assessment_decide", posted_assessment.pk),
        {
            "version": posted_assessment.version,
            "decision": "recognise",
            "decision_number": "7/QĐ-UBND",
            "decision_date": "2024-11-10",
            "signer": "Chủ tịch",
        },
    )
    assert response.status_code == 302
    posted_assessment.refresh_from_db()
    assert posted_assessment.status == AssessmentStatus.RECOGNISED


def test_complaints_appear_in_the_posting_list_document(client, halong_officer, posted_assessment):
    from households.models import Complaint

    Complaint.objects.create(
        assessment=posted_assessment,
        received_on=D(2024, 11, 5),
        complainant="Lê Văn Khiếu",
        channel="written",
        content="Thu nhập kê khai thấp hơn thực tế.",
    )
    from households.documents.selectors import posting_list_context

    context = posting_list_context(posted_assessment.round)
    assert [c.complainant for c in context["complaints"]] == ["Lê Văn Khiếu"]


def test_other_wards_complaint_pages_are_404(client, baichay_officer, posted_assessment):
    from households.models import Complaint

    complaint = Complaint.objects.create(
        assessment=posted_assessment,
        received_on=D(2024, 11, 5),
        complainant="X",
        channel="written",
        content="Y",
    )
    client.force_login(baichay_officer)
    assert client.get(url("complaint_create", posted_assessment.pk)).status_code == 404
    assert client.get(url("complaint_settle", complaint.pk)).status_code == 404


def test_round_list_puts_open_rounds_first_then_the_newest_with_progress(client, halong_officer):
    ward = unit("6688")
    closed_2025 = ReviewRoundFactory(unit=ward, year=2025, closed_on=datetime.date(2025, 12, 20))
    open_2024 = ReviewRoundFactory(unit=ward, year=2024, kind=ReviewKind.REGULAR)
    open_2026 = ReviewRoundFactory(unit=ward, year=2026)
    closed_2023 = ReviewRoundFactory(unit=ward, year=2023, closed_on=datetime.date(2023, 12, 20))
    for status in (AssessmentStatus.LISTED, AssessmentStatus.LISTED, AssessmentStatus.SURVEYED):
        AssessmentFactory(round=open_2026, household__unit=ward, year=2026, status=status)
    client.force_login(halong_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(url("round_list"))

    rounds = list(response.context["rounds"])
    assert rounds == [open_2026, open_2024, closed_2025, closed_2023]
    assert rounds[0].progress == [("Listed", 2), ("Surveyed", 1)]
    assert rounds[1].progress == []
    html = response.content.decode()
    assert html.count('badge text-bg-success">open<') == 2

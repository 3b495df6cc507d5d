"""The data of each printed document, read in a fixed number of queries.

One function per document; each returns the template context. Views check
access first (scope → 404, names → 403) and pass in records they fetched
through the scoped selectors.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from communes.models import AdministrativeUnit, UnitKind

from ..household_years import ListMaking, list_year
from ..models import (
    Assessment,
    AssessmentStatus,
    Complaint,
    HouseholdYear,
    Indicator,
    Member,
    PovertyStatus,
    ReviewRound,
    VillageMeeting,
)
from ..rules import StandardRule, b_score
from ..validators import citizen_id_mask

#: Prefixes of unit names dropped where the form says "<place>, ngày …".
UNIT_PREFIXES = ("Thành phố ", "Phường ", "Xã ", "Thị trấn ", "Đặc khu ", "Tỉnh ")
ON_THE_LISTS = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)

#: The legal texts every review document rests on.
REVIEW_BASES = (
    "Luật Tổ chức chính quyền địa phương",
    "Quyết định số 24/2021/QĐ-TTg ngày 16/7/2021 của Thủ tướng Chính phủ quy định quy trình "
    "rà soát hộ nghèo, hộ cận nghèo hằng năm",
    "Thông tư số 07/2021/TT-BLĐTBXH ngày 18/7/2021 của Bộ trưởng Bộ Lao động - Thương binh và "
    "Xã hội hướng dẫn phương pháp rà soát, phân loại hộ nghèo, hộ cận nghèo",
)


def place_name(unit: AdministrativeUnit) -> str:
    """``Phường Hạ Long`` → ``Hạ Long`` (the place of the date line)."""
    for prefix in UNIT_PREFIXES:
        if unit.name.startswith(prefix):
            return unit.name.removeprefix(prefix)
    return unit.name


def issuer_context(unit: AdministrativeUnit, *, number: str = "", day=None) -> dict:
    """Masthead of a document issued by the People's Committee of ``unit``."""
    return {
        "upper_name": "Ủy ban nhân dân",
        "issuer_name": unit.name,
        "issuer_unit": unit,
        "place": place_name(unit),
        "number_label": number,
        "document_date": day,
    }


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _standard_label(standard) -> str:
    return f"{standard.name} ({standard.legal_basis})" if standard else ""


def list_standard(review_round: ReviewRound):
    """The standard the round's lists follow: the province's where a ``ListMakingStandard``
    says it makes them in the round's list year, else the national one."""
    provincial = review_round.provincial_standard_id
    year = list_year(review_round.year, review_round.kind)
    if ListMaking().provincial_decides(provincial, year):
        return review_round.provincial_standard
    return review_round.standard


# --- Phiếu B1 / B2 ------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    deprived: bool


@dataclass
class DimensionBlock:
    name: str
    rows: list[IndicatorRow] = field(default_factory=list)


def survey_form_context(assessment: Assessment) -> dict:
    """Phiếu B1 (income, A-score) and Phiếu B2 (deprivations, B-score) of one household.

    Four queries: the assessment with household, head, village, round and
    standards; the standard's indicators; the deprived ones; the members.
    """
    assessment = (
        Assessment.objects.select_related(
            "household__head",
            "household__village",
            "unit",
            "round__standard",
            "round__provincial_standard",
            "surveyed_by",
        )
        .prefetch_related("deprivations")
        .get(pk=assessment.pk)
    )
    review_round = assessment.round
    standard = review_round.standard
    household = assessment.household
    area = household.unit.area or assessment.unit.area
    deprived_codes = {i.code for i in assessment.deprivations.all()}
    dimensions: dict[str, DimensionBlock] = {}
    for indicator in standard.indicators.order_by("order", "code"):
        block = dimensions.setdefault(indicator.dimension, DimensionBlock(indicator.dimension))
        block.rows.append(IndicatorRow(indicator, indicator.code in deprived_codes))
    rule = StandardRule.for_area(standard, area) if area else None
    provincial = review_round.provincial_standard
    provincial_rule = StandardRule.for_area(provincial, area) if provincial and area else None
    members = list(household.members.filter(left_on__isnull=True).order_by("birth_year", "pk"))
    head = household.head
    return {
        **issuer_context(assessment.unit, day=assessment.surveyed_on),
        "assessment": assessment,
        "household": household,
        "head": head,
        "head_citizen_id": citizen_id_mask(head.citizen_id) if head else "",
        "members": members,
        "member_count": assessment.member_count or len(members),
        "standard": standard,
        "standard_label": _standard_label(standard),
        "provincial_standard": provincial,
        "area_label": assessment.unit.get_area_display() if assessment.unit.area else "",
        "rule": rule,
        "provincial_rule": provincial_rule,
        "dimensions": list(dimensions.values()),
        "deprived_count": len(deprived_codes),
        "b_score": b_score(len(deprived_codes), standard.points_per_indicator),
        "b_threshold": standard.deprivation_threshold * standard.points_per_indicator,
        "surveyed": assessment.surveyed_on is not None,
        "signatures": [
            {"title": "Chủ hộ", "name": head.full_name if head else ""},
            {
                "title": "Rà soát viên",
                "name": _person(assessment.surveyed_by),
            },
        ],
    }


# --- Village meeting minutes ----------------------------------------------------------


@dataclass
class VoteRow:
    assessment: Assessment
    b_score: int
    share: float | None

    @property
    def passed(self) -> bool | None:
        return self.assessment.meeting_passed


def meeting_minutes_context(meeting: VillageMeeting) -> dict:
    """The minutes: who met, when, and the vote on each household discussed. Three queries."""
    meeting = VillageMeeting.objects.select_related(
        "round__unit", "round__standard", "round__provincial_standard", "village"
    ).get(pk=meeting.pk)
    assessments = (
        meeting.assessments.select_related("household__head", "household__village")
        .prefetch_related("deprivations")
        .order_by("household__code", "pk")
    )
    points = meeting.round.standard.points_per_indicator
    votes = [
        VoteRow(
            assessment=a,
            b_score=b_score(len(a.deprivations.all()), points),
            share=(
                round(100 * a.meeting_agreed / a.meeting_attendees, 1)
                if a.meeting_attendees and a.meeting_agreed is not None
                else None
            ),
        )
        for a in assessments
    ]
    unit = meeting.round.unit
    return {
        **issuer_context(unit, day=meeting.held_on),
        "issuer_name": meeting.village.name if meeting.village_id else unit.name,
        "upper_name": unit.name,
        "meeting": meeting,
        "round": meeting.round,
        "votes": votes,
        "passed_count": sum(1 for v in votes if v.passed),
        "standard_label": _standard_label(list_standard(meeting.round)),
        "signatures": [
            {"title": "Thư ký", "name": meeting.secretary},
            {"title": "Chủ trì", "name": meeting.chair},
        ],
    }


# --- Lists of households (posting, decision annexes) --------------------------------------


def _previous_status():
    """Subquery: the household's status on the list in its latest earlier decided year."""
    return Subquery(
        HouseholdYear.objects.filter(
            household=OuterRef("household_id"),
            year__lt=OuterRef("year"),
            assessment__isnull=False,
        )
        .order_by("-year")
        .values("status")[:1]
    )


def _listed_rows(assessments: QuerySet[Assessment]) -> list[Assessment]:
    """Assessments with head, village, current member count and ``previous_status``."""
    members = Prefetch(
        "household__members",
        queryset=Member.objects.filter(left_on__isnull=True).order_by("birth_year", "pk"),
        to_attr="current_members",
    )
    return list(
        assessments.select_related("household__head", "household__village")
        .prefetch_related(members)
        .annotate(previous_status=_previous_status())
        .order_by("household__village__name", "household__code", "pk")
    )


@dataclass
class HouseholdGroup:
    """One section of a list: poor, near-poor, exited poor or exited near-poor."""

    key: str
    title: str
    rows: list[Assessment] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(_people(a) for a in self.rows)

    @property
    def is_exit(self) -> bool:
        return self.key.startswith("exited_")


def _people(assessment: Assessment) -> int:
    return assessment.member_count or len(getattr(assessment.household, "current_members", []))


def group_by_list(rows: list[Assessment]) -> dict[str, HouseholdGroup]:
    """Split assessments into the four lists of the decision (QĐ 24/2021, step 5).

    Poor and near-poor by the decided status; exited poor: poor the year
    before, not poor now (including those now near-poor, who are also on the
    near-poor list); exited near-poor: near-poor before, on neither list now.
    """
    groups = {
        "poor": HouseholdGroup("poor", "Hộ nghèo"),
        "near_poor": HouseholdGroup("near_poor", "Hộ cận nghèo"),
        "exited_poor": HouseholdGroup("exited_poor", "Hộ thoát nghèo"),
        "exited_near_poor": HouseholdGroup("exited_near_poor", "Hộ thoát cận nghèo"),
    }
    for a in rows:
        status, before = a.recorded_status, a.previous_status
        if status in groups:
            groups[status].rows.append(a)
        if before == PovertyStatus.POOR and status != PovertyStatus.POOR:
            groups["exited_poor"].rows.append(a)
        elif before == PovertyStatus.NEAR_POOR and status not in ON_THE_LISTS:
            groups["exited_near_poor"].rows.append(a)
    return groups


def posting_list_context(review_round: ReviewRound) -> dict:
    """The posting list (niêm yết): results the village meetings agreed, with the dates."""
    rows = _listed_rows(
        Assessment.objects.filter(round=review_round, posted_from__isnull=False).exclude(
            status=AssessmentStatus.REFUSED
        )
    )
    starts = [a.posted_from for a in rows]
    ends = [a.posted_to for a in rows if a.posted_to]
    return {
        **issuer_context(review_round.unit, day=min(starts) if starts else None),
        "round": review_round,
        "groups": list(group_by_list(rows).values()),
        "posted_from": min(starts) if starts else None,
        "posted_to": max(ends) if ends else None,
        "row_count": len(rows),
        "standard_label": _standard_label(list_standard(review_round)),
        "complaints": list(
            Complaint.objects.filter(assessment__round=review_round)
            .select_related("assessment__household")
            .order_by("received_on", "pk")
        ),
        "signatures": [
            {"title": "Người lập danh sách"},
            {"title": "TM. Ủy ban nhân dân", "subtitle": "Chủ tịch"},
        ],
    }


def decision_numbers(review_round: ReviewRound) -> list[str]:
    """The numbers of the decisions that recognised households of the round."""
    return sorted(
        set(
            Assessment.objects.filter(round=review_round, status=AssessmentStatus.RECOGNISED)
            .exclude(decision_number="")
            .values_list("decision_number", flat=True)
        )
    )


def decision_context(review_round: ReviewRound, number: str) -> dict:
    """The chair's decision ``number`` with its three annexed lists."""
    rows = _listed_rows(
        Assessment.objects.filter(
            round=review_round, status=AssessmentStatus.RECOGNISED, decision_number=number
        )
    )
    groups = group_by_list(rows)
    first = rows[0] if rows else None
    standard = list_standard(review_round)
    return {
        **issuer_context(
            review_round.unit, number=number, day=first.decision_date if first else None
        ),
        "round": review_round,
        "decision_number": number,
        "signer": first.decision_signer if first else "",
        "groups": groups,
        "annexes": [
            {
                "roman": "I",
                "title": "Danh sách hộ nghèo, hộ cận nghèo",
                "groups": [groups["poor"], groups["near_poor"]],
                "show_certificate": True,
                "show_change": False,
            },
            {
                "roman": "II",
                "title": "Danh sách hộ thoát nghèo",
                "groups": [groups["exited_poor"]],
                "show_certificate": False,
                "show_change": True,
            },
            {
                "roman": "III",
                "title": "Danh sách hộ thoát cận nghèo",
                "groups": [groups["exited_near_poor"]],
                "show_certificate": False,
                "show_change": True,
            },
        ],
        "listed_people": groups["poor"].people + groups["near_poor"].people,
        "standard": standard,
        "standard_label": _standard_label(standard),
        "national_standard": review_round.standard,
        "bases": REVIEW_BASES,
        "list_year": review_round.year + 1
        if review_round.kind == "periodic"
        else review_round.year,
        "city_is_upper": review_round.unit.parent is not None
        and review_round.unit.parent.kind in (UnitKind.CITY, UnitKind.DISTRICT),
    }


# --- Certificate and refusal letter -------------------------------------------------------


def certificate_context(assessment: Assessment) -> dict:
    """The certificate (GCN-HN.HCN): the head's full ID number and every current member."""
    assessment = Assessment.objects.select_related(
        "household__head", "household__village", "unit", "round__standard"
    ).get(pk=assessment.pk)
    household = assessment.household
    members = list(household.members.filter(left_on__isnull=True).order_by("birth_year", "pk"))
    return {
        **issuer_context(assessment.unit, number=assessment.certificate_number),
        "document_date": assessment.decision_date,
        "assessment": assessment,
        "household": household,
        "head": household.head,
        "members": members,
        "is_poor": assessment.recorded_status == PovertyStatus.POOR,
        "standard_label": _standard_label(list_standard(assessment.round)),
    }


def refusal_context(assessment: Assessment) -> dict:
    """The written answer refusing a household, with its reason."""
    assessment = Assessment.objects.select_related(
        "household__head", "household__village", "unit", "round"
    ).get(pk=assessment.pk)
    head = assessment.household.head
    return {
        **issuer_context(
            assessment.unit, number=assessment.decision_number, day=assessment.decision_date
        ),
        "assessment": assessment,
        "household": assessment.household,
        "head": head,
        "salutation": "Bà" if head and head.sex == "female" else "Ông",
        "bases": REVIEW_BASES,
    }

"""The columns of the household and member sheets, their labels and cell values.

Headers are matched by their English key (``household_code``) or by their
Vietnamese label, ignoring case and diacritics (``Mã hộ``, ``ma ho``).
Indicator columns are named by the indicator code or its name. The labels
are written in Vietnamese when the interface is Vietnamese: like the
official report forms, the wording of the sheets is fixed text, not a
translation, so an exported file reads the same whatever the language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from communes.text import fold

from ..models import AssessmentStatus, Cause, PovertyStatus, Relation, ReviewKind, Sex

HOUSEHOLDS_SHEET = "households"
MEMBERS_SHEET = "members"
#: Other names accepted for the members sheet (folded).
MEMBERS_SHEET_NAMES = frozenset({"members", "thanh vien", "nhan khau"})


@dataclass(frozen=True)
class Column:
    key: str
    label_vi: str


HOUSEHOLD_COLUMNS = (
    Column("household_code", "Mã hộ"),
    Column("unit_code", "Mã đơn vị"),
    Column("village", "Thôn, tổ dân phố"),
    Column("head_name", "Họ tên chủ hộ"),
    Column("head_citizen_id", "Số CCCD chủ hộ"),
    Column("head_sex", "Giới tính chủ hộ"),
    Column("head_birth_year", "Năm sinh chủ hộ"),
    Column("ethnic_minority", "Dân tộc thiểu số"),
    Column("members", "Số nhân khẩu"),
    Column("year", "Năm rà soát"),
    Column("income_per_capita", "Thu nhập bình quân người/tháng"),
    Column("score_a", "Điểm A"),
    Column("status", "Phân loại"),
    Column("primary_cause", "Nguyên nhân chính"),
    Column("causes", "Nguyên nhân nghèo"),
)
HOUSEHOLD_REQUIRED = ("household_code", "unit_code")

MEMBER_COLUMNS = (
    Column("household_code", "Mã hộ"),
    Column("unit_code", "Mã đơn vị"),
    Column("full_name", "Họ và tên"),
    Column("citizen_id", "Số CCCD"),
    Column("sex", "Giới tính"),
    Column("birth_date", "Ngày sinh"),
    Column("birth_year", "Năm sinh"),
    Column("relation", "Quan hệ với chủ hộ"),
    Column("ethnicity", "Dân tộc"),
    Column("health_insurance_card", "Số thẻ BHYT"),
    Column("health_insurance_expiry", "Hạn thẻ BHYT"),
)
MEMBER_REQUIRED = ("household_code", "full_name")

#: Vietnamese words accepted for coded values (folded), next to the codes themselves.
SEX_WORDS = {"nam": Sex.MALE, "nu": Sex.FEMALE, "m": Sex.MALE, "f": Sex.FEMALE}
STATUS_WORDS = {
    "ho ngheo": PovertyStatus.POOR,
    "ngheo": PovertyStatus.POOR,
    "ho can ngheo": PovertyStatus.NEAR_POOR,
    "can ngheo": PovertyStatus.NEAR_POOR,
    "ho co muc song trung binh": PovertyStatus.AVERAGE,
    "trung binh": PovertyStatus.AVERAGE,
    "khong ngheo": PovertyStatus.NOT_POOR,
}
RELATION_WORDS = {
    "chu ho": Relation.HEAD,
    "vo": Relation.SPOUSE,
    "chong": Relation.SPOUSE,
    "vo/chong": Relation.SPOUSE,
    "con": Relation.CHILD,
    "bo": Relation.PARENT,
    "me": Relation.PARENT,
    "bo/me": Relation.PARENT,
    "chau": Relation.GRANDCHILD,
    "ong": Relation.GRANDPARENT,
    "ba": Relation.GRANDPARENT,
    "ong/ba": Relation.GRANDPARENT,
    "anh": Relation.SIBLING,
    "chi": Relation.SIBLING,
    "em": Relation.SIBLING,
    "anh/chi/em": Relation.SIBLING,
    "con dau": Relation.CHILD_IN_LAW,
    "con re": Relation.CHILD_IN_LAW,
    "con dau/con re": Relation.CHILD_IN_LAW,
    "khac": Relation.OTHER,
}
FLAG_TRUE = frozenset({"1", "x", "co", "c", "true", "yes", "y"})
FLAG_FALSE = frozenset({"", "0", "khong", "k", "false", "no", "n"})
CAUSE_CODES = frozenset(Cause.values)


def header_key(text: str) -> str:
    """``"Mã hộ"`` → ``"ma ho"``; ``"Household_Code"`` → ``"household_code"``."""
    return fold(str(text).replace("\n", " "))


def column_lookup(columns: tuple[Column, ...]) -> dict[str, str]:
    """Folded key or Vietnamese label → column key."""
    lookup = {}
    for column in columns:
        lookup[column.key] = column.key
        lookup[header_key(column.key.replace("_", " "))] = column.key
        lookup[header_key(column.label_vi)] = column.key
    return lookup


def vietnamese() -> bool:
    return (get_language() or "vi").startswith("vi")


def header_labels(columns: tuple[Column, ...]) -> list[str]:
    use_vi = vietnamese()
    return [column.label_vi if use_vi else column.key for column in columns]


def indicator_label(code: str, name: str) -> str:
    return name if vietnamese() else code


def pick_assessment(assessments):
    """The assessment that stands for a household in a year (export and import agree):
    a recognised one first, then the periodic review's, then the newest."""
    best = None
    best_key = None
    for assessment in assessments:
        key = (
            assessment.status == AssessmentStatus.RECOGNISED,
            assessment.round.kind == ReviewKind.PERIODIC,
            assessment.pk,
        )
        if best_key is None or key > best_key:
            best, best_key = assessment, key
    return best

"""Suggest a household's deprivation flags from its members' facts.

DOMAIN.md: where a member-level fact exists (age, BHYT card, schooling,
work, disability) the app *suggests* the household flag and the officer
confirms it. Nothing here is decided for the officer, and indicators that
need an on-site judgement (nutrition, housing quality, water, …) are never
suggested.

Pure Python over the objects passed in: attribute reads and the members'
own ``age_on`` / ``has_valid_health_insurance``, no queries.

Age bands (whole years on the survey day ``on``):

================== ======================================= ==========================
indicator          NĐ 07 and later                          QĐ 59 (2016–2021)
================== ======================================= ==========================
health_insurance   a member aged ≥ 6 without a valid card   same
school_attendance  a child aged 3 to < 16 not at school     a child aged 5 to < 15
adult_education    aged 16–30, not at school, no schooling  aged ≥ 15, born ≥ 1986, not
                   beyond primary                           at school, no lower-secondary
employment         aged 15 to < 60, unemployed or wage      —
                   work without a contract
dependents         children < 16, people ≥ 60 and people    —
                   with a disability are > 50 % of members
housing_area       < 8 m² of floor area per member          same
================== ======================================= ==========================

A suggestion is only made from recorded facts: a blank education level or
work status suggests nothing.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext

from .rules import INCOME_OR_DEPRIVATION, LINE_AND_DEPRIVATION

if TYPE_CHECKING:
    from .models import Member

# Values of ``EducationLevel`` and ``WorkStatus`` (households.models.registry),
# repeated so this module imports no model; a test keeps them in step.
NO_LOWER_SECONDARY = frozenset({"none", "primary"})
PRECARIOUS_WORK = frozenset({"unemployed", "employed_no_contract"})

INSURANCE_MIN_AGE = 6
CHILD_MAX_AGE = 16  # exclusive: "children < 16"
ELDERLY_MIN_AGE = 60
WORKING_AGE = (15, 60)  # 15 ≤ age < 60
SCHOOL_AGE = {LINE_AND_DEPRIVATION: (3, 16), INCOME_OR_DEPRIVATION: (5, 15)}  # lo ≤ age < hi
ADULT_EDUCATION_AGE = (16, 30)  # NĐ 07: 16 ≤ age ≤ 30
QD59_ADULT_MIN_AGE = 15
QD59_ADULT_BORN_FROM = 1986
MIN_FLOOR_AREA_PER_PERSON = 8  # m²


def suggest_deprivations(
    members: Iterable[Member],
    *,
    on: datetime.date,
    indicator_codes: set[str],
    floor_area_m2: float | None = None,
    rule_type: str = LINE_AND_DEPRIVATION,
) -> dict[str, str]:
    """``{indicator code: reason}`` for the indicators the members' facts show as deprived.

    Only codes in ``indicator_codes`` (the standard's catalogue) are
    returned. ``rule_type`` is the standard's ``rule_type``: QĐ 59
    (``income_or_deprivation``) used other age bands for schooling.
    Members who had left the household by ``on`` (``left_on`` ≤ ``on``) or
    were born after it are ignored. ``housing_area`` needs ``floor_area_m2``.
    Reasons are translated with the active language.
    """
    present = [m for m in members if _present_on(m, on)]
    checks: dict[str, Callable[[], str | None]] = {
        "health_insurance": lambda: _health_insurance(present, on),
        "school_attendance": lambda: _school_attendance(present, on, rule_type),
        "adult_education": lambda: _adult_education(present, on, rule_type),
        "employment": lambda: _employment(present, on),
        "dependents": lambda: _dependents(present, on),
        "housing_area": lambda: _housing_area(present, floor_area_m2),
    }
    suggestions = {}
    for code, check in checks.items():
        if code in indicator_codes and (reason := check()):
            suggestions[code] = reason
    return suggestions


def _present_on(member: Member, on: datetime.date) -> bool:
    if member.left_on is not None and member.left_on <= on:
        return False
    born = member.birth_date or datetime.date(member.birth_year, 1, 1)
    return born <= on


def _names(members: list[Member], on: datetime.date) -> str:
    return ", ".join(f"{m.full_name} ({m.age_on(on)})" for m in members)


def _health_insurance(members: list[Member], on: datetime.date) -> str | None:
    found = [
        m
        for m in members
        if m.age_on(on) >= INSURANCE_MIN_AGE and not m.has_valid_health_insurance(on)
    ]
    if not found:
        return None
    return gettext(
        "Aged 6 or over without a valid health insurance card on %(day)s: %(names)s."
    ) % {"day": on.strftime("%d/%m/%Y"), "names": _names(found, on)}


def _school_attendance(members: list[Member], on: datetime.date, rule_type: str) -> str | None:
    low, high = SCHOOL_AGE.get(rule_type, SCHOOL_AGE[LINE_AND_DEPRIVATION])
    found = [m for m in members if low <= m.age_on(on) < high and not m.school_level]
    if not found:
        return None
    return gettext("Child aged %(low)s to %(last)s not at school: %(names)s.") % {
        "low": low,
        "last": high - 1,
        "names": _names(found, on),
    }


def _adult_education(members: list[Member], on: datetime.date, rule_type: str) -> str | None:
    if rule_type == INCOME_OR_DEPRIVATION:
        found = [
            m
            for m in members
            if m.birth_year >= QD59_ADULT_BORN_FROM
            and m.age_on(on) >= QD59_ADULT_MIN_AGE
            and not m.school_level
            and m.education_level in NO_LOWER_SECONDARY
        ]
        message = gettext(
            "Born in 1986 or later, aged 15 or over, not at school and without "
            "lower-secondary education: %(names)s."
        )
    else:
        low, high = ADULT_EDUCATION_AGE
        found = [
            m
            for m in members
            if low <= m.age_on(on) <= high
            and not m.school_level
            and m.education_level in NO_LOWER_SECONDARY
        ]
        message = gettext(
            "Aged 16 to 30, not at school or in training, with at most primary "
            "education: %(names)s."
        )
    if not found:
        return None
    return message % {"names": _names(found, on)}


def _employment(members: list[Member], on: datetime.date) -> str | None:
    low, high = WORKING_AGE
    found = [m for m in members if low <= m.age_on(on) < high and m.work_status in PRECARIOUS_WORK]
    if not found:
        return None
    return gettext(
        "Of working age and unemployed or in wage work without a labour contract: %(names)s."
    ) % {"names": _names(found, on)}


def _is_dependent(member: Member, on: datetime.date) -> bool:
    age = member.age_on(on)
    return age < CHILD_MAX_AGE or age >= ELDERLY_MIN_AGE or member.has_disability


def _dependents(members: list[Member], on: datetime.date) -> str | None:
    dependents = sum(_is_dependent(m, on) for m in members)
    if not members or dependents * 2 <= len(members):
        return None
    return gettext(
        "%(dependents)s of %(members)s members are dependents (children under 16, "
        "people aged 60 or over, people with a disability): more than half."
    ) % {"dependents": dependents, "members": len(members)}


def _housing_area(members: list[Member], floor_area_m2: float | None) -> str | None:
    if floor_area_m2 is None or not members:
        return None
    per_person = floor_area_m2 / len(members)
    if per_person >= MIN_FLOOR_AREA_PER_PERSON:
        return None
    return gettext(
        "%(area)s m² of floor area for %(members)s members: %(per_person)s m² per person, "
        "less than 8."
    ) % {
        "area": f"{floor_area_m2:g}",
        "members": len(members),
        # Rounded down, so 7.96 reads "7.9" and not "8.0, less than 8".
        "per_person": f"{math.floor(per_person * 10) / 10:.1f}",
    }

"""Demo history of Hạ Long's poor and near-poor households, 2015–2025 (``seed_demo``).

It tells the seed article's story (DOMAIN.md, Headline figures): the end-2015
review lists 991 poor and 1,046 near-poor households (1.15 % and 1.22 % of
86,000), the list shrinks every year to 62 poor and 144 near-poor at the end
of 2020 (0.07 % and 0.16 % of 88,600), jumps under NĐ 07's multidimensional
standard at the end of 2021 and falls again by about 25 % (poor) and 10 %
(near-poor) a year. ``CITY_TARGETS`` holds every year's figures; the
simulation hits them exactly.

Histories make sense year to year: most households carry over, move from poor
to near-poor and exit; households that exit are assessed in that year's review
and recognised as exited (``not_poor`` under QĐ 59, ``average``/``not_poor``
under NĐ 07) and are absent later; new and returning households appear every
year. Each assessment's income and deprivations give its status under the
standard's own rule (``households.rules.classify``). Households of the legacy
units move to the successor ward on 1/7/2025 (a split unit's households to
one of its successors at random; Yết Kiêu's to Trần Hưng Đạo from the end-2024
review); each assessment keeps the unit it was made in.

Everything is written with ``bulk_create``/``bulk_update`` in one transaction
(a few seconds on SQLite). ``bulk_create`` bypasses django-simple-history, so
the demo rows have no history records: acceptable for demo data nobody edited;
the first real edit starts a record's history.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TextIO

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from communes.demo import REFORM_DATE, city_grassroots_units
from communes.models import AdministrativeUnit, Area, UnitHouseholdCount
from communes.succession import SuccessionGraph
from communes.text import fold

from .household_years import rebuild_household_years
from .models import (
    Assessment,
    AssessmentCause,
    AssessmentStatus,
    Cause,
    EducationLevel,
    Household,
    Member,
    PovertyStandard,
    PovertyStatus,
    Relation,
    ReviewKind,
    ReviewRound,
    SchoolLevel,
    Sex,
    SupportNeed,
    WorkStatus,
)
from .rules import StandardRule, classify

CODE_PREFIX = "HL-"
FIRST_YEAR = 2015
LAST_YEAR = 2025
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)

#: Recognised (poor, near-poor) households of the city after each year's review.
CITY_TARGETS: dict[int, tuple[int, int]] = {
    2015: (991, 1046),
    2016: (760, 880),
    2017: (520, 690),
    2018: (330, 480),
    2019: (170, 300),
    2020: (62, 144),
    2021: (380, 620),
    2022: (285, 558),
    2023: (214, 502),
    2024: (160, 452),
    2025: (120, 407),
}

QD59 = "QD59-2016"
ND07 = "ND07-2022"
QN_NQ13 = "QN-NQ13-2023"

POOR = PovertyStatus.POOR.value
NEAR_POOR = PovertyStatus.NEAR_POOR.value
AVERAGE = PovertyStatus.AVERAGE.value
NOT_POOR = PovertyStatus.NOT_POOR.value

#: Logins that get 2025 cases of their ward (post-reform GSO code → username).
ASSIGNEES = {"6688": "halong.member", "6673": "baichay.member"}
SURVEYORS = {"6688": "halong.officer", "6673": "baichay.officer"}
ASSIGNED_PER_WARD = 8


def city_households(year: int) -> int:
    """All resident households of the city: 86,000 in 2015, 88,600 in 2020, +0.6 %/yr after."""
    if year <= 2020:
        return 86_000 + 520 * (year - 2015)
    return round(88_600 * 1.006 ** (year - 2020))


def national_standard_code(year: int) -> str:
    return QD59 if year <= 2020 else ND07


def provincial_standard_code(year: int) -> str | None:
    return QN_NQ13 if 2023 <= year <= 2025 else None


def review_day(year: int) -> datetime.date:
    """The unit a household belongs to in a review is the one valid on this day."""
    return datetime.date(year, 12, 1)


# --- Places -------------------------------------------------------------------

#: Approximate resident households of the legacy units (GSO code; Yết Kiêu
#: has a local code), scaled every year to ``city_households``.
LEGACY_SIZES = {
    "6649": 2900, "6652": 2500, "6655": 3400, "6658": 4200, "6661": 3600, "6664": 3500,
    "6667": 3200, "6670": 3300, "6673": 4800, "6676": 3900, "6679": 2400, "6685": 2600,
    "6688": 5200, "6691": 2300, "6694": 2700, "6697": 5600, "6700": 1000, "6703": 2000,
    "6706": 2500, "7030": 3000, "7033": 300, "7036": 600, "7039": 800, "7042": 700,
    "7045": 650, "7048": 900, "7051": 750, "7054": 950, "7057": 550, "7060": 1400,
    "7063": 1500, "7066": 1400, "HL-YETKIEU": 2100,
}  # fmt: skip
#: Communes (legacy, then post-reform codes) where Dao, Tày and Sán Dìu people live.
ETHNIC_LEGACY = {"7033", "7036", "7042", "7057"}
ETHNIC_NEW = {"6979", "6985"}


def _is_legacy(unit: AdministrativeUnit) -> bool:
    return unit.valid_from is None


def _is_ethnic(unit: AdministrativeUnit) -> bool:
    return unit.code in (ETHNIC_LEGACY if _is_legacy(unit) else ETHNIC_NEW)


def _poverty_risk(unit: AdministrativeUnit) -> int:
    """Relative chance that one of the unit's households is poor (outskirts fare worse)."""
    if _is_ethnic(unit):
        return 12
    return 5 if unit.area == Area.RURAL else 1


def _minority_share(unit: AdministrativeUnit) -> float:
    if _is_ethnic(unit):
        return 0.6
    return 0.12 if unit.area == Area.RURAL else 0.01


class _Places:
    """The city's wards and communes over time, their villages and successors."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.units = city_grassroots_units()
        ids = [u.pk for u in self.units]
        self.villages: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        for village in AdministrativeUnit.objects.villages().filter(parent_id__in=ids):
            self.villages[village.parent_id].append(village)
        by_id = {u.pk: u for u in self.units}
        self.successors: dict[int, list[AdministrativeUnit]] = defaultdict(list)
        graph = SuccessionGraph.load()
        for unit_id in ids:
            for successor_id in graph.successors(unit_id):  # by code
                if successor_id in by_id:
                    self.successors[unit_id].append(by_id[successor_id])
        self.denominators = self._denominators()

    def valid_on(self, day: datetime.date) -> list[AdministrativeUnit]:
        return [u for u in self.units if u.is_valid_on(day)]

    def _spread(self, unit: AdministrativeUnit, day: datetime.date):
        """``(unit valid on day, share)`` pairs that ``unit``'s territory became."""
        if unit.is_valid_on(day):
            return [(unit, 1.0)]
        successors = self.successors[unit.pk]
        return [
            (target, share / len(successors))
            for successor in successors
            for target, share in self._spread(successor, day)
        ]

    def _denominators(self) -> dict[tuple[int, int], int]:
        """Resident households per ``(unit id, year)``: sizes scaled to the city total."""
        result = {}
        legacy = [u for u in self.units if _is_legacy(u)]
        for year in YEARS:
            weights: dict[int, float] = defaultdict(float)
            for unit in legacy:
                size = LEGACY_SIZES.get(unit.code, 2500 if unit.area == Area.URBAN else 800)
                for target, share in self._spread(unit, review_day(year)):
                    weights[target.pk] += size * share
            for unit_id, households in _apportion(weights, city_households(year)).items():
                result[(unit_id, year)] = households
        return result

    def unit_for(self, case: _Case, year: int) -> AdministrativeUnit:
        """Where ``case`` is registered in ``year``'s review (a split: one successor, once)."""
        unit, day = case.origin, review_day(year)
        while not unit.is_valid_on(day):
            if unit.pk not in case.moves:
                case.moves[unit.pk] = self.rng.choice(self.successors[unit.pk])
            unit = case.moves[unit.pk]
        return unit

    def pick_unit(self, year: int) -> AdministrativeUnit:
        units = self.valid_on(review_day(year))
        weights = [self.denominators[(u.pk, year)] * _poverty_risk(u) for u in units]
        return self.rng.choices(units, weights)[0]

    def village(self, unit: AdministrativeUnit) -> AdministrativeUnit | None:
        villages = self.villages.get(unit.pk)
        return self.rng.choice(villages) if villages else None


def _apportion(weights: dict[int, float], total: int) -> dict[int, int]:
    """Split ``total`` in proportion to ``weights`` (largest remainder, sums exactly)."""
    whole = sum(weights.values())
    exact = {key: total * weight / whole for key, weight in weights.items()}
    result = {key: math.floor(value) for key, value in exact.items()}
    by_remainder = sorted(exact, key=lambda key: exact[key] - result[key], reverse=True)
    for key in by_remainder[: total - sum(result.values())]:
        result[key] += 1
    return result


# --- Simulation of the lists ------------------------------------------------------


@dataclass(eq=False)
class _Case:
    """One simulated household: where it started and its recognised status per year."""

    origin: AdministrativeUnit
    cause: str
    legacy_cause: str | None
    statuses: dict[int, str] = field(default_factory=dict)
    moves: dict[int, AdministrativeUnit] = field(default_factory=dict)
    #: 2025 cases not (yet) recognised: the workflow step and review kind.
    step: str = AssessmentStatus.RECOGNISED
    kind: str = ReviewKind.PERIODIC
    application_date: datetime.date | None = None


@dataclass(frozen=True)
class _Flows:
    """How last year's lists become this year's (household counts)."""

    poor_to_near: int = 0
    stay_poor: int = 0
    near_to_poor: int = 0
    stay_near: int = 0
    re_poor: int = 0
    new_poor: int = 0
    re_near: int = 0
    new_near: int = 0


#: year → (poor→near share, near→poor share, inflow share of poor, of near,
#: share of the inflow that re-enters). End 2021 is the new standard: few poor
#: households become near-poor, many near-poor become poor, many return.
_DEFAULT_RATES = (0.22, 0.03, 0.08, 0.10, 0.3)
_RATES = {2021: (0.08, 0.15, 0.08, 0.10, 0.4)}


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def _flows(poor: int, near: int, target: tuple[int, int], year: int, pool: int) -> _Flows:
    to_near_rate, to_poor_rate, in_poor_rate, in_near_rate, re_share = _RATES.get(
        year, _DEFAULT_RATES
    )
    target_poor, target_near = target
    poor_to_near = round(to_near_rate * poor)
    near_to_poor = min(round(to_poor_rate * near), target_poor)
    stay_poor = _clamp(
        target_poor - near_to_poor - round(in_poor_rate * target_poor), 0, poor - poor_to_near
    )
    inflow_poor = target_poor - near_to_poor - stay_poor
    poor_to_near = min(poor_to_near, target_near)
    stay_near = _clamp(
        target_near - poor_to_near - round(in_near_rate * target_near), 0, near - near_to_poor
    )
    inflow_near = target_near - poor_to_near - stay_near
    re_poor = min(round(re_share * inflow_poor), pool)
    re_near = min(round(re_share * inflow_near), pool - re_poor)
    return _Flows(
        poor_to_near=poor_to_near,
        stay_poor=stay_poor,
        near_to_poor=near_to_poor,
        stay_near=stay_near,
        re_poor=re_poor,
        new_poor=inflow_poor - re_poor,
        re_near=re_near,
        new_near=inflow_near - re_near,
    )


_CAUSE_WEIGHTS = {
    Cause.NO_CAPITAL: 24,
    Cause.NO_LABOUR: 20,
    Cause.ILLNESS_ACCIDENT: 18,
    Cause.NO_SKILLS: 12,
    Cause.NO_LAND: 8,
    Cause.NO_KNOW_HOW: 8,
    Cause.NO_TOOLS: 5,
    Cause.OTHER: 5,
}
#: Legacy code used before 2021 → the current code the household gets from 2021.
_LEGACY_CAUSES = {
    Cause.MANY_DEPENDENTS: Cause.NO_LABOUR,
    Cause.JOBLESS: Cause.NO_SKILLS,
    Cause.DISASTER: Cause.OTHER,
    Cause.SOCIAL_EVILS: Cause.OTHER,
    Cause.IDLENESS: Cause.NO_KNOW_HOW,
}


def _new_case(rng: random.Random, places: _Places, year: int) -> _Case:
    legacy_cause = None
    if year <= 2020 and rng.random() < 0.3:
        legacy_cause = rng.choices(list(_LEGACY_CAUSES), [5, 4, 2, 1, 1])[0]
        cause = _LEGACY_CAUSES[legacy_cause]
    else:
        cause = rng.choices(list(_CAUSE_WEIGHTS), list(_CAUSE_WEIGHTS.values()))[0]
    return _Case(origin=places.pick_unit(year), cause=cause, legacy_cause=legacy_cause)


def _exit_status(rng: random.Random, year: int) -> str:
    if national_standard_code(year) == QD59:
        return NOT_POOR
    return AVERAGE if rng.random() < 0.7 else NOT_POOR


def _simulate(rng: random.Random, places: _Places) -> list[_Case]:
    """Every household ever on a list, with its recognised status in each year it was assessed."""
    cases: list[_Case] = []
    poor: list[_Case] = []
    near: list[_Case] = []
    pool: list[_Case] = []  # were on a list, are out now: may come back
    for year in YEARS:
        target = CITY_TARGETS[year]
        if year == FIRST_YEAR:
            flows = _Flows(new_poor=target[0], new_near=target[1])
        else:
            flows = _flows(len(poor), len(near), target, year, len(pool))
        rng.shuffle(poor)
        rng.shuffle(near)
        rng.shuffle(pool)
        to_near = poor[: flows.poor_to_near]
        stay_poor = poor[flows.poor_to_near : flows.poor_to_near + flows.stay_poor]
        exits = poor[flows.poor_to_near + flows.stay_poor :]
        to_poor = near[: flows.near_to_poor]
        stay_near = near[flows.near_to_poor : flows.near_to_poor + flows.stay_near]
        exits += near[flows.near_to_poor + flows.stay_near :]
        re_poor = pool[: flows.re_poor]
        re_near = pool[flows.re_poor : flows.re_poor + flows.re_near]
        pool = pool[flows.re_poor + flows.re_near :]
        new_poor = [_new_case(rng, places, year) for _ in range(flows.new_poor)]
        new_near = [_new_case(rng, places, year) for _ in range(flows.new_near)]
        cases += new_poor + new_near

        poor = stay_poor + to_poor + re_poor + new_poor
        near = stay_near + to_near + re_near + new_near
        for case in poor:
            case.statuses[year] = POOR
        for case in near:
            case.statuses[year] = NEAR_POOR
        for case in exits:
            case.statuses[year] = _exit_status(rng, year)
        pool += exits
        assert (len(poor), len(near)) == target, (year, len(poor), len(near), target)
    return cases


def _pending_cases(rng: random.Random, places: _Places) -> list[_Case]:
    """2025 applicants not (yet) recognised, for the review pages; not in the figures."""
    day = review_day(LAST_YEAR)
    wards = {u.code: u for u in places.valid_on(day)}
    steps = [
        ("6688", AssessmentStatus.LISTED),
        ("6688", AssessmentStatus.SURVEYED),
        ("6688", AssessmentStatus.AGREED),
        ("6688", AssessmentStatus.POSTED),
        ("6673", AssessmentStatus.LISTED),
        ("6673", AssessmentStatus.SURVEYED),
        ("6673", AssessmentStatus.POSTED),
        ("6673", AssessmentStatus.REFUSED),
        ("7030", AssessmentStatus.AGREED),
        ("6979", AssessmentStatus.SURVEYED),
    ]
    pending = []
    for code, step in steps:
        case = _new_case(rng, places, LAST_YEAR)
        case.origin, case.step = wards.get(code, case.origin), step
        pending.append(case)
    # Regular round: one application left undecided past the 15-day deadline,
    # one refused in time.
    for code, applied, step in [
        ("6688", datetime.date(2025, 11, 17), AssessmentStatus.SURVEYED),
        ("6673", datetime.date(2025, 8, 15), AssessmentStatus.REFUSED),
    ]:
        case = _new_case(rng, places, LAST_YEAR)
        case.origin, case.step, case.kind = wards.get(code, case.origin), step, ReviewKind.REGULAR
        case.application_date = applied
        pending.append(case)
    return pending


# --- People --------------------------------------------------------------------

_FAMILY_KINH = {
    "Nguyễn": 31, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Vũ": 5, "Đặng": 3,
    "Bùi": 3, "Đỗ": 3, "Ngô": 2, "Hồ": 2, "Dương": 2, "Đinh": 2, "Phan": 3, "Đào": 1,
}  # fmt: skip
_FAMILY_MINORITY = {
    "Dao": ["Triệu", "Bàn", "Lý", "Đặng", "Chìu", "Phùng"],
    "Tày": ["Hoàng", "Nông", "Lộc", "Ma", "Vi"],
    "Sán Dìu": ["Lỷ", "Tằng", "Diệp", "Trương", "Lê"],
}
_MIDDLE = {Sex.MALE: ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Đình"]}
_MIDDLE[Sex.FEMALE] = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh"]
_GIVEN = {
    Sex.MALE: [
        "Hùng", "Thắng", "Nam", "Dũng", "Tuấn", "Hải", "Long", "Minh", "Quang", "Sơn", "Thành",
        "Trung", "Cường", "Bình", "Phúc", "Huy", "Toàn", "Kiên", "Hiếu", "Lâm", "Tùng", "Khánh",
        "Việt", "Hòa", "Tâm", "Vinh", "Phong", "Đạt",
    ],
    Sex.FEMALE: [
        "Lan", "Hoa", "Mai", "Hương", "Thu", "Hằng", "Nga", "Huyền", "Linh", "Trang", "Ngọc",
        "Yến", "Thảo", "Hà", "Phương", "Loan", "Dung", "Nhung", "Oanh", "Liên", "Vân", "Hạnh",
        "Tuyết", "Xuân", "Hiền",
    ],
}  # fmt: skip
_OTHER_SEX = {Sex.MALE: Sex.FEMALE, Sex.FEMALE: Sex.MALE}


def _family_name(rng: random.Random, ethnicity: str) -> str:
    if ethnicity in _FAMILY_MINORITY:
        return rng.choice(_FAMILY_MINORITY[ethnicity])
    return rng.choices(list(_FAMILY_KINH), list(_FAMILY_KINH.values()))[0]


def _person_name(rng: random.Random, family: str, sex: str) -> str:
    middle = rng.choice(_MIDDLE[sex])
    given = rng.choice([name for name in _GIVEN[sex] if name != middle])
    return f"{family} {middle} {given}"


class _People:
    """Members of demo households, with unique citizen IDs and card numbers."""

    REFERENCE_YEAR = LAST_YEAR

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.citizen_ids = set(
            Member.objects.exclude(citizen_id="").values_list("citizen_id", flat=True)
        )
        self.card_serials: set[str] = set()

    def citizen_id(self, sex: str, birth_year: int) -> str:
        """A CCCD of Quảng Ninh (022) whose 4th–6th digits match sex and year of birth."""
        century_digit = (0 if birth_year < 2000 else 2) + (sex == Sex.FEMALE)
        while True:
            value = f"022{century_digit}{birth_year % 100:02d}{self.rng.randrange(10**6):06d}"
            if value not in self.citizen_ids:
                self.citizen_ids.add(value)
                return value

    def health_card(self, prefix: str) -> str:
        """A BHYT card number: object code, benefit level, province 22, 10-digit number."""
        while True:
            serial = f"22{self.rng.randrange(10**8):08d}"
            if serial not in self.card_serials:
                self.card_serials.add(serial)
                return f"{prefix}22{serial}"

    def family(self, ethnicity: str, latest: str) -> list[Member]:
        """2–6 members, head first; at least two of them born by 2012."""
        rng = self.rng
        year = self.REFERENCE_YEAR
        head_sex = Sex.MALE if rng.random() < 0.72 else Sex.FEMALE
        family = _family_name(rng, ethnicity)
        elderly = rng.random() < 0.25
        head_birth = rng.randint(1938, 1962) if elderly else rng.randint(1963, 1998)
        people = [(_person_name(rng, family, head_sex), head_sex, head_birth, Relation.HEAD)]
        partner_sex = _OTHER_SEX[head_sex]
        partner_family = None
        if rng.random() < 0.75:
            partner_family = _family_name(rng, ethnicity if rng.random() < 0.85 else "Kinh")
            people.append(
                (
                    _person_name(rng, partner_family, partner_sex),
                    partner_sex,
                    _clamp(head_birth + rng.randint(-6, 3), 1935, 2000),
                    Relation.SPOUSE,
                )
            )
        # Children carry the father's family name: the head's, the husband's or an absent father's.
        if head_sex == Sex.MALE:
            father_family = family
        else:
            father_family = partner_family or _family_name(rng, ethnicity)
        if not elderly:
            for _ in range(rng.choices([0, 1, 2, 3, 4], [8, 25, 40, 20, 7])[0]):
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                birth = _clamp(head_birth + rng.randint(20, 34), head_birth + 18, year - 1)
                people.append((_person_name(rng, father_family, sex), sex, birth, Relation.CHILD))
            if rng.random() < 0.2:
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                people.append(
                    (
                        _person_name(
                            rng, family if sex == Sex.MALE else _family_name(rng, ethnicity), sex
                        ),
                        sex,
                        head_birth - rng.randint(22, 32),
                        Relation.PARENT,
                    )
                )
        else:
            if rng.random() < 0.4:
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                birth = head_birth + rng.randint(22, 34)
                people.append((_person_name(rng, father_family, sex), sex, birth, Relation.CHILD))
            if rng.random() < 0.5:
                sex = rng.choice([Sex.MALE, Sex.FEMALE])
                birth = rng.randint(max(head_birth + 45, 2004), year - 3)
                people.append(
                    (_person_name(rng, father_family, sex), sex, birth, Relation.GRANDCHILD)
                )
        while len([p for p in people if p[2] <= 2012]) < 2:
            sex = rng.choice([Sex.MALE, Sex.FEMALE])
            people.append(
                (
                    _person_name(rng, family, sex),
                    sex,
                    head_birth + rng.randint(-8, 8),
                    Relation.SIBLING,
                )
            )
        return [self._member(*person, ethnicity=ethnicity, latest=latest) for person in people[:6]]

    def _member(self, full_name, sex, birth_year, relation, *, ethnicity, latest) -> Member:
        rng = self.rng
        age = self.REFERENCE_YEAR - birth_year
        disabled = rng.random() < 0.05
        member = Member(
            full_name=full_name,
            sex=sex,
            birth_year=birth_year,
            ethnicity=ethnicity,
            relation=relation,
            has_disability=disabled,
            search_name=fold(full_name),
            school_level=_school_level(rng, age),
            education_level=_education_level(rng, age),
            work_status=_work_status(rng, age, disabled),
        )
        if age >= 14 and rng.random() < 0.85 or 6 <= age < 14 and rng.random() < 0.2:
            member.citizen_id = self.citizen_id(sex, birth_year)
        if rng.random() < 0.9:
            if age < 6:
                prefix = "TE1"
            elif latest == POOR:
                prefix = "HN2"
            elif ethnicity != "Kinh":
                prefix = "DT2"
            elif latest == NEAR_POOR:
                prefix = "CN3"
            else:
                prefix = "GD4"
            member.health_insurance_number = self.health_card(prefix)
            member.health_insurance_expiry = datetime.date(
                rng.choices([2024, 2025, 2026], [1, 4, 5])[0], 12, 31
            )
        return member


def _school_level(rng: random.Random, age: int) -> str:
    if 3 <= age <= 5:
        return SchoolLevel.PRESCHOOL if rng.random() < 0.9 else ""
    if 6 <= age <= 10:
        return SchoolLevel.PRIMARY if rng.random() < 0.97 else ""
    if 11 <= age <= 14:
        return SchoolLevel.LOWER_SECONDARY if rng.random() < 0.93 else ""
    if 15 <= age <= 17:
        return SchoolLevel.UPPER_SECONDARY if rng.random() < 0.75 else ""
    if 18 <= age <= 21 and rng.random() < 0.25:
        return rng.choice([SchoolLevel.VOCATIONAL, SchoolLevel.HIGHER])
    return ""


def _education_level(rng: random.Random, age: int) -> str:
    if age < 11:
        return EducationLevel.NONE if age >= 6 else ""
    if age < 15:
        return EducationLevel.PRIMARY
    levels = [
        EducationLevel.NONE,
        EducationLevel.PRIMARY,
        EducationLevel.LOWER_SECONDARY,
        EducationLevel.UPPER_SECONDARY,
        EducationLevel.VOCATIONAL,
        EducationLevel.HIGHER,
    ]
    weights = [10, 25, 35, 20, 7, 3] if age >= 50 else [2, 8, 35, 35, 14, 6]
    return rng.choices(levels, weights)[0]


def _work_status(rng: random.Random, age: int, disabled: bool) -> str:
    if age < 15:
        return WorkStatus.CHILD
    if disabled:
        return WorkStatus.UNABLE
    if age < 18:
        return WorkStatus.STUDENT
    if age >= 65:
        return rng.choices([WorkStatus.RETIRED, WorkStatus.UNABLE, WorkStatus.SELF_EMPLOYED])[0]
    return rng.choices(
        [
            WorkStatus.SELF_EMPLOYED,
            WorkStatus.EMPLOYED_NO_CONTRACT,
            WorkStatus.EMPLOYED_CONTRACT,
            WorkStatus.UNEMPLOYED,
        ],
        [40, 30, 18, 12],
    )[0]


def _ethnicity(rng: random.Random, unit: AdministrativeUnit) -> str:
    if rng.random() >= _minority_share(unit):
        return "Kinh"
    return rng.choices(["Dao", "Tày", "Sán Dìu"], [6, 2, 2])[0]


# --- Assessments ------------------------------------------------------------------

_INDICATOR_WEIGHTS = {
    "employment": 4,
    "dependents": 4,
    "health_insurance": 3,
    "adult_education": 2.5,
    "housing_quality": 2.5,
    "health_access": 1.5,
    "sanitation": 1.5,
    "housing_area": 1.5,
    "telecom": 1.5,
    "water": 1,
    "information_devices": 1,
    "nutrition": 0.8,
    "school_attendance": 0.5,
}
_NEEDS_BY_CAUSE = {
    Cause.NO_CAPITAL: [SupportNeed.CREDIT, SupportNeed.PRODUCTION],
    Cause.NO_LABOUR: [SupportNeed.HEALTH, SupportNeed.OTHER],
    Cause.ILLNESS_ACCIDENT: [SupportNeed.HEALTH],
    Cause.NO_SKILLS: [SupportNeed.EDUCATION, SupportNeed.PRODUCTION],
    Cause.NO_LAND: [SupportNeed.PRODUCTION, SupportNeed.CREDIT],
    Cause.NO_KNOW_HOW: [SupportNeed.PRODUCTION],
    Cause.NO_TOOLS: [SupportNeed.PRODUCTION, SupportNeed.CREDIT],
    Cause.OTHER: [SupportNeed.OTHER],
}


class _Evidence:
    """Income and deprivations that give a wanted status under a standard's own rule."""

    def __init__(self, rng: random.Random, standards: dict[str, PovertyStandard]):
        self.rng = rng
        self.standards = standards
        self.indicators = {
            code: list(standard.indicators.all()) for code, standard in standards.items()
        }
        self.rules = {
            (code, area): StandardRule.for_area(standard, area)
            for code, standard in standards.items()
            for area in (Area.URBAN, Area.RURAL)
        }

    def draw(self, code: str, area: str, status: str) -> tuple[int, list]:
        """``(income, deprived indicators)`` classified as ``status`` under standard ``code``."""
        rng, rule = self.rng, self.rules[(code, area)]
        line = rule.poor_line
        if rule.near_poor_ceiling is not None:  # QĐ 59
            ceiling = rule.near_poor_ceiling
            if status == POOR and rng.random() < 0.75:
                income, count = rng.uniform(0.5 * line, line), rng.randint(0, 4)
            elif status == POOR:
                income, count = rng.uniform(line + 10_000, ceiling), rng.randint(3, 5)
            elif status == NEAR_POOR:
                income, count = rng.uniform(line + 10_000, ceiling), rng.randint(0, 2)
            else:
                income, count = rng.uniform(ceiling + 10_000, 1.6 * ceiling), rng.randint(0, 2)
        elif status == POOR:
            income, count = rng.uniform(0.5 * line, line), rng.randint(3, 6)
        elif status == NEAR_POOR:
            income, count = rng.uniform(0.55 * line, line), rng.randint(0, 2)
        elif status == AVERAGE:
            income, count = rng.uniform(line + 10_000, rule.average_ceiling), rng.randint(0, 2)
        else:
            income = rng.uniform(rule.average_ceiling + 10_000, 1.5 * rule.average_ceiling)
            count = rng.randint(0, 2)
        if status in (POOR, NEAR_POOR):
            income = math.floor(income / 10_000) * 10_000
        else:
            income = math.ceil(income / 10_000) * 10_000
        deprived = self._indicators(code, area, count)
        decided = classify(rule, income=income, score_a=None, deprivation_count=len(deprived))
        assert decided == status, (code, area, status, income, len(deprived), decided)
        return income, deprived

    def _indicators(self, code: str, area: str, count: int) -> list:
        pool = list(self.indicators[code])
        chosen = []
        for _ in range(count):
            weights = [
                _INDICATOR_WEIGHTS.get(i.code, 1)
                * (2 if area == Area.RURAL and i.code in ("water", "sanitation") else 1)
                for i in pool
            ]
            pick = self.rng.choices(pool, weights)[0]
            pool.remove(pick)
            chosen.append(pick)
        return chosen

    def classify(self, code: str, area: str, income: int, deprived: list) -> str:
        return classify(
            self.rules[(code, area)], income=income, score_a=None, deprivation_count=len(deprived)
        )

    def score_a(self, code: str, area: str, income: int) -> int | None:
        rule = self.rules[(code, area)]
        if rule.score_a_line is None:
            return None
        return round(income / rule.poor_line * rule.score_a_line)


@dataclass
class _Decision:
    """One ward's decision of one year's periodic review."""

    number: str
    day: datetime.date
    signer: str
    certificates: int = 0


# --- Summary -------------------------------------------------------------------


@dataclass(frozen=True)
class YearFigure:
    year: int
    poor: int
    near_poor: int
    households: int

    @property
    def poor_rate(self) -> float:
        return round(100 * self.poor / self.households, 2) if self.households else 0.0

    @property
    def near_poor_rate(self) -> float:
        return round(100 * self.near_poor / self.households, 2) if self.households else 0.0


@dataclass(frozen=True)
class SeedSummary:
    created: bool
    households: int
    members: int
    assessments: int
    figures: tuple[YearFigure, ...]


def city_figures() -> tuple[YearFigure, ...]:
    """Recognised poor/near-poor households and resident households of the city per year."""
    unit_ids = [u.pk for u in city_grassroots_units()]
    statuses = (
        Assessment.objects.filter(
            unit_id__in=unit_ids, status=AssessmentStatus.RECOGNISED, year__in=YEARS
        )
        .values("year")
        .annotate(
            poor=Count("household", filter=Q(recorded_status=POOR), distinct=True),
            near_poor=Count("household", filter=Q(recorded_status=NEAR_POOR), distinct=True),
        )
    )
    by_year = {row["year"]: row for row in statuses}
    totals = dict(
        UnitHouseholdCount.objects.filter(unit_id__in=unit_ids, year__in=YEARS)
        .values_list("year")
        .annotate(total=Sum("households"))
    )
    return tuple(
        YearFigure(
            year=year,
            poor=by_year.get(year, {}).get("poor", 0),
            near_poor=by_year.get(year, {}).get("near_poor", 0),
            households=totals.get(year, 0),
        )
        for year in YEARS
    )


def _existing_summary() -> SeedSummary:
    households = Household.objects.filter(code__startswith=CODE_PREFIX)
    return SeedSummary(
        created=False,
        households=households.count(),
        members=Member.objects.filter(household__in=households).count(),
        assessments=Assessment.objects.filter(household__in=households).count(),
        figures=city_figures(),
    )


# --- Writing -------------------------------------------------------------------


def seed_households(*, rng: random.Random, stdout: TextIO | None = None) -> SeedSummary:
    """Create the demo households with their 2015–2025 history; idempotent.

    If any household coded ``HL-…`` exists, nothing is created and the
    existing counts are returned. Needs the units, villages and demo logins
    of ``communes.demo`` and the standards of migration 0002.
    """
    if Household.objects.filter(code__startswith=CODE_PREFIX).exists():
        return _existing_summary()
    with transaction.atomic():
        _Writer(rng, stdout).run()
    return dataclasses.replace(_existing_summary(), created=True)


class _Writer:
    def __init__(self, rng: random.Random, stdout: TextIO | None):
        self.rng = rng
        self.stdout = stdout
        self.places = _Places(rng)
        standards = {
            s.code: s
            for s in PovertyStandard.objects.filter(code__in=[QD59, ND07, QN_NQ13])
            .prefetch_related("indicators")
            .order_by("code")
        }
        missing = {QD59, ND07, QN_NQ13} - set(standards)
        if missing:
            raise LookupError(f"poverty standards missing (migration 0002?): {sorted(missing)}")
        self.standards = standards
        self.evidence = _Evidence(rng, standards)
        self.people = _People(rng)
        users = get_user_model().objects.filter(
            username__in=[*ASSIGNEES.values(), *SURVEYORS.values()]
        )
        self.users = {u.username: u for u in users}
        self.chairs: dict[int, str] = {}  # unit id → name of the People's Committee chair

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def run(self) -> None:
        cases = _simulate(self.rng, self.places) + _pending_cases(self.rng, self.places)
        self.log(f"  simulated {len(cases)} households over {FIRST_YEAR}–{LAST_YEAR}")
        self._write_denominators()
        rounds = self._write_rounds(cases)
        households = self._write_households(cases)
        self._write_assessments(cases, households, rounds)
        written, _replaced = rebuild_household_years()
        self.log(f"  {written} household years")

    def _write_denominators(self) -> None:
        existing = set(
            UnitHouseholdCount.objects.filter(year__in=YEARS).values_list("unit_id", "year")
        )
        UnitHouseholdCount.objects.bulk_create(
            UnitHouseholdCount(
                unit_id=unit_id,
                year=year,
                households=households,
                people=round(households * self.rng.uniform(3.4, 3.8)),
                source="Demo: sổ hộ khẩu / cơ sở dữ liệu dân cư",
            )
            for (unit_id, year), households in sorted(self.places.denominators.items())
            if (unit_id, year) not in existing
        )

    def _write_rounds(self, cases: list[_Case]) -> dict[tuple[int, int, str], ReviewRound]:
        """A periodic round per unit and year; regular rounds where someone applied.

        A 2025 round with cases still in progress stays open.
        """
        wanted = {
            (unit.pk, year, ReviewKind.PERIODIC)
            for year in YEARS
            for unit in self.places.valid_on(review_day(year))
        }
        in_progress = set()
        for case in cases:
            if case.step != AssessmentStatus.RECOGNISED:
                key = (self.places.unit_for(case, LAST_YEAR).pk, LAST_YEAR, case.kind)
                wanted.add(key)
                if case.step not in (AssessmentStatus.RECOGNISED, AssessmentStatus.REFUSED):
                    in_progress.add(key)
        rounds = {
            (r.unit_id, r.year, r.kind): r
            for r in ReviewRound.objects.filter(year__in=YEARS, unit__in=self.places.units)
        }
        units = {u.pk: u for u in self.places.units}
        new = []
        for unit_id, year, kind in sorted(wanted - set(rounds)):
            unit = units[unit_id]
            periodic = kind == ReviewKind.PERIODIC
            opened = datetime.date(year, 9, 1) if periodic else datetime.date(year, 1, 15)
            if unit.valid_from and unit.valid_from > opened:
                opened = unit.valid_from + datetime.timedelta(days=14)
            provincial = provincial_standard_code(year)
            closed = datetime.date(year, 12, 14) if periodic else datetime.date(year, 12, 31)
            review_round = ReviewRound(
                unit=unit,
                year=year,
                kind=kind,
                standard=self.standards[national_standard_code(year)],
                provincial_standard=self.standards[provincial] if provincial else None,
                opened_on=opened,
                closed_on=None if (unit_id, year, kind) in in_progress else closed,
            )
            rounds[(unit_id, year, kind)] = review_round
            new.append(review_round)
        ReviewRound.objects.bulk_create(new)
        self.log(f"  {len(new)} review rounds")
        return rounds

    def _write_households(self, cases: list[_Case]) -> list[Household]:
        rng, places = self.rng, self.places
        households, families = [], []
        for number, case in enumerate(cases, start=1):
            unit = places.unit_for(case, LAST_YEAR)
            village = places.village(unit)
            ethnicity = _ethnicity(rng, case.origin)
            latest = case.statuses[max(case.statuses)] if case.statuses else ""
            members = self.people.family(ethnicity, latest)
            head = members[0]
            if unit.area == Area.URBAN:
                address = f"Số {rng.randint(1, 250)}, {village.name if village else ''}"
            else:
                address = village.name if village else ""
            households.append(
                Household(
                    code=f"{CODE_PREFIX}{number:05d}",
                    unit=unit,
                    village=village,
                    address=address.strip(", "),
                    phone=f"09{rng.randrange(10**8):08d}" if rng.random() < 0.7 else "",
                    is_ethnic_minority=head.ethnicity != "Kinh",
                    no_working_capacity=all(
                        m.work_status in (WorkStatus.UNABLE, WorkStatus.RETIRED, WorkStatus.CHILD)
                        for m in members
                    ),
                    has_revolutionary_merit=rng.random() < 0.03,
                    search_text=fold(
                        " ".join([m.full_name for m in members] + [m.citizen_id for m in members])
                    ),
                )
            )
            families.append(members)
        self._assign(cases, households)
        Household.objects.bulk_create(households, batch_size=500)
        for household, members in zip(households, families, strict=True):
            for member in members:
                member.household = household
        Member.objects.bulk_create([m for f in families for m in f], batch_size=1000)
        # One UPDATE instead of a bulk_update's CASE over thousands of rows.
        heads = Member.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD)
        Household.objects.filter(code__startswith=CODE_PREFIX, head__isnull=True).update(
            head=Subquery(heads.values("pk")[:1])
        )
        for household, members in zip(households, families, strict=True):
            household.head = members[0]
        self.families = families
        self.log(f"  {len(households)} households, {sum(len(f) for f in families)} members")
        return households

    def _assign(self, cases: list[_Case], households: list[Household]) -> None:
        """Give each demo member login a few 2025 cases of their ward."""
        for code, username in ASSIGNEES.items():
            user = self.users.get(username)
            if user is None:
                continue
            mine = [
                h
                for case, h in zip(cases, households, strict=True)
                if h.unit.code == code
                and h.unit.valid_from == REFORM_DATE
                and (case.statuses.get(LAST_YEAR) in (POOR, NEAR_POOR) or not case.statuses)
            ]
            for household in self.rng.sample(mine, min(ASSIGNED_PER_WARD, len(mine))):
                household.assigned_to = user

    def _write_assessments(self, cases, households, rounds) -> None:
        decisions: dict[tuple[int, int], _Decision] = {}
        meetings: dict[tuple[int | None, int, int], tuple[datetime.date, str, int, int]] = {}
        assessments, deprivations, causes = [], [], []
        for case, household, members in zip(cases, households, self.families, strict=True):
            years = sorted(case.statuses) or [LAST_YEAR]
            for year in years:
                unit = self.places.unit_for(case, year)
                status = case.statuses.get(year)
                assessment, deprived = self._assessment(
                    case, household, members, unit, year, status, rounds, decisions, meetings
                )
                assessments.append(assessment)
                deprivations.append(deprived)
                causes.append(self._causes(case, year))
        Assessment.objects.bulk_create(assessments, batch_size=1000)
        Through = Assessment.deprivations.through
        Through.objects.bulk_create(
            [
                Through(assessment_id=a.pk, indicator_id=i.pk)
                for a, deprived in zip(assessments, deprivations, strict=True)
                for i in deprived
            ],
            batch_size=2000,
        )
        AssessmentCause.objects.bulk_create(
            [
                AssessmentCause(assessment_id=a.pk, code=code, is_primary=primary)
                for a, codes in zip(assessments, causes, strict=True)
                for code, primary in codes
            ],
            batch_size=2000,
        )
        self.log(f"  {len(assessments)} assessments")

    def _assessment(
        self, case, household, members, unit, year, status, rounds, decisions, meetings
    ) -> tuple[Assessment, list]:
        rng = self.rng
        step = case.step if status is None else AssessmentStatus.RECOGNISED
        review_round = rounds[(unit.pk, year, case.kind)]
        code = national_standard_code(year)
        assessment = Assessment(
            household=household,
            round=review_round,
            unit=unit,
            year=year,
            status=step,
            application_date=case.application_date,
            member_count=max(1, sum(m.birth_year <= year for m in members)),
        )
        if case.cause in _NEEDS_BY_CAUSE:
            needs = list(_NEEDS_BY_CAUSE[case.cause])
            if rng.random() < 0.4:
                needs.append(rng.choice([SupportNeed.HOUSING, SupportNeed.EDUCATION]))
            assessment.support_needs = sorted({str(n) for n in needs})
        if step == AssessmentStatus.LISTED:
            return assessment, []

        # Survey: the refused applicants turn out to be above the line.
        wanted = status or (AVERAGE if step == AssessmentStatus.REFUSED else NEAR_POOR)
        income, deprived = self.evidence.draw(code, unit.area, wanted)
        if case.application_date:
            surveyed = case.application_date + datetime.timedelta(days=rng.randint(2, 3))
        else:
            surveyed = datetime.date(year, 9, 3) + datetime.timedelta(days=rng.randint(0, 62))
        assessment.surveyed_on = surveyed
        assessment.surveyed_by = (
            self.users.get(SURVEYORS.get(unit.code, "")) if unit.valid_from else None
        )
        assessment.income_per_capita = income
        assessment.score_a = self.evidence.score_a(code, unit.area, income)
        assessment.national_status = wanted
        provincial = provincial_standard_code(year)
        if provincial:
            assessment.provincial_status = self.evidence.classify(
                provincial, unit.area, income, deprived
            )
        if step == AssessmentStatus.SURVEYED:
            return assessment, deprived

        if case.kind == ReviewKind.PERIODIC:
            key = (household.village_id if year == LAST_YEAR else None, unit.pk, year)
            if key not in meetings:
                attendees = rng.randint(20, 40)
                meetings[key] = (
                    datetime.date(year, 11, 8) + datetime.timedelta(days=rng.randint(0, 12)),
                    _person_name(rng, _family_name(rng, "Kinh"), rng.choice(list(_MIDDLE))),
                    attendees,
                    rng.randint(max(math.ceil(attendees / 2), attendees - 8), attendees),
                )
            meeting_date, chair, attendees, agreed = meetings[key]
        else:
            meeting_date = surveyed + datetime.timedelta(days=1)
            chair = _person_name(rng, _family_name(rng, "Kinh"), Sex.MALE)
            attendees = rng.randint(20, 30)
            agreed = rng.randint(math.ceil(attendees / 2), attendees)
        assessment.meeting_date = meeting_date
        assessment.meeting_chair = chair
        assessment.meeting_attendees = attendees
        assessment.meeting_agreed = agreed
        if step == AssessmentStatus.AGREED:
            return assessment, deprived

        assessment.posted_from = meeting_date + datetime.timedelta(days=rng.randint(1, 3))
        assessment.posted_to = assessment.posted_from + datetime.timedelta(days=3)
        if step == AssessmentStatus.POSTED:
            return assessment, deprived

        decision = self._decision(decisions, unit, year, case, assessment.posted_to)
        assessment.decision_number = decision.number
        assessment.decision_date = decision.day
        assessment.decision_signer = decision.signer
        if step == AssessmentStatus.REFUSED:
            line = self.evidence.rules[(code, unit.area)].poor_line
            assessment.refusal_reason = (
                f"Thu nhập bình quân {income:,} đ/người/tháng, cao hơn chuẩn nghèo "
                f"({line:,} đ): không thuộc diện hộ nghèo, hộ cận nghèo."
            ).replace(",", ".")
        else:
            assessment.recorded_status = wanted
            if wanted in (POOR, NEAR_POOR):
                decision.certificates += 1
                assessment.certificate_number = f"{decision.certificates:03d}/GCN-HN.HCN"
        return assessment, deprived

    def _decision(self, decisions, unit, year, case, posted_to) -> _Decision:
        if case.kind == ReviewKind.REGULAR:
            # Decided the day after the posting ends: within the 15 days.
            day = posted_to + datetime.timedelta(days=1)
            return _Decision(
                number=f"{self.rng.randint(100, 1800)}/QĐ-UBND",
                day=day,
                signer=f"{_person_name(self.rng, 'Nguyễn', Sex.MALE)}, Chủ tịch UBND",
            )
        key = (unit.pk, year)
        if key not in decisions:
            chairs = self.chairs
            if unit.pk not in chairs:
                sex = Sex.MALE if self.rng.random() < 0.75 else Sex.FEMALE
                chairs[unit.pk] = _person_name(self.rng, _family_name(self.rng, "Kinh"), sex)
            decisions[key] = _Decision(
                number=f"{self.rng.randint(1500, 4200)}/QĐ-UBND",
                day=datetime.date(year, 12, self.rng.randint(2, 12)),
                signer=f"{chairs[unit.pk]}, Chủ tịch UBND {unit.name[0].lower()}{unit.name[1:]}",
            )
        return decisions[key]

    def _causes(self, case: _Case, year: int) -> list[tuple[str, bool]]:
        """1–3 causes, the household's own one primary (legacy codes before 2021)."""
        primary = case.legacy_cause if case.legacy_cause and year <= 2020 else case.cause
        others = [c for c in _CAUSE_WEIGHTS if c not in (primary, case.cause)]
        extra = self.rng.sample(others, self.rng.choices([0, 1, 2], [45, 40, 15])[0])
        return [(str(primary), True)] + [(str(c), False) for c in extra]

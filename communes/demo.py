"""Demo committees, villages and logins for Hạ Long (used by ``seed_demo``).

Everything here is idempotent: running it again finds what exists and
creates nothing new.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import AdministrativeUnit, Area, Membership, Role, SteeringCommittee, UnitKind
from .selectors import unit_scope_ids

CITY_CODE = "193"
REFORM_DATE = datetime.date(2025, 7, 1)
CITY_START = datetime.date(2016, 1, 1)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit_code: str | None  # GSO code of a post-reform ward; None: the city committee


DEMO_LOGINS = (
    DemoLogin("city.head", "Nguyễn Thị Hằng", Role.CITY_HEAD, None),
    DemoLogin("city.staff", "Trần Minh Quân", Role.CITY_STAFF, None),
    DemoLogin("halong.head", "Phạm Văn Hùng", Role.WARD_HEAD, "6688"),
    DemoLogin("halong.officer", "Vũ Thị Lan", Role.WARD_OFFICER, "6688"),
    DemoLogin("halong.member", "Đặng Quốc Toản", Role.MEMBER, "6688"),
    DemoLogin("baichay.head", "Lê Thị Thu", Role.WARD_HEAD, "6673"),
    DemoLogin("baichay.officer", "Hoàng Văn Nam", Role.WARD_OFFICER, "6673"),
    DemoLogin("baichay.member", "Bùi Thị Mai", Role.MEMBER, "6673"),
)

_RURAL_VILLAGES = [
    "Thôn Đồng Trà",
    "Thôn Khe Cát",
    "Thôn Đồng Lá",
    "Thôn Bằng Anh",
    "Thôn Khe Lương",
    "Thôn Đồng Cao",
    "Thôn Xích Thổ",
    "Thôn Tân Tiến",
    "Thôn Trại Me",
    "Thôn Khe Càn",
]


def city_unit() -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(kind=UnitKind.CITY, code=CITY_CODE)


def city_grassroots_units() -> list[AdministrativeUnit]:
    """Every ward/commune that was or is in Hạ Long (legacy and post-reform)."""
    ids = unit_scope_ids(city_unit().pk)
    return list(
        AdministrativeUnit.objects.grassroots().filter(pk__in=ids).order_by("valid_from", "code")
    )


def _village_names(unit: AdministrativeUnit, rng: random.Random) -> list[str]:
    if unit.area == Area.RURAL:
        return sorted(rng.sample(_RURAL_VILLAGES, rng.randint(4, 7)))
    return [f"Tổ dân phố {n}" for n in range(1, rng.randint(6, 12) + 1)]


def _committee_name(unit: AdministrativeUnit) -> str:
    return f"Ban chỉ đạo giảm nghèo {unit.name[0].lower()}{unit.name[1:]}"


def seed_villages(units: list[AdministrativeUnit], rng: random.Random) -> int:
    """Villages for each unit that has none yet; returns how many were created."""
    with_villages = set(
        AdministrativeUnit.objects.villages()
        .filter(parent__in=units)
        .values_list("parent_id", flat=True)
    )
    new = []
    for unit in units:
        names = _village_names(unit, rng)  # drawn even when skipped: stable output
        if unit.pk in with_villages:
            continue
        new += [
            AdministrativeUnit(
                code=f"{unit.code}.{number:02d}",
                name=name,
                kind=UnitKind.VILLAGE,
                area=unit.area,
                parent=unit,
                valid_from=unit.valid_from,
                valid_to=unit.valid_to,
                is_local_code=True,
            )
            for number, name in enumerate(names, start=1)
        ]
    AdministrativeUnit.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def seed_committees_and_logins(*, password: str, rng: random.Random) -> list[DemoLogin]:
    """Committees of the city and its current wards, villages, and the demo logins."""
    User = get_user_model()
    city = city_unit()
    units = city_grassroots_units()
    seed_villages(units, rng)
    committees = {
        None: SteeringCommittee.objects.get_or_create(
            unit=city, defaults={"name": "Ban chỉ đạo giảm nghèo thành phố Hạ Long"}
        )[0]
    }
    for unit in units:
        committee, _ = SteeringCommittee.objects.get_or_create(
            unit=unit, defaults={"name": _committee_name(unit)}
        )
        if unit.valid_from == REFORM_DATE:
            committees[unit.code] = committee

    admin, _ = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    admin.set_password(password)
    admin.save()
    for login in DEMO_LOGINS:
        *first, last = login.full_name.split()
        user, _ = User.objects.get_or_create(
            username=login.username,
            defaults={"first_name": " ".join(first), "last_name": last},
        )
        user.set_password(password)
        user.save()
        committee = committees[login.unit_code]
        Membership.objects.get_or_create(
            user=user,
            committee=committee,
            end_date=None,
            defaults={
                "role": login.role,
                "start_date": CITY_START if login.unit_code is None else REFORM_DATE,
            },
        )
    return list(DEMO_LOGINS)

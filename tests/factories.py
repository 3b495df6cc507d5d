"""factory_boy factories shared by the whole suite."""

import datetime
import functools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from communes.models import (
    AdministrativeUnit,
    Area,
    Membership,
    Role,
    SteeringCommittee,
    UnitKind,
)

TEST_PASSWORD = "pw-for-tests-1"


@functools.cache
def test_password_hash() -> str:
    """Hash ``TEST_PASSWORD`` once: Argon2 is slow on purpose."""
    return make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Nguyễn Văn"
    last_name = factory.Sequence(lambda n: f"Người{n}")
    password = factory.LazyFunction(lambda: test_password_hash())


class UnitFactory(factory.django.DjangoModelFactory):
    """A ward with no dates; pass ``kind``/``parent`` for other levels."""

    class Meta:
        model = AdministrativeUnit

    code = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Phường Thử {n}")
    kind = UnitKind.WARD
    area = Area.URBAN


class VillageFactory(UnitFactory):
    kind = UnitKind.VILLAGE
    parent = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"V{n:05d}")
    name = factory.Sequence(lambda n: f"Tổ dân phố {n}")
    is_local_code = True


class CommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SteeringCommittee

    unit = factory.SubFactory(UnitFactory)
    name = factory.LazyAttribute(lambda o: f"Ban chỉ đạo giảm nghèo {o.unit.name}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    committee = factory.SubFactory(CommitteeFactory)
    role = Role.WARD_OFFICER
    start_date = datetime.date(2020, 1, 1)

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
from communes.text import fold
from households.models import (
    Assessment,
    Household,
    Member,
    PovertyStandard,
    Relation,
    ReviewKind,
    ReviewRound,
    Sex,
)
from plans.models import (
    ExitPlan,
    FundingSource,
    PlanAction,
    Responsibility,
    SupportRecord,
    SupportType,
    TargetKind,
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


# --- Households ------------------------------------------------------------


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household in a new ward; pass ``unit=`` for a real one."""

    class Meta:
        model = Household
        skip_postgeneration_save = True

    unit = factory.SubFactory(UnitFactory)
    code = factory.Sequence(lambda n: f"HN-{n:05d}")
    address = factory.Sequence(lambda n: f"Số {n}, tổ 1")

    @factory.post_generation
    def head(obj, create, extracted, **kwargs):
        """Create a head member unless ``head=False``; ``head__full_name=...`` etc."""
        if not create or extracted is False:
            return
        member = MemberFactory(household=obj, relation=Relation.HEAD, **kwargs)
        obj.head = member
        obj.search_text = fold(f"{member.full_name} {member.citizen_id}")
        obj.save(update_fields=["head", "search_text"])


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory, head=False)
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Thành {n}")
    sex = Sex.MALE
    birth_year = 1980
    relation = Relation.CHILD
    search_name = factory.LazyAttribute(lambda o: fold(o.full_name))


def standard(code: str = "ND07-2022") -> PovertyStandard:
    return PovertyStandard.objects.get(code=code)


class ReviewRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewRound
        django_get_or_create = ("unit", "year", "kind")

    unit = factory.SubFactory(UnitFactory)
    year = 2025
    kind = ReviewKind.PERIODIC
    standard = factory.LazyFunction(standard)
    opened_on = factory.LazyAttribute(lambda o: datetime.date(o.year, 9, 1))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    round = factory.SubFactory(ReviewRoundFactory, unit=factory.SelfAttribute("..household.unit"))
    unit = factory.SelfAttribute("household.unit")
    year = factory.SelfAttribute("round.year")

    @factory.post_generation
    def household_years(obj, create, extracted, **kwargs):
        """As the review services do: the household's decided years follow its decisions."""
        if create:
            from households.household_years import sync_household_years

            sync_household_years(household_ids=[obj.household_id])


def poor_since_2015(household):
    """Put ``household`` on the poor list by a decision of 10/12/2014 (in force from 2015 on,
    so it is entitled to electricity support)."""
    from households.models import AssessmentStatus, PovertyStatus

    AssessmentFactory(
        household=household,
        round__year=2014,
        status=AssessmentStatus.RECOGNISED,
        recorded_status=PovertyStatus.POOR,
        decision_date=datetime.date(2014, 12, 10),
    )
    return household


# --- Plans and support -------------------------------------------------------


def support_type(code: str) -> SupportType:
    """A catalogue entry loaded by the plans data migration."""
    return SupportType.objects.get(code=code)


class ExitPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExitPlan

    household = factory.SubFactory(HouseholdFactory)
    start_year = 2025
    end_year = 2026
    target_exit_year = 2026


class PlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanAction

    plan = factory.SubFactory(ExitPlanFactory)
    target_kind = TargetKind.INDICATOR
    target_code = "housing_quality"
    description = "Hỗ trợ sửa chữa nhà ở"
    responsibility = Responsibility.LOCAL_GOVERNMENT
    due_date = datetime.date(2026, 6, 30)


class SupportRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportRecord

    household = factory.SubFactory(HouseholdFactory)
    support_type = factory.LazyFunction(lambda: support_type("electricity"))
    amount = 147_000
    given_on = datetime.date(2025, 3, 15)
    funding_source = FundingSource.NATIONAL_PROGRAMME
    provider = "UBND phường"


def resync(*households_or_assessments):
    """After a test edits assessments directly (not through a service): their households'
    decided years follow, as the review services keep them."""
    from households.household_years import sync_household_years
    from households.models import Assessment

    ids = {
        obj.household_id if isinstance(obj, Assessment) else obj.pk
        for obj in households_or_assessments
    }
    sync_household_years(household_ids=ids)

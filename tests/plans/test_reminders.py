"""The daily digest: what it holds at the day boundaries, how it is kept, shown and sent."""

import datetime
import importlib
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from communes.jobs.models import Reminder, ReminderKind
from households.models import AssessmentStatus, PovertyStatus, ReviewKind
from plans.models import ActionStatus, LoanStatus
from plans.reminders import build_digest, sync_reminders
from tests.conftest import unit
from tests.factories import (
    AssessmentFactory,
    ExitPlanFactory,
    HouseholdFactory,
    MemberFactory,
    PlanActionFactory,
    ReviewRoundFactory,
    SupportRecordFactory,
    support_type,
)

pytestmark = pytest.mark.django_db

DATA_MIGRATIONS = [
    ("households.migrations.0002_load_standards", "load_standards"),
    ("plans.migrations.0002_catalogue", "load"),
]


@pytest.fixture(autouse=True)
def reference_data(db):
    """Standards and the support catalogue, even after another file's transactional
    test flushed them on this worker (the loaders are idempotent)."""
    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(importlib.import_module(module), function)(apps, None)


DAY = datetime.date(2026, 3, 10)


def days(n: int) -> datetime.date:
    return DAY + datetime.timedelta(days=n)


def _kinds(digest, user) -> dict[str, str]:
    """subject → kind of ``user``'s items."""
    return {item.subject: item.kind for item in digest.get(user.pk, [])}


def _listed(status=PovertyStatus.POOR, **kwargs):
    household = HouseholdFactory(unit=unit("6688"), **kwargs)
    AssessmentFactory(
        household=household, status=AssessmentStatus.RECOGNISED, recorded_status=status
    )
    return household


def test_actions_due_today_and_in_7_days_are_due_yesterday_overdue(halong_member):
    plan = ExitPlanFactory(household=HouseholdFactory(unit=unit("6688")))
    today, week, later, late = (
        PlanActionFactory(plan=plan, responsible=halong_member, due_date=d)
        for d in (days(0), days(7), days(8), days(-1))
    )
    PlanActionFactory(
        plan=plan, responsible=halong_member, due_date=days(-3), status=ActionStatus.DONE
    )

    kinds = _kinds(build_digest(DAY), halong_member)

    assert kinds == {
        f"action:{today.pk}": ReminderKind.ACTION_DUE,
        f"action:{week.pk}": ReminderKind.ACTION_DUE,
        f"action:{late.pk}": ReminderKind.ACTION_OVERDUE,
    }
    assert f"action:{later.pk}" not in kinds
    first = build_digest(DAY)[halong_member.pk][0]
    assert first.subject == f"action:{late.pk}"  # overdue first
    assert first.url == reverse("plans:plan_detail", args=[plan.pk])


def test_insurance_cards_expired_yesterday_and_within_30_days(halong_officer, halong_member):
    poor = _listed()
    near_poor = _listed(PovertyStatus.NEAR_POOR, assigned_to=halong_member)
    average = _listed(PovertyStatus.AVERAGE)
    expired = MemberFactory(household=poor, health_insurance_expiry=days(-1))
    today = MemberFactory(household=poor, health_insurance_expiry=days(0))
    in_30 = MemberFactory(household=near_poor, health_insurance_expiry=days(30))
    in_31 = MemberFactory(household=poor, health_insurance_expiry=days(31))
    not_listed = MemberFactory(household=average, health_insurance_expiry=days(-1))
    left = MemberFactory(household=poor, health_insurance_expiry=days(-1), left_on=days(-30))

    digest = build_digest(DAY)

    officer = _kinds(digest, halong_officer)
    assert officer == {
        f"member:{expired.pk}": ReminderKind.INSURANCE_EXPIRED,
        f"member:{today.pk}": ReminderKind.INSURANCE_EXPIRING,
    }
    # The assigned member gets the household's items, not the ward's officers.
    assert _kinds(digest, halong_member) == {f"member:{in_30.pk}": ReminderKind.INSURANCE_EXPIRING}
    for other in (in_31, not_listed, left):
        assert f"member:{other.pk}" not in officer


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (datetime.date(2026, 3, 26), None),  # due 30/3: in 4 days, not yet
        (datetime.date(2026, 3, 27), ReminderKind.REVIEW_DUE),  # in 3 days
        (datetime.date(2026, 3, 30), ReminderKind.REVIEW_DUE),  # due today
        (datetime.date(2026, 3, 31), ReminderKind.REVIEW_OVERDUE),  # due yesterday
    ],
)
def test_regular_applications_near_and_past_their_15_day_deadline(
    halong_officer, halong_member, day, kind
):
    # Applied 20/2: taken up by the monthly review of 15/3, decided by 30/3 (QĐ 24, Điều 5).
    regular = ReviewRoundFactory(unit=unit("6688"), kind=ReviewKind.REGULAR, year=2026)
    waiting = AssessmentFactory(
        household=HouseholdFactory(unit=unit("6688")),
        round=regular,
        status=AssessmentStatus.LISTED,
        application_date=datetime.date(2026, 2, 20),
    )
    decided = AssessmentFactory(
        household=HouseholdFactory(unit=unit("6688")),
        round=regular,
        status=AssessmentStatus.RECOGNISED,
        application_date=datetime.date(2026, 2, 20),
    )
    assert waiting.decision_deadline == datetime.date(2026, 3, 30)

    digest = build_digest(day)

    kinds = _kinds(digest, halong_officer)
    assert kinds.get(f"assessment:{waiting.pk}") == kind
    assert f"assessment:{decided.pk}" not in kinds
    assert halong_member.pk not in digest  # members do not run the review


def test_loans_past_due(halong_officer):
    household = HouseholdFactory(unit=unit("6688"))

    def loan(given_on, months, status):
        return SupportRecordFactory(
            household=household,
            support_type=support_type("loan"),
            amount=30_000_000,
            given_on=given_on,
            loan_term_months=months,
            loan_status=status,
        )

    ended_yesterday = loan(datetime.date(2025, 3, 9), 12, LoanStatus.CURRENT)
    ends_today = loan(datetime.date(2025, 3, 10), 12, LoanStatus.CURRENT)
    marked_overdue = loan(datetime.date(2025, 12, 1), 36, LoanStatus.OVERDUE)
    repaid = loan(datetime.date(2020, 1, 1), 12, LoanStatus.REPAID)

    kinds = _kinds(build_digest(DAY), halong_officer)

    assert kinds == {
        f"loan:{ended_yesterday.pk}": ReminderKind.LOAN_OVERDUE,
        f"loan:{marked_overdue.pk}": ReminderKind.LOAN_OVERDUE,
    }
    assert f"loan:{ends_today.pk}" not in kinds and f"loan:{repaid.pk}" not in kinds


def test_sync_keeps_read_marks_and_drops_what_is_no_longer_due(halong_member):
    plan = ExitPlanFactory(household=HouseholdFactory(unit=unit("6688")))
    kept = PlanActionFactory(plan=plan, responsible=halong_member, due_date=days(2))
    done = PlanActionFactory(plan=plan, responsible=halong_member, due_date=days(3))
    sync_reminders(build_digest(DAY), DAY)
    Reminder.objects.filter(subject=f"action:{kept.pk}").update(read_at="2026-03-10T08:00Z")
    done.status = ActionStatus.DONE
    done.save()

    counts = sync_reminders(build_digest(days(1)), days(1))

    assert counts == {"created": 0, "kept": 1, "deleted": 1}
    reminder = Reminder.objects.get()
    assert reminder.subject == f"action:{kept.pk}" and reminder.read_at is not None
    assert (reminder.created_on, reminder.seen_on) == (DAY, days(1))
    # Two days later the action is overdue: a new, unread reminder.
    sync_reminders(build_digest(days(3)), days(3))
    reminder = Reminder.objects.get()
    assert reminder.kind == ReminderKind.ACTION_OVERDUE and reminder.read_at is None


def test_command_emails_users_with_an_address(halong_member, halong_officer):
    halong_member.email = "thanh@example.org"
    halong_member.save()
    plan = ExitPlanFactory(household=HouseholdFactory(unit=unit("6688"), code="HL-9"))
    PlanActionFactory(plan=plan, responsible=halong_member, due_date=days(-2))
    PlanActionFactory(plan=plan, responsible=halong_officer, due_date=days(-2))
    out = io.StringIO()

    call_command("send_reminders", "--date", DAY.isoformat(), stdout=out)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["thanh@example.org"]
    assert "10/03/2026" in message.subject
    assert "HL-9" in message.body and reverse("plans:plan_detail", args=[plan.pk]) in message.body
    assert "2 reminders for 2 users" in out.getvalue()
    assert Reminder.objects.filter(user=halong_officer).count() == 1


def test_bell_counts_unread_and_the_page_opens_the_record(client, halong_member):
    plan = ExitPlanFactory(household=HouseholdFactory(unit=unit("6688"), code="HL-5"))
    PlanActionFactory(plan=plan, responsible=halong_member, due_date=days(-1))
    PlanActionFactory(plan=plan, responsible=halong_member, due_date=days(1))
    sync_reminders(build_digest(DAY), DAY)
    client.force_login(halong_member)

    home = client.get(reverse("home"))
    assert home.context["unread_reminders"] == 2
    assert b'rounded-pill text-bg-danger">2<' in home.content

    page = client.get(reverse("jobs:reminder_list"))
    first = page.context["reminders"][0]
    assert first.kind == ReminderKind.ACTION_OVERDUE and "HL-5" in first.title
    opened = client.get(first.get_absolute_url())
    assert opened["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    assert client.get(reverse("home")).context["unread_reminders"] == 1
    assert (
        client.get(reverse("jobs:reminder_list") + "?show=unread").context["reminders"][0] != first
    )

    client.post(reverse("jobs:reminder_mark"))
    assert client.get(reverse("home")).context["unread_reminders"] == 0
    client.post(reverse("jobs:reminder_mark"), {"reminder": first.pk, "read": "0"})
    assert client.get(reverse("home")).context["unread_reminders"] == 1


def test_another_users_reminder_is_404(client, halong_member, halong_officer):
    plan = ExitPlanFactory(household=HouseholdFactory(unit=unit("6688")))
    PlanActionFactory(plan=plan, responsible=halong_member, due_date=days(-1))
    sync_reminders(build_digest(DAY), DAY)
    reminder = Reminder.objects.get()
    client.force_login(halong_officer)

    assert client.get(reminder.get_absolute_url()).status_code == 404
    assert client.post(reverse("jobs:reminder_mark"), {"reminder": reminder.pk}).status_code == 404
    reminder.refresh_from_db()
    assert reminder.read_at is None

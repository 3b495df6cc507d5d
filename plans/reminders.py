"""The daily digest of each user: what needs doing soon, or is late.

``build_digest(day)`` lists the items of every user as of ``day``:

* plan actions they are responsible for, due within 7 days (due today
  included) or overdue;
* health insurance cards of current members of poor and near-poor
  households, expiring within 30 days or expired;
* regular-review applications near their 15-day decision deadline
  (``REGULAR_DECISION_DAYS`` from the start of the monthly review that takes them
  up, warned ``DEADLINE_WARNING_DAYS`` before) or past it;
* loans past due (marked overdue, or past the end of their term and not repaid).

A household's items go to the committee member it is assigned to, else to
the committee members of its ward who record support; applications go to
those who run the review. ``sync_reminders`` makes the stored reminders match
the digest (keeping read marks) and ``send_digests`` e-mails them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from communes.jobs.models import Reminder, ReminderKind
from communes.models import Membership
from communes.permissions import ROLE_ACTIONS, Action
from households.models import Assessment, AssessmentStatus, Member, PovertyStatus, ReviewKind
from households.models.review import REGULAR_DECISION_DAYS, regular_review_start
from households.review_selectors import DEADLINE_WARNING_DAYS, UNDECIDED

from .models import OPEN_ACTION_STATUSES, LoanStatus, PlanAction, SupportRecord

#: Actions due within this many days (today included) are reminded.
ACTION_DAYS = 7
#: Health insurance cards expiring within this many days are reminded.
INSURANCE_DAYS = 30
LISTED_STATUSES = (PovertyStatus.POOR, PovertyStatus.NEAR_POOR)


@dataclass(frozen=True)
class Item:
    user_id: int
    kind: str
    subject: str
    unit_id: int | None
    title: str
    due_on: datetime.date
    url: str


def _household_label(code: str, head: str | None) -> str:
    return f"{code} – {head}" if head else code


def _ward_users(unit_ids: Iterable[int], action: Action, day: datetime.date) -> dict[int, set]:
    """Unit → ids of users whose role in that unit's own committee grants ``action``."""
    roles = [role for role, actions in ROLE_ACTIONS.items() if action in actions]
    users: dict[int, set] = defaultdict(set)
    memberships = Membership.objects.active_on(day).filter(
        committee__unit_id__in=set(unit_ids), role__in=roles, user__is_active=True
    )
    for unit_id, user_id in memberships.values_list("committee__unit_id", "user_id"):
        users[unit_id].add(user_id)
    return users


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30]
    last += [31, 31, 30, 31, 30, 31]
    return datetime.date(year, month, min(day.day, last[month - 1]))


def action_items(day: datetime.date) -> list[Item]:
    actions = (
        PlanAction.objects.filter(
            status__in=OPEN_ACTION_STATUSES,
            due_date__lte=day + datetime.timedelta(days=ACTION_DAYS),
            responsible__isnull=False,
            responsible__is_active=True,
        )
        .select_related("plan__household__head")
        .order_by("due_date", "pk")
    )
    items = []
    for action in actions:
        household = action.plan.household
        head = household.head.full_name if household.head_id else None
        items.append(
            Item(
                user_id=action.responsible_id,
                kind=ReminderKind.ACTION_OVERDUE
                if action.due_date < day
                else ReminderKind.ACTION_DUE,
                subject=f"action:{action.pk}",
                unit_id=household.unit_id,
                title=f"{_household_label(household.code, head)} · {action.description}"[:300],
                due_on=action.due_date,
                url=reverse("plans:plan_detail", args=[action.plan_id]),
            )
        )
    return items


def _recipients(households: dict[int, tuple[int, int | None]], day: datetime.date):
    """Household id → user ids: its assigned member, else its ward's support recorders."""
    units = {unit_id for unit_id, assigned in households.values() if assigned is None}
    by_unit = _ward_users(units, Action.RECORD_SUPPORT, day)
    return {
        pk: {assigned} if assigned is not None else by_unit.get(unit_id, set())
        for pk, (unit_id, assigned) in households.items()
    }


def insurance_items(day: datetime.date) -> list[Item]:
    latest_status = (
        Assessment.objects.filter(
            household=OuterRef("household"), status=AssessmentStatus.RECOGNISED
        )
        .exclude(recorded_status="")
        .order_by("-year", "-pk")
        .values("recorded_status")[:1]
    )
    members = list(
        Member.objects.filter(
            left_on__isnull=True,
            household__closed_on__isnull=True,
            health_insurance_expiry__isnull=False,
            health_insurance_expiry__lte=day + datetime.timedelta(days=INSURANCE_DAYS),
        )
        .annotate(list_status=Subquery(latest_status))
        .filter(list_status__in=LISTED_STATUSES)
        .values_list(
            "pk",
            "full_name",
            "health_insurance_expiry",
            "household_id",
            "household__code",
            "household__unit_id",
            "household__assigned_to_id",
        )
        .order_by("health_insurance_expiry", "pk")
    )
    recipients = _recipients({m[3]: (m[5], m[6]) for m in members}, day)
    items = []
    for pk, name, expiry, household_id, code, unit_id, _assigned in members:
        kind = ReminderKind.INSURANCE_EXPIRED if expiry < day else ReminderKind.INSURANCE_EXPIRING
        url = reverse("households:household_detail", args=[household_id])
        for user_id in recipients[household_id]:
            items.append(
                Item(user_id, kind, f"member:{pk}", unit_id, f"{name} ({code})"[:300], expiry, url)
            )
    return items


def review_items(day: datetime.date) -> list[Item]:
    # Deadline = start of the monthly review that takes the application up (the 15th)
    # + REGULAR_DECISION_DAYS, so never before application + REGULAR_DECISION_DAYS:
    # the query keeps every application that may be due; the exact day is checked below.
    latest_application = day - datetime.timedelta(
        days=REGULAR_DECISION_DAYS - DEADLINE_WARNING_DAYS
    )
    applications = list(
        Assessment.objects.filter(
            round__kind=ReviewKind.REGULAR,
            status__in=UNDECIDED,
            application_date__isnull=False,
            application_date__lte=latest_application,
        )
        .values_list(
            "pk",
            "application_date",
            "round__unit_id",
            "household__code",
            "household__head__full_name",
        )
        .order_by("application_date", "pk")
    )
    by_unit = _ward_users({a[2] for a in applications}, Action.RUN_REVIEW, day)
    items = []
    for pk, applied, unit_id, code, head in applications:
        deadline = regular_review_start(applied) + datetime.timedelta(days=REGULAR_DECISION_DAYS)
        if (deadline - day).days > DEADLINE_WARNING_DAYS:
            continue
        kind = ReminderKind.REVIEW_OVERDUE if deadline < day else ReminderKind.REVIEW_DUE
        url = reverse("households:assessment_detail", args=[pk])
        title = _household_label(code, head)[:300]
        for user_id in by_unit.get(unit_id, ()):
            items.append(Item(user_id, kind, f"assessment:{pk}", unit_id, title, deadline, url))
    return items


def loan_items(day: datetime.date) -> list[Item]:
    loans = list(
        SupportRecord.objects.filter(loan_term_months__isnull=False, given_on__lt=day)
        .exclude(loan_status__in=[LoanStatus.REPAID, LoanStatus.WRITTEN_OFF])
        .values_list(
            "pk",
            "given_on",
            "loan_term_months",
            "loan_status",
            "support_type__name",
            "household_id",
            "household__code",
            "household__head__full_name",
            "household__unit_id",
            "household__assigned_to_id",
        )
        .order_by("given_on", "pk")
    )
    due = []
    for loan in loans:
        pk, given_on, months, status = loan[:4]
        end = _add_months(given_on, months)
        if status == LoanStatus.OVERDUE or end < day:
            due.append((loan, min(end, day) if status == LoanStatus.OVERDUE else end))
    recipients = _recipients({loan[5]: (loan[8], loan[9]) for loan, _end in due}, day)
    items = []
    for loan, end in due:
        pk, _given, _months, _status, type_name, household_id, code, head, unit_id, _a = loan
        title = f"{_household_label(code, head)} · {type_name}"[:300]
        url = reverse("plans:support_detail", args=[pk])
        for user_id in recipients[household_id]:
            items.append(
                Item(user_id, ReminderKind.LOAN_OVERDUE, f"loan:{pk}", unit_id, title, end, url)
            )
    return items


def build_digest(day: datetime.date) -> dict[int, list[Item]]:
    """Every user's items as of ``day``, overdue first then by due date."""
    digest: dict[int, list[Item]] = defaultdict(list)
    for item in action_items(day) + insurance_items(day) + review_items(day) + loan_items(day):
        digest[item.user_id].append(item)
    for items in digest.values():
        items.sort(key=lambda i: (i.due_on >= day, i.due_on, i.kind, i.subject))
    return dict(digest)


@transaction.atomic
def sync_reminders(digest: dict[int, list[Item]], day: datetime.date) -> dict[str, int]:
    """Store the digest: new items unread, known ones updated (read marks kept),
    items no longer due deleted."""
    existing = {(r.user_id, r.kind, r.subject): r for r in Reminder.objects.all()}
    current, new, changed = set(), [], []
    for items in digest.values():
        for item in items:
            key = (item.user_id, item.kind, item.subject)
            current.add(key)
            reminder = existing.get(key)
            if reminder is None:
                new.append(
                    Reminder(
                        user_id=item.user_id,
                        kind=item.kind,
                        subject=item.subject,
                        unit_id=item.unit_id,
                        title=item.title,
                        due_on=item.due_on,
                        url=item.url,
                        created_on=day,
                        seen_on=day,
                    )
                )
                continue
            reminder.unit_id, reminder.title = item.unit_id, item.title
            reminder.due_on, reminder.url, reminder.seen_on = item.due_on, item.url, day
            changed.append(reminder)
    Reminder.objects.bulk_create(new, batch_size=1000)
    Reminder.objects.bulk_update(
        changed, ["unit", "title", "due_on", "url", "seen_on"], batch_size=1000
    )
    stale = [r.pk for key, r in existing.items() if key not in current]
    for start in range(0, len(stale), 1000):
        Reminder.objects.filter(pk__in=stale[start : start + 1000]).delete()
    return {"created": len(new), "kept": len(changed), "deleted": len(stale)}


def send_digests(digest: dict[int, list[Item]], day: datetime.date) -> int:
    """One e-mail per user with an address and at least one item; how many were sent."""
    users = get_user_model().objects.filter(pk__in=digest, is_active=True).exclude(email="")
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        labels = dict(ReminderKind.choices)
        for user in users:
            items = digest[user.pk]
            lines = [
                {
                    "label": str(labels[i.kind]),
                    "title": i.title,
                    "due_on": i.due_on,
                    "url": settings.SITE_URL + i.url,
                }
                for i in items
            ]
            body = render_to_string(
                "jobs/email/digest.txt",
                {"user": user, "items": lines, "day": day, "site_url": settings.SITE_URL},
            )
            subject = _("Reminders of %(day)s: %(count)s items") % {
                "day": day.strftime("%d/%m/%Y"),
                "count": len(items),
            }
            messages.append(EmailMessage(subject, body, to=[user.email]))
    if not messages:
        return 0
    return mailers.default.send_messages(messages) or 0

"""Scoped reads of jobs and reminders: a user sees their own, a head their unit's."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from communes.permissions import HEAD_ROLES
from communes.selectors import user_scope

from .models import Job, Reminder


def headed_unit_ids(user) -> frozenset[int]:
    """Units whose committee ``user`` heads today (their own committee, not those below)."""
    return frozenset(
        m.committee.unit_id for m in user_scope(user).memberships if m.role in HEAD_ROLES
    )


def jobs_for(user) -> QuerySet[Job]:
    """The user's own jobs and, for a committee head, the jobs of their unit."""
    if not user.is_authenticated:
        return Job.objects.none()
    visible = Q(owner=user)
    headed = headed_unit_ids(user)
    if headed:
        visible |= Q(unit_id__in=headed)
    return Job.objects.filter(visible).select_related("owner", "unit")


def get_job_or_404(user, pk: int) -> Job:
    job = jobs_for(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def reminders_for(user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(user=user).select_related("unit")


def unread_reminder_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Reminder.objects.filter(user=user, read_at__isnull=True).count()

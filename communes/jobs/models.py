"""A background job as its owner sees it, and the reminders of a user's digest.

A ``Job`` is the page-side record of one piece of long work (an import, an
export, the annual report workbook) that a task of ``django.tasks`` runs in
a worker: who asked, for which unit, how far it got, and what came out.
The task result (``task_id``) belongs to the tasks backend; the job keeps
what the user needs even after that backend prunes its rows.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def job_storage():
    """Private storage of uploads and results (``STORAGES["jobs"]``), never served directly."""
    return storages["jobs"]


class JobKind(models.TextChoices):
    IMPORT_PREVIEW = "import_preview", _("Import check")
    IMPORT = "import", _("Import")
    HOUSEHOLD_EXPORT = "household_export", _("Household export")
    ROUND_EXPORT = "round_export", _("Review results export")
    ANNUAL_REPORT = "annual_report", _("Annual report workbook")
    AGENCY_LIST = "agency_list", _("List for another agency")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATES = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)
#: The counters that make up a job's progress, by kind.
JOB_STEPS = {
    JobKind.IMPORT_PREVIEW: ("rows_read", "rows_checked"),
    JobKind.IMPORT: ("rows_read", "rows_checked", "rows_saved"),
    JobKind.HOUSEHOLD_EXPORT: ("rows_read",),
    JobKind.ROUND_EXPORT: ("rows_read",),
    JobKind.ANNUAL_REPORT: ("rows_read", "rows_saved"),
    JobKind.AGENCY_LIST: ("rows_read",),
}


class Job(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    #: The unit the job works on: its committee head may follow it too.
    unit = models.ForeignKey(
        "communes.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=JobKind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED
    )
    title = models.CharField(_("title"), max_length=300)
    #: What the task needs to redo the work (file, filters, year); set by the view.
    params = models.JSONField(default=dict, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True, db_index=True)
    rows_total = models.PositiveIntegerField(_("rows in all"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_saved = models.PositiveIntegerField(_("rows saved"), default=0)
    #: What the page shows when done: the import's problems and counts.
    result = models.JSONField(default=dict, blank=True)
    result_file = models.FileField(
        _("result file"), upload_to="results/%Y/%m/", storage=job_storage, blank=True
    )
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: The result file is deleted at this time (``cleanup_jobs``).
    expires_at = models.DateTimeField(_("result kept until"), null=True, blank=True)
    file_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"]),
            models.Index(fields=["unit", "-created_at"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in JobState]), name="job_state_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self):
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES

    @property
    def is_cancellable(self) -> bool:
        return self.state == JobState.QUEUED

    @property
    def has_file(self) -> bool:
        return bool(self.result_file) and self.file_deleted_at is None

    @property
    def percent(self) -> int | None:
        """How far the job is, 0–100, or ``None`` when the size is not known yet."""
        if self.state == JobState.DONE:
            return 100
        if not self.rows_total:
            return None
        # Reading, checking and saving are the thirds of an import; a check
        # reads and checks, an export reads, a report reads and writes.
        steps = [getattr(self, field) for field in JOB_STEPS[self.kind]]
        done = sum(min(step, self.rows_total) for step in steps)
        return min(99, round(100 * done / (len(steps) * self.rows_total)))


class ReminderKind(models.TextChoices):
    ACTION_OVERDUE = "action_overdue", _("Action overdue")
    ACTION_DUE = "action_due", _("Action due soon")
    INSURANCE_EXPIRED = "insurance_expired", _("Health insurance card expired")
    INSURANCE_EXPIRING = "insurance_expiring", _("Health insurance card expiring")
    REVIEW_OVERDUE = "review_overdue", _("Application past its deadline")
    REVIEW_DUE = "review_due", _("Application near its deadline")
    LOAN_OVERDUE = "loan_overdue", _("Loan past due")


class Reminder(models.Model):
    """One item of a user's daily digest; ``send_reminders`` keeps the set current.

    ``subject`` names the record ("plans.planaction:12"), so the same item
    stays one reminder (with its read mark) from one day to the next and
    disappears once the record no longer needs attention.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReminderKind.choices)
    subject = models.CharField(max_length=80)
    unit = models.ForeignKey(
        "communes.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("reminder"), max_length=300)
    due_on = models.DateField(_("due on"))
    url = models.CharField(max_length=300)
    created_on = models.DateField(_("first reminded on"))
    seen_on = models.DateField(_("last in the digest"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_on", "kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "subject"], name="reminder_unique_per_user"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("jobs:reminder_open", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.kind in (
            ReminderKind.ACTION_OVERDUE,
            ReminderKind.INSURANCE_EXPIRED,
            ReminderKind.REVIEW_OVERDUE,
            ReminderKind.LOAN_OVERDUE,
        )

    def days_left(self, day: datetime.date | None = None) -> int:
        return (self.due_on - (day or timezone.localdate())).days

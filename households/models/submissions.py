"""Submitting a ward's yearly review results to the level above, and the lock that follows.

Where results go is data (``ReportingLine``): until 30/6/2025 Hạ Long's
wards and communes reported to the city committee; from 1/7/2025 there is
no district level and the routing (the city committee's successor, the
province) is unconfirmed, so each period is a row an administrator edits.
A ``ResultSubmission`` per unit and year records the submission; while it
is submitted, the unit's review results of that year are locked
(``households.services.submissions.ensure_results_open``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit


class ReportingLine(models.Model):
    """Over a period, the wards and communes in ``upper``'s scope submit to ``upper``."""

    upper = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("level above"),
        on_delete=models.PROTECT,
        related_name="reporting_lines",
        help_text=_(
            "The unit whose committee receives the results: every ward and commune in its "
            "scope (below it, and the units that succeeded them) submits to it."
        ),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_("First day on which the line no longer applies. Empty: still applies."),
    )
    deadline_month = models.PositiveSmallIntegerField(_("deadline: month"), default=12)
    deadline_day = models.PositiveSmallIntegerField(
        _("deadline: day"),
        default=31,
        help_text=_("Results of year Y are due by this day of year Y (unconfirmed: editable)."),
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    confirmed = models.BooleanField(
        _("confirmed by a primary text"),
        default=False,
        help_text=_("Unticked: the routing and deadline were not checked against a legal text."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("reporting line")
        verbose_name_plural = _("reporting lines")
        ordering = ["upper__name", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gt=F("valid_from")),
                name="reporting_line_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(deadline_month__gte=1, deadline_month__lte=12)
                & Q(deadline_day__gte=1, deadline_day__lte=31),
                name="reporting_line_deadline_valid",
            ),
        ]

    def __str__(self):
        start = f"{self.valid_from:%d/%m/%Y}" if self.valid_from else "…"
        end = f"{self.valid_to:%d/%m/%Y}" if self.valid_to else "…"
        return f"{self.upper} ({start} – {end})"

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day
        )

    def deadline_for(self, year: int) -> datetime.date:
        """The day the results of ``year`` are due (clamped to the month's last day)."""
        day = self.deadline_day
        while True:
            try:
                return datetime.date(year, self.deadline_month, day)
            except ValueError:
                day -= 1


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted (locked)")
    RETURNED = "returned", _("Sent back for changes")


class ResultSubmission(models.Model):
    """A ward's review results of one year, sent up to the level above."""

    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("ward / commune"),
        on_delete=models.PROTECT,
        related_name="result_submissions",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    upper = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("submitted to"),
        on_delete=models.PROTECT,
        related_name="received_submissions",
    )
    status = models.CharField(_("status"), max_length=10, choices=SubmissionStatus.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("covering note"), blank=True)
    #: Figures at the time of submission (households decided per status).
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    returned_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent back by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    return_reason = models.TextField(_("reason for sending back"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("result submission")
        verbose_name_plural = _("result submissions")
        ordering = ["-year", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_submission_per_unit_year"),
            models.CheckConstraint(
                condition=~Q(status="returned") | ~Q(return_reason=""),
                name="returned_submission_needs_reason",
            ),
        ]

    def __str__(self):
        return f"{self.unit} – {self.year}"

    @property
    def is_locked(self) -> bool:
        return self.status == SubmissionStatus.SUBMITTED

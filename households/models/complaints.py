"""Complaints (khiếu nại) received while a review's result is posted (QĐ 24/2021, step 4).

Each complaint is recorded against the household's assessment (who, when,
what, through which channel), triggers a re-verification (phúc tra) whose
result is recorded, and must be settled before the chair's decision.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .review import Assessment


class ComplaintChannel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    WRITTEN = "written", _("In writing")
    PHONE = "phone", _("By phone")
    MEETING = "meeting", _("At a meeting")
    OTHER = "other", _("Other")


class ComplaintOutcome(models.TextChoices):
    #: The re-verification confirms the posted result.
    REJECTED = "rejected", _("Not upheld: the posted result stands")
    #: The re-verification finds the result wrong: the assessment is re-surveyed.
    UPHELD = "upheld", _("Upheld: the household is re-surveyed")


class Complaint(models.Model):
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="complaint_records",
    )
    received_on = models.DateField(_("received on"))
    complainant = models.CharField(_("complainant"), max_length=150)
    channel = models.CharField(_("channel"), max_length=12, choices=ComplaintChannel.choices)
    content = models.TextField(_("what the complaint says"))
    # Re-verification (phúc tra) and settlement
    rechecked_on = models.DateField(_("re-verified on"), null=True, blank=True)
    recheck_result = models.TextField(_("result of the re-verification"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=ComplaintOutcome.choices, blank=True
    )
    settled_on = models.DateField(_("settled on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["assessment", "received_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(settled_on__isnull=True) | ~Q(outcome="") & ~Q(recheck_result=""),
                name="settled_complaint_has_outcome",
            ),
        ]

    def __str__(self):
        return f"{self.assessment.household} – {self.received_on:%d/%m/%Y}"

    @property
    def is_settled(self) -> bool:
        return self.settled_on is not None

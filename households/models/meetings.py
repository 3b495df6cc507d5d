"""The village meeting of a review (QĐ 24/2021/QĐ-TTg, step 3) as its minutes record it.

The per-household vote (attendees, agreeing) stays on each ``Assessment``,
where the review services write it; a ``VillageMeeting`` holds what the
minutes need besides: date, place, village, chair, secretary, who attended,
and which assessments were discussed.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communes.models import AdministrativeUnit

from .review import Assessment, ReviewRound


class VillageMeeting(models.Model):
    """One meeting of a village (thôn, tổ dân phố) in a review round."""

    round = models.ForeignKey(
        ReviewRound,
        verbose_name=_("review round"),
        on_delete=models.PROTECT,
        related_name="village_meetings",
    )
    village = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("village / residential group"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty: a meeting of the whole ward or commune."),
    )
    held_on = models.DateField(_("meeting date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.CharField(
        _("chaired by"),
        max_length=150,
        help_text=_("The village head or residential group head chairs the meeting."),
    )
    chair_title = models.CharField(_("chair's position"), max_length=150, blank=True)
    secretary = models.CharField(_("secretary"), max_length=150)
    attendee_count = models.PositiveSmallIntegerField(_("number of attendees"))
    attendee_names = models.TextField(
        _("attendees"),
        blank=True,
        help_text=_("One attendee per line (name – household or organisation)."),
    )
    assessments = models.ManyToManyField(
        Assessment,
        verbose_name=_("households discussed"),
        related_name="village_meetings",
        blank=True,
    )
    notes = models.TextField(_("other matters and opinions"), blank=True)
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

    history = HistoricalRecords(m2m_fields=[assessments])

    class Meta:
        verbose_name = _("village meeting")
        verbose_name_plural = _("village meetings")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attendee_count__gte=1), name="meeting_has_attendees"
            ),
        ]

    def __str__(self):
        where = self.village.name if self.village_id else self.round.unit.name
        return f"{where} – {self.held_on:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("households:meeting_minutes", args=[self.pk])

    @property
    def attendee_list(self) -> list[str]:
        return [line.strip() for line in self.attendee_names.splitlines() if line.strip()]

"""Citizen IDs someone tried to record in a ward while another ward holds them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit


class ConflictSource(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")


class CitizenIdConflict(models.Model):
    """A citizen ID already held by a current member in a unit the officer does not see.

    The officer is told only that the number cannot be used there and to
    contact the city, so the register never answers "this stranger is a
    poor household's member". The city staff see these records and resolve
    them with both wards. Repeated attempts in one unit count on one record.
    """

    citizen_id = models.CharField(_("citizen ID (CCCD)"), max_length=12)
    attempted_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("tried in"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    attempted_household_code = models.CharField(_("household code"), max_length=30, blank=True)
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tried by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=10, choices=ConflictSource.choices)
    existing_unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("registered in"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    existing_household_code = models.CharField(_("registered household"), max_length=30)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    first_attempt_at = models.DateTimeField(_("first attempt"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolution = models.CharField(_("how it was resolved"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("citizen ID conflict")
        verbose_name_plural = _("citizen ID conflicts")
        ordering = ["-last_attempt_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["citizen_id", "attempted_unit"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_conflict_per_citizen_id_and_unit",
            ),
        ]

    def __str__(self):
        return f"{self.citizen_id[-4:]}: {self.attempted_unit} / {self.existing_unit}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

from django.db import models
from django.utils.translation import gettext_lazy as _


class PovertyStatus(models.TextChoices):
    """A household's classification in a year (DOMAIN.md, Classifications)."""

    POOR = "poor", _("Poor")
    NEAR_POOR = "near_poor", _("Near-poor")
    AVERAGE = "average", _("Average living standard")
    NOT_POOR = "not_poor", _("Not poor")

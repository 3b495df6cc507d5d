"""Confirmed imports: the same file is never written twice."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communes.models import AdministrativeUnit


class ConfirmedImport(models.Model):
    """A file whose import was confirmed, by the SHA-256 of its bytes.

    The row is inserted first in the import's transaction: a second
    confirmation of the same file, even at the same moment, hits the unique
    constraint and saves nothing.
    """

    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("confirmed import")
        verbose_name_plural = _("confirmed imports")
        constraints = [
            models.UniqueConstraint(fields=["sha256"], name="confirmed_import_file_unique"),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.sha256[:12]})"

"""Personal API tokens: stored hashed, shown once, expiring, revocable."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenState(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ApiToken(models.Model):
    """A personal API token of one user.

    The token itself (``hl_<prefix>_<secret>``) is shown once, when it is
    created; only its SHA-256 digest is kept, and the short ``prefix`` finds
    the row. A token acts with exactly its user's rights, as of each request.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. “provincial sync”.")
    )
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    last_used_ip = models.GenericIPAddressField(
        _("last used from"), null=True, blank=True, editable=False
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.name} (hl_{self.prefix}_…)"

    def state_on(self, moment) -> str:
        if self.revoked_at is not None:
            return TokenState.REVOKED
        if self.expires_at <= moment:
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    @property
    def state(self) -> str:
        return self.state_on(timezone.now())

    def get_state_display(self) -> str:
        return TokenState(self.state).label


class SurveySubmission(models.Model):
    """A survey sent by the offline survey app, by the idempotency key the phone chose.

    The key is stored in the same transaction as the survey it recorded, so a
    retry of the same request (a dropped connection, a second tap) finds it
    and answers with the recorded result instead of surveying again.
    """

    key = models.UUIDField(_("idempotency key"), unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="survey_submissions",
    )
    assessment = models.ForeignKey(
        "households.Assessment",
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="survey_submissions",
    )
    #: The assessment's version the survey produced.
    recorded_version = models.PositiveIntegerField(_("version recorded"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey submission")
        verbose_name_plural = _("survey submissions")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return str(self.key)

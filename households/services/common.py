"""Helpers shared by the household services: history attribution and
optimistic locking."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import F, Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communes.services import with_actor

__all__ = ["StaleEdit", "claim_version", "stale_message", "with_actor"]


class StaleEdit(ValidationError):
    """The record changed since the form was opened; nothing was saved."""


def claim_version(instance: Model, version: int | None) -> None:
    """Bump ``instance.version`` if it is still ``version``, else raise StaleEdit.

    Call inside the service's transaction before saving. ``version`` is the
    value the user's form was rendered with; ``None`` skips the check (for
    writes that are not edits of a form, e.g. imports).
    """
    model = type(instance)
    if version is None:
        model.objects.filter(pk=instance.pk).update(version=F("version") + 1)
        instance.version += 1
        return
    if not model.objects.filter(pk=instance.pk, version=version).update(version=F("version") + 1):
        raise StaleEdit(stale_message(instance))
    instance.version = version + 1


def stale_message(instance: Model) -> str:
    """ "Changed by X at T" from the newest history record of ``instance``."""
    last = instance.history.order_by("-history_date").select_related("history_user").first()
    if last is None:
        return _("This record was changed by someone else. Reload it and try again.")
    who = last.history_user
    name = (who.get_full_name() or who.username) if who else _("another user")
    when = date_format(timezone.localtime(last.history_date), "SHORT_DATETIME_FORMAT")
    return _(
        "This record was changed by %(who)s at %(when)s after you opened it. "
        "Your changes were not saved: reload the page, check the new values and enter "
        "your changes again."
    ) % {"who": name, "when": when}

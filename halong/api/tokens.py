"""Personal API tokens: create, revoke, and check one presented by a client.

A token reads ``hl_<prefix>_<secret>``: the 8-character prefix finds the row,
the SHA-256 digest of the whole token must match (compared in constant
time). The plain token exists only in the answer to its creation.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, TokenState

TOKEN_PREFIX = "hl_"
PREFIX_LENGTH = 8
#: A use is written back at most this often (or when the address changes).
LAST_USED_RESOLUTION = datetime.timedelta(seconds=60)


class TokenRefused(Exception):
    """The presented token cannot be used; ``str()`` says why (shown to the client)."""


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _parse(raw: str) -> str | None:
    """The prefix of a well-formed token, else ``None``."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    body = raw[len(TOKEN_PREFIX) :]
    prefix, sep, secret = body.partition("_")
    if len(prefix) != PREFIX_LENGTH or not sep or len(secret) < 20:
        return None
    return prefix


@transaction.atomic
def token_create(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token of ``user`` valid for ``days`` (default 90); returns it and its plain text.

    The plain text is never stored: show it once.
    """
    name = (name or "").strip()
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    errors = {}
    if not name:
        errors["name"] = _("Give the token a name (what it is for).")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        errors["days"] = _("A token is valid for 1 to %(max)s days.") % {
            "max": settings.API_TOKEN_MAX_DAYS
        }
    if not user.is_active:
        errors["user"] = _("This account is disabled.")
    if errors:
        raise ValidationError(errors)
    while True:
        prefix = secrets.token_hex(PREFIX_LENGTH // 2)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        key_hash=digest(raw),
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke ``token`` at once (its owner, or a superuser). Revoking twice changes nothing."""
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def authenticate_token(raw: str, *, ip: str | None) -> ApiToken:
    """The active token ``raw`` with its user; records the use (time, address).

    Raises ``TokenRefused`` for a malformed, unknown, revoked or expired token
    or a disabled account.
    """
    prefix = _parse(raw.strip())
    token = (
        ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix else None
    )
    if token is None or not hmac.compare_digest(token.key_hash, digest(raw.strip())):
        raise TokenRefused(_("Invalid token."))
    now = timezone.now()
    state = token.state_on(now)
    if state == TokenState.REVOKED:
        raise TokenRefused(_("This token was revoked."))
    if state == TokenState.EXPIRED:
        raise TokenRefused(_("This token expired; create a new one."))
    if not token.user.is_active:
        raise TokenRefused(_("The account of this token is disabled."))
    stale = token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION
    if stale or token.last_used_ip != ip:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now, last_used_ip=ip)
        token.last_used_at, token.last_used_ip = now, ip
    return token


def tokens_of(user):
    """The tokens of ``user``, newest first (the token page)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")

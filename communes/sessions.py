"""Signed-in sessions: listed for their user, ended by them, a head or an administrator.

Disabling an account ends its sessions at once.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from .audit import client_ip
from .models import UserSession


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key).delete()


@receiver(post_save, sender=get_user_model())
def _account_disabled(sender, instance, **kwargs):
    if not instance.is_active:
        end_sessions(instance)


def active_sessions(user):
    """The user's sessions that have not expired, newest first."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live)


def end_sessions(user, *, keys=None, keep: str | None = None) -> int:
    """End ``user``'s sessions (only ``keys`` when given; never ``keep``); returns how many."""
    sessions = UserSession.objects.filter(user=user)
    if keys is not None:
        sessions = sessions.filter(session_key__in=keys)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    ended = list(sessions.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=ended).delete()
    UserSession.objects.filter(session_key__in=ended).delete()
    return len(ended)

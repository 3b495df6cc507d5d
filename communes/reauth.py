"""Re-authentication: a password (or a second-factor code) typed in the last 15 minutes.

Asked before a bulk export of named data, and before revealing citizen IDs
past ``REVEAL_BURST`` reveals in an hour (such a refused reveal is logged).
Signing in counts as authenticating; ``reauthenticate`` is the page that
asks again.
"""

from __future__ import annotations

import datetime
import functools
import time
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from .audit import AccessKind, log_access
from .models import AccessLog

SESSION_KEY = "_authenticated_at"


def _window() -> int:
    return getattr(settings, "REAUTH_SECONDS", 15 * 60)


def _burst() -> int:
    return getattr(settings, "REVEAL_BURST", 20)


def mark_authenticated(request: HttpRequest) -> None:
    request.session[SESSION_KEY] = time.time()


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        mark_authenticated(request)


def recently_authenticated(request: HttpRequest) -> bool:
    at = request.session.get(SESSION_KEY)
    return at is not None and time.time() - at <= _window()


def reauth_redirect(request: HttpRequest, message: str) -> HttpResponse:
    messages.info(request, message)
    target = (
        request.get_full_path() if request.method == "GET" else request.META.get("HTTP_REFERER", "")
    )
    url = f"{reverse('reauthenticate')}?next={quote(target)}"
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def recent_auth_required(view):
    """For bulk exports of named data: sign in again if the last time is over 15 minutes ago."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not recently_authenticated(request):
            return reauth_redirect(
                request, _("Confirm it is you before exporting named data: type your password.")
            )
        return view(request, *args, **kwargs)

    return wrapper


def reveal_burst_refused(request: HttpRequest, **detail) -> HttpResponse | None:
    """``None`` if ``request.user`` may reveal one more citizen ID now; else the answer.

    Past ``REVEAL_BURST`` reveals in the last hour, each further one needs a
    recent authentication; a refused one is logged.
    """
    since = timezone.now() - datetime.timedelta(hours=1)
    reveals = AccessLog.objects.filter(
        user=request.user, kind=AccessKind.REVEAL_CITIZEN_ID, at__gte=since
    )
    # (An ``exclude`` on a JSON key would also drop the rows without it.)
    recent = reveals.count() - reveals.filter(detail__refused=True).count()
    if recent < _burst() or recently_authenticated(request):
        return None
    log_access(request, AccessKind.REVEAL_CITIZEN_ID, refused=True, reason="burst", **detail)
    return reauth_redirect(
        request,
        _(
            "You revealed %(count)s citizen IDs in the last hour. Confirm it is you to "
            "reveal more: type your password."
        )
        % {"count": recent},
    )


class ReauthForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


@require_http_methods(["GET", "POST"])
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Type the password again (wrong ones count towards the lockout like at sign-in)."""
    form = ReauthForm(request.POST or None)
    if form.is_valid():
        user = authenticate(
            request, username=request.user.get_username(), password=form.cleaned_data["password"]
        )
        if user is not None and user.pk == request.user.pk:
            mark_authenticated(request)
            return redirect(_next(request))
        form.add_error("password", _("This password is not right."))
    return render(
        request, "registration/reauthenticate.html", {"form": form, "next": _next(request)}
    )

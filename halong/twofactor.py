"""Two-factor sign-in: a TOTP app (django-otp) and single-use recovery codes.

Required for committee heads, city roles and administrators (they see names
across a ward or the whole city, or everything); optional for everyone else.
After the password, ``TwoFactorMiddleware`` sends a user who has a device to
the code page, and a user who must have one to the enrolment page, before
any other page. The password step keeps django-axes' lockout per username
and address; wrong codes are slowed down by django-otp's throttling per
device. ``settings.TWO_FACTOR_ENFORCED`` (default on) turns the requirement
off, e.g. for the test suite, whose own tests of this module turn it on.
"""

from __future__ import annotations

import base64
import io
import secrets
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from communes.models import CITY_ROLES, Membership
from communes.permissions import HEAD_ROLES
from communes.reauth import mark_authenticated

#: Recovery codes given at enrolment (each works once).
RECOVERY_CODES = 10
#: Paths a signed-in user reaches before the second step.
OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz")


def two_factor_required(user) -> bool:
    """Administrators, committee heads and city roles (active memberships) need a second factor."""
    if not getattr(settings, "TWO_FACTOR_ENFORCED", True):
        return False
    if user.is_superuser or user.is_staff:
        return True
    roles = {*HEAD_ROLES, *CITY_ROLES}
    return Membership.objects.active_on(_today()).filter(user=user, role__in=roles).exists()


def _today():
    from communes.selectors import today

    return today()


def _confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


#: Kept in the session at sign-in (and on enrolment), so pages cost no query:
#: "verify" (a device exists), "setup" (one is required) or "" (optional, none).
SESSION_STEP = "_second_factor_step"


def second_step(user) -> str:
    if user_has_device(user, confirmed=True):
        return "verify"
    return "setup" if two_factor_required(user) else ""


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STEP] = second_step(user)


class TwoFactorMiddleware:
    """After ``django_otp.middleware.OTPMiddleware``: no page before the second step.

    What a session needs is decided at sign-in (a role given later applies
    from the next sign-in).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PATHS)
            and not user.is_verified()
        ):
            step = request.session.get(SESSION_STEP)
            if step is None:  # a session from before two-factor sign-in
                step = request.session[SESSION_STEP] = second_step(user)
            if step == "verify":
                return self._refuse(request, "two_factor_verify")
            if step == "setup" and getattr(settings, "TWO_FACTOR_ENFORCED", True):
                return self._refuse(request, "two_factor_setup")
        return self.get_response(request)

    @staticmethod
    def _refuse(request, url_name: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Two-factor sign-in is required.")}, status=403)
        return redirect(f"{reverse(url_name)}?next={quote(request.get_full_path())}")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("home")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy("The 6 digits your authenticator app shows, or a recovery code."),
    )


def _qr_svg(uri: str) -> str:
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, scale=5, border=2)
    return out.getvalue().decode()


def _new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes by ``RECOVERY_CODES`` new ones (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrolment: scan the QR code, type the first code; recovery codes follow."""
    user = request.user
    if _confirmed_totp(user) is not None and not user.is_verified():
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=False)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[SESSION_STEP] = "verify"
            codes = _new_recovery_codes(user)
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
        form.add_error(
            "token", _("This code is not right. Check your phone's clock and try again.")
        )
    context = {
        "form": form,
        # The label and issuer come from settings.OTP_TOTP_ISSUER.
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - segno's own SVG, no user input
        "secret": _base32(device),
        "required": two_factor_required(user),
        "next": _next(request),
    }
    return render(request, "registration/two_factor_setup.html", context)


def _base32(device: TOTPDevice) -> str:
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of sign-in: a code of the app, or a recovery code (used up)."""
    if not user_has_device(request.user, confirmed=True):
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            mark_authenticated(request)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; %(left)s remain. Make new ones "
                        "under “Two-factor sign-in” in your menu."
                    )
                    % {"left": left},
                )
            return redirect(_next(request))
        form.add_error("token", _("This code is not right, or was already used."))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


@require_http_methods(["GET", "POST"])
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """From the user menu: status, new recovery codes, turning it off when optional."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect(f"{reverse('two_factor_verify')}?next={quote(request.path)}")
    required = two_factor_required(user)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "codes" and _confirmed_totp(user) is not None:
            return render(
                request,
                "registration/two_factor_codes.html",
                {"codes": _new_recovery_codes(user), "next": reverse("two_factor_manage")},
            )
        if action == "disable" and not required:
            for device in devices_for_user(user, confirmed=None):
                device.delete()
            request.session[SESSION_STEP] = ""
            messages.success(request, _("Two-factor sign-in is off."))
            return redirect("two_factor_manage")
        messages.error(request, _("This is not possible for your account."))
        return redirect("two_factor_manage")
    recovery = StaticDevice.objects.filter(user=user, name="recovery").first()
    context = {
        "device": _confirmed_totp(user),
        "required": required,
        "codes_left": recovery.token_set.count() if recovery else 0,
    }
    return render(request, "registration/two_factor_manage.html", context)

"""``Authorization: Token hl_…`` for the API (sessions work too, with CSRF)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from communes.audit import client_ip

from .tokens import TokenRefused, authenticate_token

KEYWORDS = ("token", "bearer")


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """A personal API token in the Authorization header ("Token" or "Bearer")."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid Authorization header: give “Token” and the token, separated by a space.")
            )
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        try:
            token = authenticate_token(raw, ip=client_ip(request._request))
        except TokenRefused as refused:
            raise exceptions.AuthenticationFailed(str(refused)) from None
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, with the CSRF check run on Django's own request.

    DRF's version hands its Request to Django's CSRF check, which reads
    ``request.POST`` through the API's JSON-only parsers: a form-encoded POST
    without a token then answered 415 instead of the 403 it deserves.
    """

    def enforce_csrf(self, request):
        return super().enforce_csrf(request._request)

"""Session lifetime: an idle timeout comes from SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST (refreshed at most once a minute,
``IdleSessionMiddleware``); ``AbsoluteSessionLifetimeMiddleware`` adds the
absolute limit. ``NoStoreMiddleware`` keeps every dynamic response out of
caches."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.sessions.middleware import SessionMiddleware
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

SESSION_STARTED_KEY = "_session_started_at"
SESSION_REFRESHED_KEY = "_session_refreshed_at"
#: An unchanged session is written back (its expiry pushed forward) at most this often.
SESSION_REFRESH_SECONDS = 60


class IdleSessionMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, but an unchanged session is re-saved at most once a minute.

    With SESSION_SAVE_EVERY_REQUEST every request wrote the session row (an
    UPDATE and a commit) only to push its expiry forward: a third of the
    writes of a page view, at province scale under load. Here an unchanged
    session is saved (and its cookie re-sent) only when its last refresh,
    kept in the session, is ``SESSION_REFRESH_SECONDS`` old or more; the
    idle timeout therefore ends between SESSION_COOKIE_AGE − 60 s and
    SESSION_COOKIE_AGE after the last request, never later. A modified
    session is saved as before.
    """

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is None or session.modified or not settings.SESSION_SAVE_EVERY_REQUEST:
            return super().process_response(request, response)
        if session.is_empty():
            return super().process_response(request, response)
        now = int(time.time())
        if now - session.get(SESSION_REFRESHED_KEY, 0) >= SESSION_REFRESH_SECONDS:
            session[SESSION_REFRESHED_KEY] = now
            return super().process_response(request, response)
        # Fresh enough: leave the row and the cookie as they are.
        patch_vary_headers(response, ("Cookie",))
        return response


class AbsoluteSessionLifetimeMiddleware:
    """Log the user out once their session is older than SESSION_ABSOLUTE_SECONDS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(SESSION_STARTED_KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class ChosenLanguageMiddleware:
    """Vietnamese unless the user picked another language (the set_language cookie).

    Unlike Django's LocaleMiddleware this ignores the browser's
    Accept-Language: ward offices often run browsers set to English, and the
    app must still speak Vietnamese to them by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response the app itself builds.

    Pages, htmx fragments, the citizen-ID reveal, certificates, exports,
    report JSON and API answers may all carry personal data; neither the
    browser nor a proxy may keep a copy (Personal Data Protection Law
    91/2025/QH15: need-to-know access). Deciding per view forgets views, so
    the rule is project-wide: static files are served by WhiteNoise before
    this middleware runs and stay cacheable. A ``max-age`` or ``public`` a
    view set is replaced, not merged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("Expires", None)
        return response

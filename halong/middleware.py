"""Session lifetime: an idle timeout comes from SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST; this adds the absolute limit."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

SESSION_STARTED_KEY = "_session_started_at"


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

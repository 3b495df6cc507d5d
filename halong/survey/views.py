"""The offline field-survey app under /survey/: its page, manifest and service worker.

The page is an app shell with no personal data (the data comes from the API
and stays in the phone's IndexedDB), so the service worker may keep it for
offline use. The service worker and the manifest are served from /survey/
so that the worker's scope is the app; both are public (no data), like the
static files they list.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .strings import ui_strings

#: Static files the app needs offline (vendored, never from a CDN).
ASSETS = [
    "vendor/bootstrap/bootstrap.min.css",
    "survey/app.css",
    "survey/db.js",
    "survey/app.js",
    "survey/icon.svg",
    "survey/icon-192.png",
    "survey/icon-512.png",
]


def _shell_urls() -> list[str]:
    return [
        reverse("survey:app"),
        reverse("survey:manifest"),
        *(static(path) for path in ASSETS),
    ]


def _cache_version() -> str:
    """Changes whenever an asset or the app's words change, so phones fetch the new shell."""
    digest = hashlib.sha256()
    for path in ASSETS:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
        digest.update(static(path).encode())
    digest.update(json.dumps(ui_strings(), sort_keys=True).encode())
    return digest.hexdigest()[:12]


@require_GET
def survey_app(request: HttpRequest) -> HttpResponse:
    config = {
        "api": "/api/v1/",
        "session_url": reverse("survey:session"),
        "login_url": f"{reverse('login')}?next={reverse('survey:app')}",
        "service_worker": reverse("survey:service_worker"),
        "scope": reverse("survey:app"),
    }
    context = {"strings": ui_strings(), "config": config}
    return render(request, "survey/app.html", context)


@login_not_required
@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    context = {
        "version": _cache_version(),
        "shell": json.dumps(_shell_urls()),
        "shell_url": json.dumps(reverse("survey:app")),
    }
    return render(
        request, "survey/sw.js", context, content_type="application/javascript; charset=utf-8"
    )


@login_not_required
@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    scope = reverse("survey:app")
    data = {
        "name": _("Hạ Long field survey"),
        "short_name": _("Field survey"),
        "description": _("Survey households door to door, offline, and sync later."),
        "lang": request.LANGUAGE_CODE,
        "start_url": scope,
        "scope": scope,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0d6efd",
        "icons": [
            {"src": static("survey/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("survey/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("survey/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


@login_not_required
@require_GET
def session(request: HttpRequest) -> JsonResponse:
    """Whether the phone's session is still signed in, and a fresh CSRF token for the API."""
    if not request.user.is_authenticated:
        return JsonResponse({"authenticated": False})
    return JsonResponse(
        {
            "authenticated": True,
            "username": request.user.get_username(),
            "csrf_token": get_token(request),
        }
    )

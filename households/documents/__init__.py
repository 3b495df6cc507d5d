"""Printed documents: one template per official form, one function from HTML to PDF.

Every document is a Django template under ``templates/<app>/print/`` that
extends ``households/print/base.html`` (A4, the national motto header, the
vendored DejaVu fonts of ``static/fonts/``). The same template serves the
browser's print view and the PDF, so both always show the same content.

The reusable entry points (other apps import them)::

    render_document(request, template_name, context, *, filename, as_pdf) -> HttpResponse
        The print view (HTML) or, with ``as_pdf=True``, the PDF as a download
        named ``filename`` (without ``.pdf``). ``context`` gets ``as_pdf``,
        ``pdf_url`` and ``filename`` added.

    html_to_pdf(html: str) -> bytes
        Any HTML string to PDF bytes. Only files under STATIC_URL are loaded
        (from the static files finders or STATIC_ROOT); no other URL is ever
        fetched, so a document cannot reach the network.

    wants_pdf(request) -> bool
        ``?format=pdf`` asks for the PDF.

Access checks and the access log stay with the caller (a view): these
functions only render.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

__all__ = ["html_to_pdf", "render_document", "wants_pdf"]

#: The base URL documents are rendered against; never resolved on a network.
BASE_URL = "https://document.invalid/"


def wants_pdf(request: HttpRequest) -> bool:
    return request.GET.get("format") == "pdf"


def _static_file(url: str) -> Path | None:
    """The local file behind a static URL of a document, or None."""
    path = unquote(urlsplit(url).path)
    prefix = "/" + settings.STATIC_URL.strip("/") + "/"
    if not path.startswith(prefix):
        return None
    name = path.removeprefix(prefix)
    if ".." in Path(name).parts:
        return None
    found = finders.find(name)
    if found:
        return Path(found)
    root = getattr(settings, "STATIC_ROOT", None)
    if root and (Path(root) / name).is_file():
        return Path(root) / name
    return None


def _url_fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            file = _static_file(url) if url.startswith(BASE_URL) else None
            if file is None:
                raise ValueError(f"Documents load only static files, not {url}")
            mime, _encoding = mimetypes.guess_type(file.name)
            return URLFetcherResponse(
                url, file.read_bytes(), {"Content-Type": mime or "application/octet-stream"}
            )

    return StaticOnlyFetcher()


def html_to_pdf(html: str) -> bytes:
    """Render ``html`` (with static URLs for its CSS and fonts) to PDF bytes."""
    # Imported here: WeasyPrint loads Pango when imported, which pages don't need.
    from weasyprint import HTML

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_url_fetcher()).write_pdf()


def render_document(
    request: HttpRequest, template_name: str, context: dict, *, filename: str, as_pdf: bool
) -> HttpResponse:
    """The document as its print view, or as a PDF attachment ``<filename>.pdf``."""
    query = request.GET.copy()
    query["format"] = "pdf"
    pdf_url = f"{request.path}?{query.urlencode()}"
    context = {**context, "as_pdf": as_pdf, "pdf_url": pdf_url, "filename": filename}
    html = render_to_string(template_name, context, request=request)
    if not as_pdf:
        return HttpResponse(html)
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    response["Cache-Control"] = "no-store"
    return response

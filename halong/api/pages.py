"""The user's own API tokens: create (shown once), list, revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from communes.forms import add_service_errors

from . import tokens
from .forms import TokenCreateForm


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """The user's tokens; a POST creates one and shows it this once."""
    form = TokenCreateForm(request.POST or None)
    created = None
    if form.is_valid():
        try:
            token, raw = tokens.token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            created = {"token": token, "raw": raw}
            form = TokenCreateForm()
    context = {
        "form": form,
        "created": created,
        "tokens": tokens.tokens_of(request.user),
        "docs_url": reverse("api:docs"),
    }
    return render(request, "api/token_list.html", context)


@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own tokens: another user's token is a 404 like a missing one.
    token = tokens.tokens_of(request.user).filter(pk=pk).first()
    if token is None:
        raise Http404
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api:token_list")

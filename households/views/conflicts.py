"""The city's list of citizen IDs tried in one ward while another ward holds them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from communes.forms import add_service_errors
from communes.permissions import Action, has_perm, require

from ..selectors import citizen_id_conflicts_for
from ..services.conflicts import resolve_citizen_id_conflict
from ..validators import citizen_id_mask

PAGE_SIZE = 50


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("How it was resolved"),
        max_length=500,
        help_text=gettext_lazy("e.g. a wrong digit, corrected in the ward; the person moved."),
    )


@require_GET
def conflict_list(request: HttpRequest) -> HttpResponse:
    require(has_perm(request.user, Action.RESOLVE_ID_CONFLICTS))
    conflicts = citizen_id_conflicts_for(request.user).order_by(
        F("resolved_at").desc(nulls_first=True), "-last_attempt_at", "-pk"
    )
    page = Paginator(conflicts, PAGE_SIZE).get_page(request.GET.get("page"))
    for conflict in page:
        # The list never shows a whole number; the wards hold the records.
        conflict.citizen_id_masked = citizen_id_mask(conflict.citizen_id)
    context = {"page_obj": page, "form": ResolveForm()}
    return render(request, "households/citizen_id_conflicts.html", context)


@require_POST
def conflict_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = citizen_id_conflicts_for(request.user).filter(pk=pk).first()
    if conflict is None:
        raise Http404
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            resolve_citizen_id_conflict(
                actor=request.user, conflict=conflict, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Conflict marked as resolved."))
            return redirect("households:id_conflict_list")
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("households:id_conflict_list")

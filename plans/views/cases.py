"""Pages of case responsibility: my cases, assigning cases, the members' load."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from communes.forms import add_service_errors
from communes.permissions import Action, get_unit_or_404, has_perm, require
from communes.selectors import villages_of

from .. import case_selectors as selectors
from ..forms.cases import CaseAssignForm, CaseFilterForm
from ..permissions import can_assign_cases
from ..services import cases as services

PAGE_SIZE = 50


def _ward_or_404(user, pk: int):
    unit = get_unit_or_404(user, pk)
    if not unit.is_grassroots:
        raise Http404
    return unit


@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    households = selectors.my_cases(request.user, today)
    context = {
        "households": households,
        "other_actions": selectors.my_other_open_actions(request.user, today),
        "overdue_total": sum(h.overdue_action_count for h in households),
        "today": today,
    }
    return render(request, "plans/my_cases.html", context)


@require_http_methods(["GET", "POST"])
def case_assign(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _ward_or_404(request.user, unit_pk)
    require(can_assign_cases(request.user, unit))
    members = selectors.assignable_members(unit)
    filters = CaseFilterForm(request.GET or None, villages=villages_of(unit), members=members)
    form = CaseAssignForm(
        request.POST or None, members=members, initial={"move_open_actions": True}
    )
    if form.is_valid():
        households = selectors.visible_households_or_404(
            request.user, form.cleaned_data["households"]
        )
        member = form.cleaned_data["member"]
        try:
            count = services.case_assign(
                actor=request.user,
                households=households,
                member=member,
                move_open_actions=form.cleaned_data["move_open_actions"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _assigned_message(count, member))
            return redirect(request.get_full_path())
    candidates = filters.filter(selectors.case_candidates(request.user, unit))
    page = Paginator(candidates.order_by("village__name", "code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"unit": unit, "filters": filters, "form": form, "page_obj": page}
    return render(request, "plans/case_assign.html", context)


def _assigned_message(count: int, member) -> str:
    if member is None:
        return ngettext(
            "Assignment removed from %(count)d household.",
            "Assignment removed from %(count)d households.",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)d household assigned to %(name)s.",
        "%(count)d households assigned to %(name)s.",
        count,
    ) % {"count": count, "name": member.get_full_name() or member.username}


@require_GET
def member_load(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _ward_or_404(request.user, unit_pk)
    require(has_perm(request.user, Action.VIEW_HOUSEHOLDS, unit))
    today = timezone.localdate()
    context = {
        "unit": unit,
        "loads": selectors.member_load(unit, today),
        "unassigned": selectors.unassigned_case_count(unit),
        "can_assign": can_assign_cases(request.user, unit),
        "today": today,
    }
    return render(request, "plans/member_load.html", context)

"""Pages of the follow-up after exit: the list with the warning score, the yearly check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from communes.audit import AccessKind, log_access
from communes.forms import add_service_errors
from communes.permissions import can_view_names, require, uses_names_grant
from households.selectors import get_household_or_404

from .. import followup as selectors
from ..forms.followup import FollowUpCheckForm, FollowUpFilterForm
from ..permissions import can_record_followup
from ..services.followup import followup_check_record

PAGE_SIZE = 50


@require_GET
def followup_list(request: HttpRequest) -> HttpResponse:
    require(can_view_names(request.user))
    today = timezone.localdate()
    followups = selectors.followups_for(request.user, today)
    form = FollowUpFilterForm(request.GET or None, followups=followups)
    page = Paginator(form.filter(followups), PAGE_SIZE).get_page(request.GET.get("page"))
    if uses_names_grant(request.user):
        log_access(
            request,
            AccessKind.VIEW_NAMED_LIST,
            label=str(_("Follow-up after exit")),
            rows=len(page),
        )
    context = {
        "form": form,
        "page_obj": page,
        "total": len(followups),
        "years": selectors.follow_up_years(),
        "weights": _weights(),
        "today": today,
    }
    return render(request, "plans/followup_list.html", context)


def _weights() -> list[tuple[str, str]]:
    return [
        (_("Income at the check within the line"), str(selectors.WEIGHT_INCOME_WITHIN_LINE)),
        (
            _("Each deprivation found again (at most %(max)d)")
            % {"max": selectors.MAX_DEPRIVATION_POINTS},
            str(selectors.WEIGHT_DEPRIVATION),
        ),
        (_("A loan overdue"), str(selectors.WEIGHT_LOAN_OVERDUE)),
        (_("A member seriously ill"), str(selectors.WEIGHT_SERIOUS_ILLNESS)),
        (_("Job loss or a working-age member unemployed"), str(selectors.WEIGHT_JOB_LOSS)),
        (
            _("Health-insurance card missing or expiring within %(days)d days")
            % {"days": selectors.INSURANCE_WARNING_DAYS},
            str(selectors.WEIGHT_INSURANCE),
        ),
    ]


@require_http_methods(["GET", "POST"])
def followup_check(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = get_household_or_404(request.user, household_pk)
    require(can_view_names(request.user, household.unit))
    require(can_record_followup(request.user, household))
    today = timezone.localdate()
    followup = selectors.household_followup(household, today)
    if followup is None:
        raise Http404
    support = selectors.running_support(household, today)
    form = FollowUpCheckForm(
        request.POST or None,
        followup=followup,
        support=support,
        initial={
            "checked_on": today,
            "deprivations": list(followup.exit.deprivations.all()),
            "running_support": support,
        },
    )
    if form.is_valid():
        try:
            check = followup_check_record(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Follow-up check of %(year)s recorded for household %(code)s.")
                % {"year": check.year, "code": household.code},
            )
            return redirect(household)
    context = {"form": form, "household": household, "followup": followup}
    return render(request, "plans/followup_check.html", context)

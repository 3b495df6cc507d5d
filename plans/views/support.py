"""Pages of the support ledger: list with totals, record, detail, duplicate report."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communes.forms import add_service_errors
from communes.history import change_history
from communes.permissions import Action, require, unit_ids_with
from communes.selectors import grassroots_units_for, today
from households.selectors import get_household_or_404

from .. import support_selectors as selectors
from ..forms.support import (
    LoanStatusForm,
    SupportFilterForm,
    SupportForm,
    YearForm,
    support_initial,
)
from ..models import SupportRecord
from ..permissions import can_record_support, can_view_support_ledger
from ..services import support as services

PAGE_SIZE = 25
REPORT_PAGE_SIZE = 50


def _ledger_units(user):
    units = grassroots_units_for(user)
    allowed = unit_ids_with(user, Action.VIEW_SUPPORT)
    return units if allowed is None else units.filter(pk__in=allowed)


def _named_support(user):
    """Ledger rows name households: city roles need the names grant (403 otherwise)."""
    require(can_view_support_ledger(user))
    return selectors.named_ledger_for(user)


@require_GET
def support_list(request: HttpRequest) -> HttpResponse:
    records = _named_support(request.user)
    # The ledger opens on the current year; clearing the year shows every year.
    data = request.GET or {"year": today().year}
    form = SupportFilterForm(data, units=_ledger_units(request.user))
    records = form.filter(records)
    page = Paginator(
        selectors.with_list_columns(records).order_by("-given_on", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "totals": selectors.support_totals(records)}
    return render(request, "plans/support_list.html", context)


@require_http_methods(["GET", "POST"])
def support_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = get_household_or_404(request.user, household_pk)
    require(can_record_support(request.user, household))
    form = SupportForm(request.POST or None, household=household)
    if request.method == "GET":
        action = form.fields["action"].queryset.filter(pk=_int(request.GET.get("action"))).first()
        form.initial = support_initial(household, action, timezone.localdate())
    if form.is_valid():
        try:
            record = services.support_record(
                actor=request.user, household=household, **form.cleaned_data
            )
        except services.SupportConflict as conflict:
            form.show_conflicts(conflict.records)
            add_service_errors(form, conflict)
        except services.NotEligible as not_eligible:
            form.show_not_eligible()
            add_service_errors(form, not_eligible)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Support recorded: %(record)s.") % {"record": record})
            return redirect(household)
    context = {"form": form, "household": household}
    return render(request, "plans/support_form.html", context)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@require_GET
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Scope first: another ward's record is a 404 like a missing one.
    record = selectors.get_support_or_404(request.user, pk, named=True)
    require(can_view_support_ledger(request.user))
    can_edit = can_record_support(request.user, record.household)
    context = {
        "record": record,
        "can_edit": can_edit,
        "loan_form": LoanStatusForm(initial={"loan_status": record.loan_status})
        if can_edit and record.support_type.is_loan
        else None,
        "history": change_history(
            SupportRecord,
            SupportRecord.history.filter(id=record.pk),
            record_label=lambda row: str(record),
        ),
    }
    return render(request, "plans/support_detail.html", context)


@require_POST
def support_loan_status(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_support_or_404(request.user, pk)
    require(can_view_support_ledger(request.user))
    require(can_record_support(request.user, record.household))
    form = LoanStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.loan_update_status(
            actor=request.user, record=record, loan_status=form.cleaned_data["loan_status"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Repayment status saved."))
    return redirect(record)


@require_GET
def duplicate_report(request: HttpRequest) -> HttpResponse:
    require(can_view_support_ledger(request.user))
    form = YearForm(request.GET or None)
    year = form.chosen_year
    pairs = selectors.possible_duplicates(request.user, year)
    context = {
        "form": form,
        "year": year,
        "pairs": Paginator(pairs, REPORT_PAGE_SIZE).get_page(request.GET.get("page")),
        "not_poor": selectors.support_while_not_poor(request.user, year)[:REPORT_PAGE_SIZE],
        "not_poor_count": selectors.support_while_not_poor(request.user, year).count(),
    }
    return render(request, "plans/duplicate_report.html", context)

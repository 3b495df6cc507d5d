"""Pages of the household events: each a form, then a confirmation page that
shows what will change, then the all-or-nothing service."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communes.forms import add_service_errors
from communes.models import AdministrativeUnit
from communes.permissions import require
from communes.selectors import villages_of

from ..event_selectors import get_transfer_or_404, transfers_for
from ..forms.events import (
    HeadChangeForm,
    MemberJoiningForm,
    MemberLeavingForm,
    MergeForm,
    SplitForm,
    TransferAcceptForm,
    TransferForm,
    TransferRefuseForm,
)
from ..models import Member, TransferStatus
from ..permissions import can_accept_transfer, can_edit_household
from ..selectors import get_household_or_404
from ..services import events as services

FORM = "households/events/event_form.html"


def _editable_household(request: HttpRequest, pk: int):
    household = get_household_or_404(request.user, pk)
    require(can_edit_household(request.user, household))
    return household


def _confirm_then_run(
    request: HttpRequest,
    form,
    context: dict,
    *,
    preview: Callable[[dict], services.Preview],
    run: Callable[[dict], object],
    done: Callable[[object], HttpResponse],
) -> HttpResponse:
    """Form → confirmation page (``preview``) → ``run`` once the user confirms.

    The confirmation page carries the form's values as hidden fields; "Change"
    shows the form again with them. Any service error brings the form back.
    """
    context["form"] = form
    if request.method == "POST" and "edit" not in request.POST and form.is_valid():
        try:
            if request.POST.get("confirm") == "1":
                return done(run(form.cleaned_data))
            context["preview"] = preview(form.cleaned_data)
            return render(request, "households/events/confirm.html", context)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(request, FORM, context)


@require_http_methods(["GET", "POST"])
def event_split(request: HttpRequest, pk: int) -> HttpResponse:
    household = _editable_household(request, pk)
    form = SplitForm(
        request.POST or None, household=household, villages=villages_of(household.unit)
    )

    def data(cleaned):
        return {k: v for k, v in cleaned.items() if k != "version"}

    def done(new):
        messages.success(
            request,
            _("Household %(code)s was formed from household %(old)s.")
            % {"code": new.code, "old": household.code},
        )
        return redirect(new)

    return _confirm_then_run(
        request,
        form,
        {"household": household, "title": _("Split the household")},
        preview=lambda c: services.split_preview(request.user, household, **data(c)),
        run=lambda c: services.household_split(
            actor=request.user, household=household, version=c["version"], **data(c)
        ),
        done=done,
    )


@require_http_methods(["GET", "POST"])
def event_merge(request: HttpRequest, pk: int) -> HttpResponse:
    household = _editable_household(request, pk)
    form = MergeForm(request.POST or None, household=household)

    def done(_result):
        messages.success(request, _("The households were merged."))
        return redirect(household)

    return _confirm_then_run(
        request,
        form,
        {"household": household, "title": _("Merge another household into this one")},
        preview=lambda c: services.merge_preview(
            request.user, household, other=form.other(), on=c["on"]
        ),
        run=lambda c: services.household_merge(
            actor=request.user,
            household=household,
            other=form.other(),
            on=c["on"],
            version=c["version"],
        ),
        done=done,
    )


@require_http_methods(["GET", "POST"])
def event_head(request: HttpRequest, pk: int) -> HttpResponse:
    household = _editable_household(request, pk)
    form = HeadChangeForm(request.POST or None, household=household)

    def data(cleaned):
        return {k: v for k, v in cleaned.items() if k != "version"}

    def done(_result):
        messages.success(request, _("The head of household was changed."))
        return redirect(household)

    return _confirm_then_run(
        request,
        form,
        {"household": household, "title": _("Change of head of household")},
        preview=lambda c: services.head_change_preview(request.user, household, **data(c)),
        run=lambda c: services.household_change_head(
            actor=request.user, household=household, version=c["version"], **data(c)
        ),
        done=done,
    )


@require_http_methods(["GET", "POST"])
def event_member_leaving(request: HttpRequest, pk: int) -> HttpResponse:
    member = Member.objects.filter(pk=pk, left_on__isnull=True).first()
    if member is None:
        raise Http404
    member.household = _editable_household(request, member.household_id)
    form = MemberLeavingForm(request.POST or None)
    if form.is_valid():
        try:
            services.member_record_leaving(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Recorded for %(name)s.") % {"name": member.full_name})
            return redirect(member.household)
    context = {
        "form": form,
        "household": member.household,
        "member": member,
        "title": _("Death or moving out of the ward"),
    }
    return render(request, FORM, context)


@require_http_methods(["GET", "POST"])
def event_member_joining(request: HttpRequest, pk: int) -> HttpResponse:
    household = _editable_household(request, pk)
    form = MemberJoiningForm(request.POST or None)
    if form.is_valid():
        try:
            member = services.member_record_joining(
                actor=request.user, household=household, **form.event_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": member.full_name})
            return redirect(household)
    context = {"form": form, "household": household, "title": _("Birth or a new member")}
    return render(request, FORM, context)


# --- Moves between wards -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def transfer_propose(request: HttpRequest, pk: int) -> HttpResponse:
    household = _editable_household(request, pk)
    units = (
        AdministrativeUnit.objects.grassroots()
        .valid_on(timezone.localdate())
        .exclude(pk=household.unit_id)
        .order_by("name")
    )
    form = TransferForm(request.POST or None, units=units)

    def done(transfer):
        messages.success(
            request,
            _("The move was sent to %(unit)s for its decision.") % {"unit": transfer.to_unit},
        )
        return redirect(transfer)

    return _confirm_then_run(
        request,
        form,
        {"household": household, "title": _("Move to another ward")},
        preview=lambda c: services.transfer_preview(request.user, household, **c),
        run=lambda c: services.transfer_propose(actor=request.user, household=household, **c),
        done=done,
    )


@require_GET
def transfer_list(request: HttpRequest) -> HttpResponse:
    transfers = list(transfers_for(request.user).order_by("-proposed_at", "-pk")[:200])
    for transfer in transfers:
        transfer.can_decide = transfer.is_open and can_accept_transfer(
            request.user, transfer.to_unit
        )
    return render(request, "households/events/transfer_list.html", {"transfers": transfers})


@require_GET
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_or_404(request.user, pk)
    household = transfer.household
    context = {
        "transfer": transfer,
        "household": household,
        "members": household.members.filter(left_on__isnull=True).order_by("birth_year", "pk"),
        "blockers": services.transfer_blockers(household) if transfer.is_open else [],
        "can_decide": transfer.is_open and can_accept_transfer(request.user, transfer.to_unit),
        "can_cancel": transfer.is_open and can_edit_household(request.user, household),
        "refuse_form": TransferRefuseForm(),
    }
    return render(request, "households/events/transfer_detail.html", context)


def _decidable(request: HttpRequest, pk: int):
    transfer = get_transfer_or_404(request.user, pk)
    require(can_accept_transfer(request.user, transfer.to_unit))
    if transfer.status != TransferStatus.PROPOSED:
        raise Http404
    return transfer


@require_http_methods(["GET", "POST"])
def transfer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _decidable(request, pk)
    form = TransferAcceptForm(
        request.POST or None, transfer=transfer, villages=villages_of(transfer.to_unit)
    )

    def done(accepted):
        messages.success(
            request,
            _("Household %(code)s now belongs to %(unit)s.")
            % {"code": accepted.household.code, "unit": accepted.to_unit},
        )
        return redirect(accepted.household)

    return _confirm_then_run(
        request,
        form,
        {
            "household": transfer.household,
            "transfer": transfer,
            "title": _("Accept the household"),
        },
        preview=lambda c: services.accept_preview(request.user, transfer, **c),
        run=lambda c: services.transfer_accept(actor=request.user, transfer=transfer, **c),
        done=done,
    )


@require_POST
def transfer_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = _decidable(request, pk)
    form = TransferRefuseForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_refuse(actor=request.user, transfer=transfer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The move was refused."))
            return redirect(transfer)
    context = {
        "transfer": transfer,
        "household": transfer.household,
        "form": form,
        "title": _("Refuse the household"),
    }
    return render(request, FORM, context)


@require_POST
def transfer_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_or_404(request.user, pk)
    require(can_edit_household(request.user, transfer.household))
    try:
        services.transfer_cancel(actor=request.user, transfer=transfer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The move was withdrawn."))
    return redirect(transfer)

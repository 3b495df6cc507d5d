"""Pages of the register: household list, detail, and the household and member forms."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communes.audit import AccessKind, log_access
from communes.forms import add_service_errors
from communes.history import change_history, merged
from communes.permissions import (
    Action,
    has_perm,
    require,
    uses_names_grant,
)
from communes.reauth import reveal_burst_refused
from communes.selectors import grassroots_units_for, villages_of

from ..event_selectors import household_events, household_transfers
from ..forms.registry import (
    HouseholdCreateForm,
    HouseholdFilterForm,
    HouseholdForm,
    MemberForm,
    MemberLeaveForm,
    MemberMoveForm,
    household_initial,
    member_initial,
)
from ..models import Household, Member, Relation
from ..permissions import can_edit_household
from ..selectors import (
    creatable_units,
    editable_households,
    get_household_or_404,
    household_list_rows,
    named_households_for,
)
from ..services import registry as services
from ..validators import citizen_id_mask

PAGE_SIZE = 25


# --- Reads -----------------------------------------------------------------------


@require_GET
def household_list(request: HttpRequest) -> HttpResponse:
    households = named_households_for(request.user)
    units = grassroots_units_for(request.user)
    form = HouseholdFilterForm(request.GET or None, units=units)
    households = household_list_rows(households, form.chosen_year)
    households = form.filter(households).order_by("unit__name", "code")
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    if uses_names_grant(request.user):
        log_access(
            request, AccessKind.VIEW_NAMED_LIST, label=str(_("Household list")), rows=len(page)
        )
    for household in page:
        household.head_citizen_id_masked = citizen_id_mask(
            household.head.citizen_id if household.head else ""
        )
    context = {
        "form": form,
        "page_obj": page,
        "can_create": creatable_units(request.user).exists(),
    }
    return render(request, "households/household_list.html", context)


@require_GET
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_or_404(request.user, pk, named=True)
    log_access(request, AccessKind.VIEW_HOUSEHOLD, household=household)
    today = timezone.localdate()
    members = list(household.members.order_by("left_on", "birth_year", "pk"))
    for member in members:
        member.age = member.age_on(today)
        member.citizen_id_masked = citizen_id_mask(member.citizen_id)
        member.insurance_valid = member.has_valid_health_insurance(today)
    context = {
        "household": household,
        "members": [m for m in members if m.is_current],
        "former_members": sorted(
            (m for m in members if not m.is_current), key=lambda m: m.left_on, reverse=True
        ),
        "can_edit": can_edit_household(request.user, household),
        "history": household_history(household),
        "household_events": household_events(household),
        "household_transfers": household_transfers(household),
        "can_view_access_log": has_perm(request.user, Action.VIEW_ACCESS_LOG, household.unit),
    }
    return render(request, "households/household_detail.html", context)


def household_history(household: Household) -> list:
    """Changes of the household and of its members, newest first."""
    return merged(
        change_history(Household, Household.history.filter(id=household.pk)),
        change_history(
            Member,
            Member.history.filter(household_id=household.pk),
            record_label=lambda row: row.full_name,
        ),
    )


@require_POST
def member_citizen_id(request: HttpRequest, pk: int) -> HttpResponse:
    """Reveal one member's full citizen ID: POST only, logged (htmx fragment or page)."""
    member = Member.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    member.household = get_household_or_404(request.user, member.household_id, named=True)
    if not member.citizen_id:
        raise Http404
    refused = reveal_burst_refused(request, household=member.household, member_id=member.pk)
    if refused is not None:
        return refused
    log_access(
        request,
        AccessKind.REVEAL_CITIZEN_ID,
        household=member.household,
        member_id=member.pk,
    )
    context = {"member": member, "household": member.household}
    if request.htmx:
        return render(request, "households/includes/_citizen_id_revealed.html", context)
    return render(request, "households/citizen_id_reveal.html", context)


# --- Household writes ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    units = list(creatable_units(request.user))
    require(bool(units))
    preselected = request.GET.get("unit") or (units[0].pk if len(units) == 1 else None)
    form = HouseholdCreateForm(
        request.POST or None,
        units=creatable_units(request.user),
        initial={"unit": preselected},
    )
    if form.is_valid():
        try:
            household = services.household_create(
                actor=request.user, **form.household_data(), head=form.head_data()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Household %(code)s created.") % {"code": household.code})
            return redirect(household)
    return render(request, "households/household_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_or_404(request.user, pk)
    require(can_edit_household(request.user, household))
    form = HouseholdForm(
        request.POST or None,
        villages=villages_of(household.unit).select_related("parent"),
        initial=household_initial(household),
    )
    if form.is_valid():
        try:
            services.household_update(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            # A StaleEdit lands at the top; the posted values stay in the form.
            add_service_errors(form, error)
        else:
            messages.success(request, _("Household %(code)s saved.") % {"code": household.code})
            return redirect(household)
    return render(request, "households/household_form.html", {"form": form, "household": household})


# --- Member writes ------------------------------------------------------------------


def _member_or_404(request: HttpRequest, pk: int, *, edit: bool = True) -> Member:
    """The member ``pk`` of a household the user sees (404), and may edit (403)."""
    member = Member.objects.filter(pk=pk).first()
    if member is None:
        raise Http404
    member.household = get_household_or_404(request.user, member.household_id)
    if edit:
        require(can_edit_household(request.user, member.household))
    return member


@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_household_or_404(request.user, pk)
    require(can_edit_household(request.user, household))
    form = MemberForm(request.POST or None)
    if form.is_valid():
        try:
            member = services.member_add(
                actor=request.user, household=household, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": member.full_name})
            return redirect(household)
    context = {"form": form, "household": household, "title": _("Add a member")}
    return render(request, "households/member_form.html", context)


@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    if not member.is_current:
        raise Http404
    is_head = member.relation == Relation.HEAD
    form = MemberForm(
        request.POST or None,
        initial=member_initial(member),
        with_relation=not is_head,
        current_citizen_id=member.citizen_id,
    )
    if form.is_valid():
        try:
            services.member_update(actor=request.user, member=member, **form.member_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": member.full_name})
            return redirect(member.household)
    context = {"form": form, "household": member.household, "member": member}
    context["title"] = _("Edit member")
    return render(request, "households/member_form.html", context)


@require_http_methods(["GET", "POST"])
def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    form = MemberLeaveForm(request.POST or None)
    if form.is_valid():
        try:
            services.member_leave(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s left the household.") % {"name": member})
            return redirect(member.household)
    context = {"form": form, "household": member.household, "member": member, "leave": True}
    context["title"] = _("Record that a member left")
    return render(request, "households/member_form.html", context)


@require_http_methods(["GET", "POST"])
def member_move(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    units = grassroots_units_for(request.user).valid_on(timezone.localdate())
    form = MemberMoveForm(
        request.POST or None,
        units=units,
        households=editable_households(request.user),
        initial={"unit": member.household.unit_id},
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.member_move(
                actor=request.user,
                member=member,
                to_household=data["to_household"],
                relation=data["relation"],
                on=data["on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s moved to household %(code)s.")
                % {"name": moved.full_name, "code": moved.household.code},
            )
            return redirect(moved.household)
    context = {"form": form, "household": member.household, "member": member}
    return render(request, "households/member_move.html", context)


@require_POST
def household_set_head(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    try:
        services.household_set_head(actor=request.user, household=member.household, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now the head of household. Check the relations of the other members.")
            % {"name": member.full_name},
        )
    return redirect(member.household)

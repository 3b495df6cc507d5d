from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Q, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import (
    AccessLogFilterForm,
    MembershipAddForm,
    MembershipChangeForm,
    MembershipEndForm,
    NamesGrantDecisionForm,
    NamesGrantRequestForm,
    VillageForm,
    add_service_errors,
)
from .models import GrantRequestStatus, Membership, NamesGrantRequest, UnitKind
from .permissions import (
    Action,
    can_decide_names_grant,
    can_manage_committee,
    can_manage_villages,
    get_committee_or_404,
    get_unit_or_404,
    has_perm,
    may_grant_named_lists,
    names_grant_committee_ids,
    require,
    unit_ids_with,
)
from .sessions import active_sessions, end_sessions

ACCESS_LOG_PAGE_SIZE = 50


@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.grassroots_units_for(request.user).annotate(
        village_count=Count("children", filter=Q(children__kind=UnitKind.VILLAGE))
    )
    today = selectors.today()
    current = [u for u in units if u.is_valid_on(today)]
    former = [u for u in units if not u.is_valid_on(today)]
    return render(request, "communes/unit_list.html", {"current": current, "former": former})


@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_or_404(request.user, pk)
    predecessors, successors = selectors.unit_successions(unit)
    context = {
        "unit": unit,
        "villages": selectors.villages_of(unit),
        "predecessors": predecessors,
        "successors": successors,
        "committee": unit.committees.first(),
        "can_manage_villages": can_manage_villages(request.user, unit),
    }
    return render(request, "communes/unit_detail.html", context)


@require_http_methods(["GET", "POST"])
def village_create(request: HttpRequest, ward_pk: int) -> HttpResponse:
    ward = get_unit_or_404(request.user, ward_pk)
    require(can_manage_villages(request.user, ward))
    form = VillageForm(request.POST or None)
    if form.is_valid():
        try:
            village = services.village_create(
                actor=request.user, ward=ward, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Village “%(name)s” added.") % {"name": village.name})
            return redirect(ward)
    return render(request, "communes/village_form.html", {"form": form, "ward": ward})


@require_http_methods(["GET", "POST"])
def village_edit(request: HttpRequest, pk: int) -> HttpResponse:
    village = get_unit_or_404(request.user, pk)
    if not village.is_village:
        raise Http404
    require(can_manage_villages(request.user, village.parent))
    form = VillageForm(request.POST or None, initial={"name": village.name})
    if form.is_valid():
        try:
            services.village_rename(
                actor=request.user, village=village, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Village renamed."))
            return redirect(village.parent)
    context = {"form": form, "ward": village.parent, "village": village}
    return render(request, "communes/village_form.html", context)


@require_GET
def committee_list(request: HttpRequest) -> HttpResponse:
    committees = selectors.committees_for(request.user).annotate(
        member_count=Count("memberships", filter=Q(memberships__end_date__isnull=True))
    )
    return render(request, "communes/committee_list.html", {"committees": committees})


@require_GET
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = get_committee_or_404(request.user, pk)
    can_manage = can_manage_committee(request.user, committee)
    grants = can_manage and committee.is_city_level
    context = {
        "committee": committee,
        "memberships": selectors.committee_members(committee),
        "can_manage": can_manage,
        "today": selectors.today(),
        # City committees: access to names is asked for and decided by two people.
        "names_grants_url": reverse("communes:names_grant_list") if grants else "",
        "pending_grants": NamesGrantRequest.objects.filter(
            membership__committee=committee, status=GrantRequestStatus.PENDING
        ).count()
        if grants
        else 0,
    }
    return render(request, "communes/committee_detail.html", context)


@require_http_methods(["GET", "POST"])
def membership_add(request: HttpRequest, committee_pk: int) -> HttpResponse:
    committee = get_committee_or_404(request.user, committee_pk)
    require(can_manage_committee(request.user, committee))
    roles = services.roles_allowed_in(committee)
    form = MembershipAddForm(request.POST or None, roles=roles)
    if form.is_valid():
        try:
            membership, password = services.membership_add(
                actor=request.user, committee=committee, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("%(user)s added to the committee.")
                % {"user": membership.user.get_full_name() or membership.user.username},
            )
            if password:
                messages.warning(
                    request,
                    _(
                        "New account “%(username)s” created with the temporary password "
                        "%(password)s. Hand it over in person; it must be changed after "
                        "the first login."
                    )
                    % {"username": membership.user.username, "password": password},
                )
            return redirect(committee)
    return render(request, "communes/membership_form.html", {"form": form, "committee": committee})


def _membership_or_404(request: HttpRequest, pk: int) -> Membership:
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk)
    membership.committee = get_committee_or_404(request.user, membership.committee_id)
    require(can_manage_committee(request.user, membership.committee))
    return membership


@require_http_methods(["GET", "POST"])
def membership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    roles = services.roles_allowed_in(membership.committee)
    initial = {
        "role": membership.role,
        "position": membership.position,
        "may_view_named_lists": membership.may_view_named_lists,
    }
    form = MembershipChangeForm(request.POST or None, roles=roles, initial=initial)
    if not membership.may_view_named_lists:
        # Giving access to names takes a request and a second person (names_grant_request).
        form.fields.pop("may_view_named_lists", None)
    if form.is_valid():
        try:
            services.membership_change(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Membership updated."))
            return redirect(membership.committee)
    context = {"form": form, "committee": membership.committee, "membership": membership}
    return render(request, "communes/membership_form.html", context)


@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    form = MembershipEndForm(request.POST or None)
    if form.is_valid():
        try:
            services.membership_end(actor=request.user, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Membership ended."))
            return redirect(membership.committee)
    context = {"form": form, "committee": membership.committee, "membership": membership}
    return render(request, "communes/membership_end.html", context)


# --- Access to names: request, then another person decides ---------------------


@require_http_methods(["GET", "POST"])
def names_grant_request(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _membership_or_404(request, pk)
    require(may_grant_named_lists(membership.role) and membership.end_date is None)
    form = NamesGrantRequestForm(request.POST or None)
    if form.is_valid():
        try:
            services.names_grant_request(
                actor=request.user, membership=membership, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Request sent: another head or an administrator must approve it."),
            )
            return redirect(membership.committee)
    context = {
        "form": form,
        "committee": membership.committee,
        "membership": membership,
        "requests": membership.names_grant_requests.select_related("requested_by", "decided_by"),
    }
    return render(request, "communes/names_grant_request.html", context)


@require_GET
def names_grant_list(request: HttpRequest) -> HttpResponse:
    """Requests for access to names of the committees the user heads (all: admins)."""
    committee_ids = names_grant_committee_ids(request.user)
    require(committee_ids is None or bool(committee_ids))
    grant_requests = NamesGrantRequest.objects.select_related(
        "membership__user", "membership__committee", "requested_by", "decided_by"
    ).order_by(Case(When(status=GrantRequestStatus.PENDING, then=0), default=1), "-requested_at")
    if committee_ids is not None:
        grant_requests = grant_requests.filter(membership__committee_id__in=committee_ids)
    page = Paginator(grant_requests, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "communes/names_grant_list.html", {"page_obj": page})


@require_http_methods(["GET", "POST"])
def names_grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant_request = get_object_or_404(
        NamesGrantRequest.objects.select_related("membership__user", "requested_by"), pk=pk
    )
    membership = grant_request.membership
    membership.committee = get_committee_or_404(request.user, membership.committee_id)
    require(can_manage_committee(request.user, membership.committee))
    may_decide = grant_request.is_pending and can_decide_names_grant(request.user, grant_request)
    form = NamesGrantDecisionForm(request.POST or None)
    if request.method == "POST":
        require(may_decide)
        if form.is_valid():
            try:
                services.names_grant_decide(
                    actor=request.user,
                    grant_request=grant_request,
                    approve=form.cleaned_data["decision"] == "approve",
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("communes:names_grant_list")
    context = {
        "grant_request": grant_request,
        "membership": membership,
        "form": form,
        "may_decide": may_decide,
    }
    return render(request, "communes/names_grant_decide.html", context)


# --- Signed-in sessions --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def session_list(request: HttpRequest) -> HttpResponse:
    """The user's own sessions; ending one (or all others) signs that browser out."""
    current = request.session.session_key
    if request.method == "POST":
        if request.POST.get("action") == "others":
            ended = end_sessions(request.user, keep=current)
        else:
            key = request.POST.get("session", "")
            ended = end_sessions(request.user, keys=[key], keep=current)
        messages.success(request, _("%(count)s session(s) ended.") % {"count": ended})
        return redirect("communes:session_list")
    sessions = list(active_sessions(request.user))
    for session in sessions:
        session.is_current = session.session_key == current
    return render(request, "communes/session_list.html", {"sessions": sessions})


@require_POST
def membership_sessions_end(request: HttpRequest, pk: int) -> HttpResponse:
    """A head (or an administrator) signs a member of their committee out everywhere."""
    membership = _membership_or_404(request, pk)
    require(membership.user_id != request.user.pk)
    ended = end_sessions(membership.user)
    messages.success(
        request,
        _("%(user)s signed out of %(count)s session(s).")
        % {"user": membership.user.get_full_name() or membership.user.username, "count": ended},
    )
    return redirect(membership.committee)


@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Read-only list of who saw or moved personal data in the user's units."""
    require(has_perm(request.user, Action.VIEW_ACCESS_LOG))
    unit_ids = unit_ids_with(request.user, Action.VIEW_ACCESS_LOG)
    units = selectors.units_for(request.user).exclude(kind=UnitKind.VILLAGE)
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    form = AccessLogFilterForm(request.GET or None, units=units.order_by("kind", "name"))
    entries = form.filter(selectors.access_log_for(unit_ids))
    page = Paginator(entries, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "communes/access_log.html", {"form": form, "page_obj": page})

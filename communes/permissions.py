"""Who may do what, and where: the role × action table and its predicates.

Views never test roles themselves; they ask ``has_perm(user, action, unit)``
or one of the named predicates below. The table is documented in
``docs/permissions.md``.

Convention for views: a record outside the user's scope is a 404 (exactly
like a missing one); a visible record with a forbidden action is a 403.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import AdministrativeUnit, Role, SteeringCommittee
from .selectors import today, user_scope


class Action(StrEnum):
    VIEW_UNIT = "view_unit"
    VIEW_COMMITTEE = "view_committee"
    MANAGE_COMMITTEE = "manage_committee"
    MANAGE_VILLAGES = "manage_villages"
    VIEW_CITY_DASHBOARD = "view_city_dashboard"
    #: Open the annual report and its downloads (city roles: the city and its
    #: wards; a ward head: their own ward).
    VIEW_REPORTS = "view_reports"
    #: Read every household of the units in scope (members: see ASSIGNED_ONLY).
    VIEW_HOUSEHOLDS = "view_households"
    #: Read only the households assigned to oneself.
    VIEW_ASSIGNED_HOUSEHOLDS = "view_assigned_households"
    EDIT_HOUSEHOLDS = "edit_households"
    #: List households for review, record surveys, meetings and postings.
    RUN_REVIEW = "run_review"
    #: Record the chair's decision: recognise or refuse, issue certificates.
    DECIDE_REVIEW = "decide_review"
    #: Create exit plans and edit any action of the ward's plans.
    MANAGE_PLANS = "manage_plans"
    #: Update the plan actions one is responsible for (status, outcome).
    UPDATE_OWN_ACTIONS = "update_own_actions"
    #: Assign households (cases) to committee members.
    ASSIGN_CASES = "assign_cases"
    #: Enter support records in the ledger.
    RECORD_SUPPORT = "record_support"
    #: Read the support ledger and the duplicate report.
    VIEW_SUPPORT = "view_support"
    #: Open lists that name households (list page, named report annexes).
    #: City roles work with aggregates and need a grant (see docs).
    VIEW_NAMED_LISTS = "view_named_lists"
    #: Download households and review results with names (Excel/CSV).
    EXPORT_HOUSEHOLDS = "export_households"
    #: Upload households and review results (Excel/CSV).
    IMPORT_HOUSEHOLDS = "import_households"
    #: Read the access log of the units in scope.
    VIEW_ACCESS_LOG = "view_access_log"
    #: Accept or refuse a household moving in from another ward.
    ACCEPT_TRANSFERS = "accept_transfers"
    #: Submit a ward's decided review results of a year to the level above.
    SUBMIT_RESULTS = "submit_results"
    #: See which units submitted their results, which are late.
    VIEW_SUBMISSIONS = "view_submissions"
    #: Send submitted results back to the ward (unlocks them), with a reason.
    REOPEN_RESULTS = "reopen_results"
    #: See and resolve citizen IDs tried in one ward while another ward holds them.
    RESOLVE_ID_CONFLICTS = "resolve_id_conflicts"


#: The permission table. A role grants an action on every unit in the scope
#: of the membership that carries the role (see ``selectors``).
_READ = {Action.VIEW_UNIT, Action.VIEW_COMMITTEE}
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CITY_HEAD: frozenset(
        {
            *_READ,
            Action.VIEW_CITY_DASHBOARD,
            Action.VIEW_REPORTS,
            Action.VIEW_HOUSEHOLDS,
            Action.VIEW_SUPPORT,
            Action.VIEW_ACCESS_LOG,
            Action.VIEW_SUBMISSIONS,
            Action.REOPEN_RESULTS,
            Action.RESOLVE_ID_CONFLICTS,
        }
    ),
    Role.CITY_STAFF: frozenset(
        {
            *_READ,
            Action.VIEW_CITY_DASHBOARD,
            Action.VIEW_REPORTS,
            Action.VIEW_HOUSEHOLDS,
            Action.VIEW_SUPPORT,
            Action.VIEW_SUBMISSIONS,
            Action.RESOLVE_ID_CONFLICTS,
        }
    ),
    Role.WARD_HEAD: frozenset(
        {
            *_READ,
            Action.MANAGE_VILLAGES,
            Action.VIEW_REPORTS,
            Action.VIEW_HOUSEHOLDS,
            Action.EDIT_HOUSEHOLDS,
            Action.RUN_REVIEW,
            Action.DECIDE_REVIEW,
            Action.MANAGE_PLANS,
            Action.UPDATE_OWN_ACTIONS,
            Action.ASSIGN_CASES,
            Action.RECORD_SUPPORT,
            Action.VIEW_SUPPORT,
            Action.VIEW_NAMED_LISTS,
            Action.EXPORT_HOUSEHOLDS,
            Action.IMPORT_HOUSEHOLDS,
            Action.VIEW_ACCESS_LOG,
            Action.ACCEPT_TRANSFERS,
            Action.SUBMIT_RESULTS,
            Action.VIEW_SUBMISSIONS,
        }
    ),
    Role.WARD_OFFICER: frozenset(
        {
            *_READ,
            Action.MANAGE_VILLAGES,
            Action.VIEW_HOUSEHOLDS,
            Action.EDIT_HOUSEHOLDS,
            Action.RUN_REVIEW,
            Action.MANAGE_PLANS,
            Action.UPDATE_OWN_ACTIONS,
            Action.RECORD_SUPPORT,
            Action.VIEW_SUPPORT,
            Action.VIEW_NAMED_LISTS,
            Action.EXPORT_HOUSEHOLDS,
            Action.IMPORT_HOUSEHOLDS,
            Action.VIEW_SUBMISSIONS,
        }
    ),
    # A member reads by name only the households assigned to them: the
    # household selectors narrow VIEW_NAMED_LISTS to those.
    Role.MEMBER: frozenset(
        {
            *_READ,
            Action.VIEW_ASSIGNED_HOUSEHOLDS,
            Action.UPDATE_OWN_ACTIONS,
            Action.VIEW_NAMED_LISTS,
        }
    ),
}

#: What the "may open named household lists" grant of a membership adds to
#: its role. Only city roles can carry it: ward roles already read names.
GRANT_ACTIONS: dict[str, frozenset[Action]] = {
    Role.CITY_HEAD: frozenset({Action.VIEW_NAMED_LISTS, Action.EXPORT_HOUSEHOLDS}),
    Role.CITY_STAFF: frozenset({Action.VIEW_NAMED_LISTS, Action.EXPORT_HOUSEHOLDS}),
}
GRANTABLE_ROLES = frozenset(GRANT_ACTIONS)

#: Roles that head a committee: they manage its membership (their own
#: committee only, never the ones of units merely in their scope).
HEAD_ROLES = frozenset({Role.CITY_HEAD, Role.WARD_HEAD})


def _grants(action: Action, roles, granted_roles) -> bool:
    """Whether holding ``roles`` (``granted_roles`` with the grant) allows ``action``."""
    return any(action in ROLE_ACTIONS[role] for role in roles) or any(
        action in GRANT_ACTIONS.get(role, ()) for role in granted_roles
    )


def has_perm(user, action: Action, unit: AdministrativeUnit | None = None) -> bool:
    """Whether ``user`` may do ``action`` on ``unit`` (or anywhere, if None)."""
    scope = user_scope(user)
    if scope.everything:
        return True
    if unit is None:
        granted = {m.role for m in scope.memberships if m.has_names_grant(today())}
        return _grants(action, scope.roles, granted)
    return _grants(
        action,
        scope.roles_for(unit.pk),
        scope.granted_roles_by_unit.get(unit.pk, frozenset()),
    )


def can_view_names(user, unit: AdministrativeUnit | None = None) -> bool:
    """Open pages and lists that name households (of ``unit``, or anywhere if None).

    Ward roles may by their role; city roles only with the grant on their
    membership. Household selectors still decide *which* households.
    """
    return has_perm(user, Action.VIEW_NAMED_LISTS, unit)


def uses_names_grant(user) -> bool:
    """Whether ``user`` reads names through a grant rather than a ward role.

    Such reads of named lists are logged; a ward's own staff work with
    names every day, so their list views are not.
    """
    scope = user_scope(user)
    return not scope.everything and any(m.has_names_grant(today()) for m in scope.memberships)


def may_grant_named_lists(role: str) -> bool:
    """Whether a membership with ``role`` can carry the named-lists grant."""
    return role in GRANTABLE_ROLES


def can_view_unit(user, unit: AdministrativeUnit) -> bool:
    return user_scope(user).covers(unit.pk)


def can_manage_committee(user, committee: SteeringCommittee) -> bool:
    """Only the head of this very committee (or a superuser) manages its members."""
    scope = user_scope(user)
    if scope.everything:
        return True
    return any(m.committee_id == committee.pk and m.role in HEAD_ROLES for m in scope.memberships)


def can_request_names_grant(user, membership) -> bool:
    """A head of the membership's own committee (or a superuser) may ask that a
    city membership open named lists. Asking grants nothing: see below."""
    return may_grant_named_lists(membership.role) and can_manage_committee(
        user, membership.committee
    )


def names_grant_committee_ids(user) -> frozenset[int] | None:
    """Committees whose names-grant requests ``user`` sees (``None``: all): the
    city-level committees they head."""
    scope = user_scope(user)
    if scope.everything:
        return None
    return frozenset(
        m.committee_id
        for m in scope.memberships
        if m.role in HEAD_ROLES and m.committee.is_city_level
    )


def can_decide_names_grant(user, grant_request) -> bool:
    """Four eyes: a head of that committee or a superuser, never the person who
    asked nor the person who would get the grant."""
    membership = grant_request.membership
    if user.pk in (grant_request.requested_by_id, membership.user_id):
        return False
    return can_manage_committee(user, membership.committee)


def can_manage_villages(user, ward: AdministrativeUnit) -> bool:
    """Ward heads and officers keep the villages of a current ward in their scope."""
    if not ward.is_grassroots or not ward.is_valid_on(today()):
        return False
    return has_perm(user, Action.MANAGE_VILLAGES, ward)


def get_unit_or_404(user, pk: int) -> AdministrativeUnit:
    """The unit ``pk`` if ``user`` may see it, else 404 (as if it did not exist)."""
    unit = AdministrativeUnit.objects.select_related("parent").filter(pk=pk).first()
    if unit is None or not can_view_unit(user, unit):
        raise Http404
    return unit


def get_committee_or_404(user, pk: int) -> SteeringCommittee:
    committee = SteeringCommittee.objects.select_related("unit").filter(pk=pk).first()
    if committee is None or not can_view_unit(user, committee.unit):
        raise Http404
    return committee


def require(allowed: bool) -> None:
    """403 unless ``allowed``: for visible records the user may not change."""
    if not allowed:
        raise PermissionDenied


def unit_ids_with(user, action: Action) -> frozenset[int] | None:
    """Units on which ``user`` may do ``action``; ``None`` means every unit."""
    scope = user_scope(user)
    if scope.everything:
        return None
    return frozenset(
        uid
        for uid, roles in scope.roles_by_unit.items()
        if _grants(action, roles, scope.granted_roles_by_unit.get(uid, frozenset()))
    )

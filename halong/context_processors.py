"""Template context shared by every page."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from communes.jobs.selectors import unread_reminder_count
from communes.permissions import Action, has_perm, names_grant_committee_ids
from communes.selectors import today, user_scope

from .dashboard import may_see_reports


def _any(*actions):
    return lambda user, ward: any(has_perm(user, action) for action in actions)


def _in_own_ward(action):
    """Only for a user whose own committee is a current ward with ``action``."""
    return lambda user, ward: ward is not None and has_perm(user, action, ward)


#: (label, url name, icon, predicate(user, own ward), needs the ward as URL argument).
#: Each role sees only what it may use. Items after ``MENU_SPLIT`` go in the
#: "Manage" drop-down so the bar fits on a laptop screen.
NAV_ITEMS = (
    (_("Home"), "home", "bi-house", lambda user, ward: True, False),
    (
        _("Households"),
        "households:household_list",
        "bi-house-door",
        _any(Action.VIEW_NAMED_LISTS),
        False,
    ),
    (_("Reviews"), "households:round_list", "bi-clipboard-check", _any(Action.RUN_REVIEW), False),
    (_("My cases"), "plans:my_cases", "bi-person-check", _any(Action.UPDATE_OWN_ACTIONS), False),
    (
        _("Support"),
        "plans:support_list",
        "bi-cash-coin",
        lambda user, ward: (
            has_perm(user, Action.VIEW_SUPPORT) and has_perm(user, Action.VIEW_NAMED_LISTS)
        ),
        False,
    ),
    (
        _("Lists for agencies"),
        "plans:agency_lists",
        "bi-card-checklist",
        lambda user, ward: (
            has_perm(user, Action.VIEW_HOUSEHOLDS) and has_perm(user, Action.VIEW_NAMED_LISTS)
        ),
        False,
    ),
    (
        _("Reports"),
        "report",
        "bi-file-earmark-bar-graph",
        lambda user, ward: may_see_reports(user),
        False,
    ),
    (
        _("Submissions"),
        "households:submission_list",
        "bi-send-check",
        _any(Action.VIEW_SUBMISSIONS),
        False,
    ),
    (
        _("Assign cases"),
        "plans:case_assign",
        "bi-diagram-3",
        _in_own_ward(Action.ASSIGN_CASES),
        True,
    ),
    (
        _("Members' load"),
        "plans:member_load",
        "bi-bar-chart-steps",
        _in_own_ward(Action.MANAGE_PLANS),
        True,
    ),
    (
        _("Follow-up after exit"),
        "plans:followup_list",
        "bi-binoculars",
        lambda user, ward: (
            has_perm(user, Action.UPDATE_OWN_ACTIONS) and has_perm(user, Action.VIEW_NAMED_LISTS)
        ),
        False,
    ),
    (_("Units"), "communes:unit_list", "bi-geo-alt", _any(Action.VIEW_UNIT), False),
    (_("Committees"), "communes:committee_list", "bi-people", _any(Action.VIEW_COMMITTEE), False),
    (
        _("Access log"),
        "communes:access_log",
        "bi-journal-lock",
        _any(Action.VIEW_ACCESS_LOG),
        False,
    ),
    (
        _("Citizen ID conflicts"),
        "households:id_conflict_list",
        "bi-person-exclamation",
        _any(Action.RESOLVE_ID_CONFLICTS),
        False,
    ),
    (
        _("Access to names"),
        "communes:names_grant_list",
        "bi-shield-lock",
        lambda user, ward: names_grant_committee_ids(user) != frozenset(),
        False,
    ),
    (_("Administration"), "admin:index", "bi-gear", lambda user, ward: user.is_staff, False),
)


MENU_SPLIT = 5


def own_ward(user):
    """The current ward or commune of the user's first ward committee, if any."""
    day = today()
    for membership in user_scope(user).memberships:
        unit = membership.committee.unit
        if unit.is_grassroots and unit.is_valid_on(day):
            return unit
    return None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": [], "nav_more": [], "unread_reminders": 0}
    ward = own_ward(user)
    menus = ([], [])
    for position, (label, url_name, icon, allowed, per_ward) in enumerate(NAV_ITEMS):
        if not allowed(user, ward):
            continue
        url = reverse(url_name, args=[ward.pk] if per_ward else [])
        active = request.path == url if url_name == "home" else request.path.startswith(url)
        item = {"label": label, "url": url, "icon": icon, "active": active}
        menus[position >= MENU_SPLIT].append(item)
    return {
        "nav": menus[0],
        "nav_more": menus[1],
        # Lazy: one COUNT query, only on pages that draw the bar.
        "unread_reminders": SimpleLazyObject(lambda: unread_reminder_count(user)),
    }

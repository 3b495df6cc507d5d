"""Template context shared by every page."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from communes.permissions import Action, has_perm

#: (label, url name, icon, predicate). Each role sees only what it may use.
NAV_ITEMS = (
    (_("Home"), "home", "bi-house", lambda user: True),
    (
        _("Households"),
        "households:household_list",
        "bi-house-door",
        lambda user: (
            has_perm(user, Action.VIEW_HOUSEHOLDS)
            or has_perm(user, Action.VIEW_ASSIGNED_HOUSEHOLDS)
        ),
    ),
    (
        _("Reviews"),
        "households:round_list",
        "bi-clipboard-check",
        lambda user: has_perm(user, Action.VIEW_HOUSEHOLDS),
    ),
    (
        _("Units"),
        "communes:unit_list",
        "bi-geo-alt",
        lambda user: has_perm(user, Action.VIEW_UNIT),
    ),
    (
        _("Committees"),
        "communes:committee_list",
        "bi-people",
        lambda user: has_perm(user, Action.VIEW_COMMITTEE),
    ),
    (_("Administration"), "admin:index", "bi-gear", lambda user: user.is_staff),
)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    path = request.path
    items = []
    for label, url_name, icon, allowed in NAV_ITEMS:
        if not allowed(user):
            continue
        url = reverse(url_name)
        active = path == url if url_name == "home" else path.startswith(url)
        items.append({"label": label, "url": url, "icon": icon, "active": active})
    return {"nav": items}

"""Household actions, answered from the one role × action table in communes."""

from communes.models import AdministrativeUnit
from communes.permissions import Action, has_perm

from .models import Household


def can_edit_household(user, household: Household) -> bool:
    """A closed household (merged into another) stays read-only."""
    return household.closed_on is None and has_perm(user, Action.EDIT_HOUSEHOLDS, household.unit)


def can_create_household_in(user, unit: AdministrativeUnit) -> bool:
    return unit.is_grassroots and has_perm(user, Action.EDIT_HOUSEHOLDS, unit)


def can_run_review(user, unit: AdministrativeUnit) -> bool:
    """List, survey, record meetings and postings in ``unit``'s review."""
    return has_perm(user, Action.RUN_REVIEW, unit)


def can_decide_review(user, unit: AdministrativeUnit) -> bool:
    """Record the chair's decision (recognise / refuse) and issue certificates."""
    return has_perm(user, Action.DECIDE_REVIEW, unit)


def can_accept_transfer(user, unit: AdministrativeUnit) -> bool:
    """Accept or refuse a household moving in to ``unit`` (its committee head)."""
    return has_perm(user, Action.ACCEPT_TRANSFERS, unit)


def can_submit_results(user, unit: AdministrativeUnit) -> bool:
    """Submit ``unit``'s decided results of a year to the level above (ward heads)."""
    return unit.is_grassroots and has_perm(user, Action.SUBMIT_RESULTS, unit)


def can_reopen_results(user, unit: AdministrativeUnit) -> bool:
    """Send ``unit``'s submitted results back (the level above: city heads)."""
    return has_perm(user, Action.REOPEN_RESULTS, unit)

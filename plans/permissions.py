"""Plan, case and support actions, answered from the role × action table in communes."""

from communes.permissions import Action, has_perm
from households.models import Household

from .models import PlanAction


def can_manage_plans(user, household: Household) -> bool:
    """Create plans and edit any of their actions (ward heads and officers)."""
    return has_perm(user, Action.MANAGE_PLANS, household.unit)


def can_update_action(user, action: PlanAction) -> bool:
    """Heads and officers update any action; a member only those they own."""
    unit = action.plan.household.unit
    if has_perm(user, Action.MANAGE_PLANS, unit):
        return True
    return action.responsible_id == user.pk and has_perm(user, Action.UPDATE_OWN_ACTIONS, unit)


def can_assign_cases(user, unit) -> bool:
    return has_perm(user, Action.ASSIGN_CASES, unit)


def can_record_support(user, household: Household) -> bool:
    return has_perm(user, Action.RECORD_SUPPORT, household.unit)


def can_view_support_ledger(user) -> bool:
    return has_perm(user, Action.VIEW_SUPPORT)


def can_record_followup(user, household: Household) -> bool:
    """Record a follow-up check: heads and officers, or the member assigned the household."""
    if has_perm(user, Action.MANAGE_PLANS, household.unit):
        return True
    return household.assigned_to_id == user.pk and has_perm(
        user, Action.UPDATE_OWN_ACTIONS, household.unit
    )

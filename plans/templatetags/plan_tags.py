"""Template tags of exit plans (the household page's plan section)."""

from django import template

from .. import plan_selectors
from ..permissions import can_manage_plans

register = template.Library()


@register.simple_tag
def household_plans(household):
    """``{% household_plans household as plans %}``: the household's plans, newest
    first, each with ``progress`` (one query)."""
    return plan_selectors.household_plans(household)


@register.simple_tag(takes_context=True)
def can_start_plan(context, household) -> bool:
    """``{% can_start_plan household as can_start %}``: the current user manages plans
    in the household's ward and the household is poor or near-poor."""
    request = context.get("request")
    if request is None or not can_manage_plans(request.user, household):
        return False
    return plan_selectors.can_have_plan(household)

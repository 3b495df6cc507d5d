"""Template tags of exit plans (the household page's plan section)."""

from django import template
from django.utils import timezone

from .. import followup as followup_selectors
from .. import plan_selectors
from ..permissions import can_manage_plans, can_record_followup

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


@register.simple_tag(takes_context=True)
def household_followup(context, household):
    """``{% household_followup household as followup %}``: the household's open follow-up
    after exit with ``can_record`` for the current user, or ``None``."""
    followup = followup_selectors.household_followup(household, timezone.localdate())
    if followup is not None:
        request = context.get("request")
        followup.can_record = request is not None and can_record_followup(request.user, household)
    return followup


@register.simple_tag
def exit_outcomes(unit_ids):
    """``{% exit_outcomes dashboard.scope.unit_ids as outcomes %}``: sustained exits and
    re-entries per ward for the dashboard."""
    return followup_selectors.exit_outcomes(unit_ids, timezone.localdate())

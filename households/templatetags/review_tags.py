"""Template tags of the yearly review."""

import datetime

from django import template
from django.utils import timezone

from .. import review_selectors
from ..permissions import can_run_review

register = template.Library()


@register.simple_tag
def household_timeline(household):
    """``{% household_timeline household as timeline %}``: the household's assessments."""
    return review_selectors.household_timeline(household)


@register.simple_tag
def deadline_state(assessment, today: datetime.date | None = None):
    """``"overdue"``, ``"due_soon"`` or ``None`` for a regular application."""
    return review_selectors.deadline_state(assessment, today or timezone.localdate())


@register.simple_tag(takes_context=True)
def can_run_review_in(context, unit) -> bool:
    """``{% can_run_review_in household.unit as can_run %}`` for the current user."""
    request = context.get("request")
    return bool(request and can_run_review(request.user, unit))

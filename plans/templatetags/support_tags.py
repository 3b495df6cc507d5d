"""Template tags of the support ledger."""

from django import template

from households.models import PovertyStatus

from .. import support_selectors
from ..permissions import can_record_support, can_view_support_ledger

register = template.Library()


@register.simple_tag(takes_context=True)
def household_support(context, household):
    """``{% household_support household as support %}``: the household's support.

    ``None`` when the user may not read the ledger; otherwise the records
    (latest first), their count and total, and ``can_add``. Two queries.
    """
    request = context.get("request")
    if request is None or not can_view_support_ledger(request.user):
        return None
    support = support_selectors.household_support(household)
    support.can_add = can_record_support(request.user, household)
    return support


@register.filter
def status_label(code: str) -> str:
    """The label of a poverty status code (annotated values carry only the code)."""
    return PovertyStatus(code).label if code in PovertyStatus.values else code or "–"

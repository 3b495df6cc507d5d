"""Display helpers shared by every app's templates: `{% load communes_format %}`.

The library was `halong_format`; that name still loads it (`halong.templatetags`).
"""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def vnd(amount):
    """Integer VND as ``1.500.000 ₫`` (separators follow the active language)."""
    if amount is None or amount == "":
        return "–"
    return f"{number_format(int(amount), force_grouping=True)}\u00a0₫"


@register.filter
def pct(value, digits=2):
    """A percentage with the active language's decimal separator: ``1,15 %``."""
    if value is None or value == "":
        return "–"
    return f"{number_format(round(float(value), int(digits)), int(digits))}\u00a0%"

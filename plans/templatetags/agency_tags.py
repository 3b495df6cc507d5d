"""One cell of a list for another agency: money as ``1.500.000 ₫``, dates ``dd/mm/yyyy``."""

import datetime

from django import template
from django.utils.formats import date_format, number_format

from households.validators import citizen_id_mask

register = template.Library()


@register.simple_tag
def agency_cell(result, index, value):
    if value is None or value == "":
        return "–"
    if index in result.masked_columns:
        return citizen_id_mask(str(value))
    if index in result.money_columns:
        return f"{number_format(int(value), force_grouping=True)}\u00a0₫"
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return value

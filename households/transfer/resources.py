"""django-import-export resources over the transfer feature's columns.

``HouseholdResource`` lets the library's admin export write the households
sheet of our export: the columns of ``columns.HOUSEHOLD_COLUMNS`` and one per
indicator, the assessment the database picks (``exporting.chosen_assessment``),
formula-like text quoted as our importer expects. The library writes one
table, so the members sheet is left to our own export (``exporting``).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from communes.text import spreadsheet_safe

from .columns import HOUSEHOLD_COLUMNS, header_labels, indicator_label
from .exporting import CHUNK_SIZE, household_records, indicator_columns

#: Field names of the indicator columns (their codes may clash with a column's key).
INDICATOR_PREFIX = "indicator:"


class Cell(widgets.Widget):
    """A value as the exporter made it: native in a workbook, text in CSV."""

    def render(self, value, obj=None, **kwargs):
        if kwargs.get("force_native_type"):
            return value
        return "" if value is None else force_str(value)


class HouseholdResource(resources.Resource):
    """The households of a queryset in the import's columns (export only)."""

    @classmethod
    def get_display_name(cls):
        return _("Households (import columns)")

    def __init__(self, *, year: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.year = year
        self.codes: list[str] = []
        labels = header_labels(HOUSEHOLD_COLUMNS)
        self.fields = {
            column.key: fields.Field(attribute=column.key, column_name=label, widget=Cell())
            for column, label in zip(HOUSEHOLD_COLUMNS, labels, strict=True)
        }

    def before_export(self, queryset: QuerySet, **kwargs) -> None:
        """Add the indicator columns, which depend on the households' years."""
        indicators = indicator_columns(self.year, queryset)
        self.codes = [indicator.code for indicator in indicators]
        for indicator in indicators:
            key = INDICATOR_PREFIX + indicator.code
            label = indicator_label(indicator.code, indicator.name)
            self.fields[key] = fields.Field(attribute=key, column_name=label, widget=Cell())

    def get_export_order(self) -> tuple[str, ...]:
        return tuple(self.fields)

    def iter_queryset(self, queryset: QuerySet) -> Iterator[dict]:
        """Rows as dicts keyed by field name, built by the exporter (no model instances)."""
        keys = list(self.fields)
        records = household_records(queryset, self.year, self.codes, CHUNK_SIZE)
        for row in records:
            yield dict(zip(keys, (spreadsheet_safe(value) for value in row), strict=True))

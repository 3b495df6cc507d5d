"""Change history of edited records, for the record pages: who, when, before → after.

Reads django-simple-history's tables. Every app's record page shows its
history through ``change_history``, so all of them mask citizen IDs, skip
bookkeeping columns and name foreign keys the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import citizen_id_mask

#: Bookkeeping columns nobody needs to see in a change list.
HIDDEN_FIELDS = frozenset(
    {"id", "version", "created_at", "updated_at", "search_text", "search_name"}
)
#: Columns holding a citizen ID: shown masked, like everywhere else.
CITIZEN_ID_FIELDS = frozenset({"citizen_id"})
#: How many entries a record page shows; the rest is summarised.
DEFAULT_LIMIT = 30

KIND_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: object
    who: str
    record: str
    kind: str
    changes: list[Change] = field(default_factory=list)


def _display(model_field, value, related_names: dict) -> str:
    if value in (None, ""):
        return "–"
    if model_field.name in CITIZEN_ID_FIELDS:
        return citizen_id_mask(str(value))
    if isinstance(model_field, models.ForeignKey):
        return related_names.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "–"
    return str(value)


def _fields(model) -> dict[str, models.Field]:
    return {
        f.attname: f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and f.editable
    }


def _related_names(model, rows) -> dict:
    """``{(related model, pk): str}`` for every foreign key value in ``rows``."""
    wanted: dict = {}
    for attname, model_field in _fields(model).items():
        if isinstance(model_field, models.ForeignKey):
            ids = {getattr(r, attname) for r in rows} - {None}
            wanted.setdefault(model_field.related_model, set()).update(ids)
    names = {}
    for related, ids in wanted.items():
        for pk, obj in related._default_manager.in_bulk(ids).items():
            names[(related, pk)] = str(obj)
    return names


def _who(row) -> str:
    user = row.history_user
    if user is None:
        return str(_("system"))
    return user.get_full_name() or user.username


def change_history(
    model, history_rows, *, record_label=None, limit: int = DEFAULT_LIMIT
) -> list[HistoryEntry]:
    """Entries of ``history_rows`` (historical rows of ``model``), newest first.

    ``record_label(row)`` names the record in the list (default: ``str`` of
    the historical instance). Consecutive versions of the same record are
    compared field by field; a creation lists no changes.
    """
    rows = list(history_rows.select_related("history_user").order_by("history_date", "pk"))
    fields = _fields(model)
    related = _related_names(model, rows)
    by_record: dict = {}
    for row in rows:
        by_record.setdefault(row.id, []).append(row)
    entries = []
    for versions in by_record.values():
        first = versions[0]
        entries.append(_entry(first, [], record_label))
        for before, after in pairwise(versions):
            changes = [
                Change(
                    str(f.verbose_name),
                    _display(f, getattr(before, attname), related),
                    _display(f, getattr(after, attname), related),
                )
                for attname, f in fields.items()
                if getattr(before, attname) != getattr(after, attname)
            ]
            if changes or after.history_type != "~":
                entries.append(_entry(after, changes, record_label))
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]


def _entry(row, changes, record_label) -> HistoryEntry:
    return HistoryEntry(
        when=row.history_date,
        who=_who(row),
        record=record_label(row) if record_label else str(row.instance),
        kind=str(KIND_LABELS.get(row.history_type, row.history_type)),
        changes=changes,
    )


def merged(*histories: list[HistoryEntry], limit: int = DEFAULT_LIMIT) -> list[HistoryEntry]:
    """Several records' entries in one newest-first list."""
    entries = [e for history in histories for e in history]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries[:limit]

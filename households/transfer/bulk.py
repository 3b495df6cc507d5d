"""Fast bulk writes for the import, history included.

Django's ``bulk_create`` compiles every value through the ORM (≈10 µs per
value): for 10,000 households with their members, assessments and history
rows that alone is over 20 s. These helpers prepare each column's converter
once and send plain parameter lists: a multi-row ``INSERT … RETURNING`` when
the new ids are needed, ``executemany`` otherwise; on PostgreSQL ``COPY`` (with ids taken from the
table's sequence first when they are needed). They write the same rows
``bulk_create`` and simple_history's ``bulk_history_create`` would.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import connection, models

#: Parameters per statement: below SQLite's (32,766) and PostgreSQL's (65,535) limits.
MAX_PARAMS = 30_000
MAX_ROWS = 1_000
#: Rows per bulk statement (well under SQLite's limit on query parameters).
BATCH = 500


def _converter(field: models.Field):
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def _rows(fields: Sequence[models.Field], objs: Iterable, values) -> list[list]:
    converters = [_converter(f) for f in fields]
    rows = []
    for obj in objs:
        row = values(obj)
        for index, convert in enumerate(converters):
            if convert is not None and row[index] is not None:
                row[index] = convert(row[index])
        rows.append(row)
    return rows


def _insert_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert(model, objs: Sequence[models.Model], *, returning: bool = True) -> None:
    """INSERT ``objs``; with ``returning`` their new primary keys are set on them.

    ``auto_now``/``auto_now_add`` are not applied: set those values first.
    """
    if not objs:
        return
    if connection.vendor == "postgresql":
        _copy_insert(model, objs, returning=returning)
        return
    fields = _insert_fields(model)
    rows = _rows(fields, objs, lambda obj: [getattr(obj, f.attname) for f in fields])
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if not returning:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES {placeholder}", rows)
            return
        pk = quote(model._meta.pk.column)
        size = max(1, min(MAX_ROWS, MAX_PARAMS // len(fields)))
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            sql = (
                f"INSERT INTO {table} ({columns}) VALUES "
                + ", ".join([placeholder] * len(batch))
                + f" RETURNING {pk}"
            )
            cursor.execute(sql, [value for row in batch for value in row])
            for obj, (new_pk,) in zip(objs[start : start + size], cursor.fetchall(), strict=True):
                obj.pk = new_pk
                obj._state.adding = False
                obj._state.db = connection.alias


def _copy(table: str, fields: Sequence[models.Field], rows: Iterable[Sequence]) -> None:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _copy_insert(model, objs: Sequence[models.Model], *, returning: bool) -> None:
    fields = _insert_fields(model)
    if returning:
        pk = model._meta.pk
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, pk.column, len(objs)],
            )
            for obj, (new_pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = new_pk
                obj._state.adding = False
                obj._state.db = connection.alias
        fields = [pk, *fields]
    rows = _rows(fields, objs, lambda obj: [getattr(obj, f.attname) for f in fields])
    _copy(model._meta.db_table, fields, rows)


def update(model, objs: Sequence[models.Model], field_names: Sequence[str]) -> None:
    """UPDATE ``field_names`` of ``objs`` (one prepared statement, many parameter rows)."""
    if not objs:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    rows = _rows(
        [*fields, model._meta.pk],
        objs,
        lambda obj: [*(getattr(obj, f.attname) for f in fields), obj.pk],
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def insert_history(
    model, objs: Sequence[models.Model], *, user, when: datetime.datetime, change: str = "+"
) -> None:
    """The simple_history records of ``objs`` (``change``: "+" created, "~" changed)."""
    if not objs:
        return
    history = model.history.model
    fields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    fixed = {
        "history_date": when,
        "history_change_reason": None,
        "history_type": change,
        "history_user_id": getattr(user, "pk", None),
    }
    getters = [
        (lambda obj, v=fixed[f.attname]: v) if f.attname in fixed else _attr(f.attname)
        for f in fields
    ]
    rows = _rows(fields, objs, lambda obj: [get(obj) for get in getters])
    if connection.vendor == "postgresql":
        _copy(history._meta.db_table, fields, rows)
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    placeholder = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}) VALUES ({placeholder})", rows
        )


def _attr(name: str):
    return lambda obj: getattr(obj, name)


def insert_m2m_history(model, field_name: str, instance_ids: Sequence[int], *, when) -> None:
    """Snapshot the m2m links of ``instance_ids`` into the history records made at ``when``.

    simple_history stores, per historical record, a copy of the through rows;
    one INSERT … SELECT per batch joins them in the database.
    """
    if not instance_ids:
        return
    field = model._meta.get_field(field_name)
    through = field.remote_field.through
    history = model.history.model
    m2m_history = next(
        m
        for m in history._meta.apps.get_models()
        if m._meta.db_table == f"{history._meta.db_table}_{field_name}"
        or m.__name__ == f"{history.__name__}_{field_name}"
    )
    quote = connection.ops.quote_name
    source = field.m2m_column_name()
    target = field.m2m_reverse_name()
    target_history = m2m_history._meta.get_field(field.m2m_reverse_field_name()).column
    source_history = m2m_history._meta.get_field(field.m2m_field_name()).column
    pk_column = history._meta.get_field("id").column
    with connection.cursor() as cursor:
        for start in range(0, len(instance_ids), MAX_ROWS):
            batch = list(instance_ids[start : start + MAX_ROWS])
            marks = ", ".join(["%s"] * len(batch))
            cursor.execute(
                f"INSERT INTO {quote(m2m_history._meta.db_table)} "
                f"(id, {quote(source_history)}, {quote(target_history)}, history_id) "
                f"SELECT t.id, t.{quote(source)}, t.{quote(target)}, h.history_id "
                f"FROM {quote(through._meta.db_table)} t "
                f"JOIN {quote(history._meta.db_table)} h ON h.{quote(pk_column)} = t.{quote(source)} "
                f"WHERE h.history_date = %s AND t.{quote(source)} IN ({marks})",
                [connection.ops.adapt_datetimefield_value(when), *batch],
            )

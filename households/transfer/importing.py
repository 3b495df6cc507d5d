"""Import of households, members and review results from a parsed table.

``import_households`` validates every row first and lists every problem
(sheet, Excel row, column, message); nothing is written while one remains.
The write is one transaction of bulk statements, history included, and
compares values first, so importing the same file twice changes nothing.

Rules of the sheets (see also ``columns``):

* A household is found by its code in the unit its ``unit_code`` names in
  the row's year (codes are reused, so the year decides), or in a successor
  of that unit; else it is created there.
* A column missing from the header leaves the value alone. A blank cell
  clears an optional value (citizen ID, health-insurance card, village) and
  keeps a required one (name, sex, year of birth, relation).
* A row with a ``year`` is the recognised result of that year's periodic
  review: the assessment is created (status "recognised"), or updated if a
  value differs. ``status`` given: kept as the decision, and a difference
  from the computed classification is reported as a warning. Blank: the
  app classifies.
* Members on the ``members`` sheet are matched to current members by
  citizen ID, else by name and year of birth; others are added. Members not
  in the file are kept (leaving needs a date and a reason). The head's row
  (relation ``head``) completes the head named on the households sheet.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from communes.audit import AccessKind, log_access
from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with
from communes.selectors import unit_scope_ids

from ..models import Household
from ..signals import register_bulk_changed
from .planning import ImportPlanner
from .problems import CellError, ImportResult, Problem
from .reading import Table
from .writing import ImportWriter

__all__ = ["CellError", "ImportResult", "Problem", "import_households", "import_scope"]


def import_scope(actor, unit: AdministrativeUnit | None = None) -> frozenset[int] | None:
    """Units whose households ``actor`` may import (``None``: all), narrowed to
    ``unit`` and the units it took over when given. ``PermissionDenied`` if none."""
    allowed = unit_ids_with(actor, Action.IMPORT_HOUSEHOLDS)
    if unit is not None:
        if allowed is not None and unit.pk not in allowed:
            raise PermissionDenied
        covered = frozenset(unit_scope_ids(unit.pk))
        allowed = covered if allowed is None else allowed & covered
    if allowed is not None and not allowed:
        raise PermissionDenied
    return allowed


def import_households(
    table: Table,
    *,
    actor,
    unit: AdministrativeUnit | None = None,
    dry_run: bool = False,
    file_name: str = "",
    request=None,
    **log_detail,
) -> ImportResult:
    """Validate ``table`` and, unless ``dry_run`` or a problem was found, write it.

    The rows must belong to the units where ``actor`` may import households
    (``unit`` and its predecessors when given). Validation and write happen
    in one transaction, so a confirmed import never trusts an earlier preview.
    """
    unit_ids = import_scope(actor, unit)
    with transaction.atomic():
        planner = ImportPlanner(table, actor=actor, unit_ids=unit_ids)
        result = planner.plan()
        result.problems.sort(key=lambda p: (p.sheet != table.households.name, p.row or 0))
        result.warnings.sort(key=lambda p: p.row or 0)
        if dry_run or result.problems:
            return result
        ImportWriter(planner).write()
        result.saved = True
        units = {p.unit for p in planner.households.values()}
        if result.changes:
            unit_ids = frozenset(u.pk for u in units)
            transaction.on_commit(
                lambda: register_bulk_changed.send(sender=Household, unit_ids=unit_ids, actor=actor)
            )
        log_access(
            request,
            AccessKind.IMPORT,
            user=actor,
            unit=unit or (next(iter(units)) if len(units) == 1 else None),
            label=file_name,
            rows=result.rows,
            file=file_name,
            created=result.households["created"],
            updated=result.households["updated"],
            unchanged=result.households["unchanged"],
            counts=result.summary(),
            **log_detail,
        )
    return result

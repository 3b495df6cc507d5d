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
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communes.audit import AccessKind, log_access
from communes.models import AdministrativeUnit
from communes.permissions import Action, unit_ids_with
from communes.selectors import unit_scope_ids

from ..models import ConfirmedImport, ConflictSource, Household
from ..services.conflicts import record_citizen_id_conflicts
from ..signals import register_bulk_changed
from .planning import ImportPlanner
from .problems import CellError, ImportResult, Problem
from .reading import RowCounter, Table
from .versions import Snapshot, check_unchanged, read_snapshot
from .writing import ImportWriter

#: PostgreSQL's answer when two transactions wait on each other (deadlock, serialisation).
RETRY_STATES = {"40001", "40P01"}

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
    sha256: str = "",
    expected: Snapshot | None = None,
    request=None,
    progress: RowCounter | None = None,
    **log_detail,
) -> ImportResult:
    """Validate ``table`` and, unless ``dry_run`` or a problem was found, write it.

    The rows must belong to the units where ``actor`` may import households
    (``unit`` and its predecessors when given). Validation and write happen
    in one transaction, so a confirmed import never trusts an earlier preview;
    the rows it matched are locked and must be as they were when read, and as
    the preview saw them (``expected``: the preview's ``result.snapshot``).
    ``sha256`` (of the file's bytes): a file already imported is refused, and
    of two confirmations of the same file at the same moment only one is saved.
    ``progress`` is told how many rows have been checked, as checking goes.
    """
    unit_ids = import_scope(actor, unit)
    arguments = {
        "actor": actor,
        "unit": unit,
        "unit_ids": unit_ids,
        "dry_run": dry_run,
        "file_name": file_name,
        "sha256": sha256,
        "expected": expected,
        "request": request,
        "progress": progress,
        "log_detail": log_detail,
    }
    try:
        if dry_run:
            # A dry run only reads: no transaction, so a background job's progress
            # (rows checked so far) shows while it checks.
            result = _import(table, **arguments)
        else:
            with transaction.atomic():
                result = _import(table, **arguments)
    except (IntegrityError, OperationalError) as error:
        if isinstance(error, OperationalError) and (
            getattr(error.__cause__, "sqlstate", None) not in RETRY_STATES
        ):
            raise
        # Another import or an edit wrote some of the same records at the same moment.
        return _refused(
            table,
            _(
                "Another import or an edit saved some of these households at the same moment. "
                "Nothing was saved: preview the file again."
            ),
        )
    if result.conflicts:
        # After the import's transaction, which a refused confirmation rolled back.
        record_citizen_id_conflicts(
            actor=actor, conflicts=result.conflicts, source=ConflictSource.IMPORT
        )
    return result


def _refused(table: Table, message: str) -> ImportResult:
    result = ImportResult(rows=len(table.households.rows))
    result.problems.append(Problem(table.households.name, None, "", "", message))
    return result


def _claim_file(table: Table, *, actor, unit, sha256: str, file_name: str, dry_run: bool):
    """``None`` if the file may be imported (and, unless ``dry_run``, claims it), else
    the refusal."""
    first = ConfirmedImport.objects.filter(sha256=sha256).select_related("user").first()
    if first is not None:
        who = first.user
        return _refused(
            table,
            _(
                "This file was already imported on %(when)s by %(who)s. A file is imported "
                "only once: nothing was saved. To change the households again, export them, "
                "edit the export and import that file."
            )
            % {
                "when": date_format(
                    timezone.localtime(first.confirmed_at), "SHORT_DATETIME_FORMAT"
                ),
                "who": (who.get_full_name() or who.username) if who else _("another user"),
            },
        )
    if dry_run:
        return None
    try:
        with transaction.atomic():
            # Waits for a concurrent confirmation of the same file, then fails.
            ConfirmedImport.objects.create(
                sha256=sha256, file_name=file_name[:200], unit=unit, user=actor
            )
    except IntegrityError:
        return _refused(
            table,
            _(
                "This file has just been imported by someone else. Nothing was saved: "
                "open the households list to see the result."
            ),
        )
    return None


def _import(
    table,
    *,
    actor,
    unit,
    unit_ids,
    dry_run,
    file_name,
    sha256,
    expected,
    request,
    progress,
    log_detail,
) -> ImportResult:
    if sha256:
        refusal = _claim_file(
            table, actor=actor, unit=unit, sha256=sha256, file_name=file_name, dry_run=dry_run
        )
        if refusal is not None:
            return refusal
    planner = ImportPlanner(table, actor=actor, unit_ids=unit_ids, progress=progress)
    result = planner.plan()
    if not result.problems:
        if dry_run:
            result.snapshot = read_snapshot(planner)
        else:
            check_unchanged(planner, expected)
    result.problems.sort(key=lambda p: (p.sheet != table.households.name, p.row or 0))
    result.warnings.sort(key=lambda p: p.row or 0)
    if dry_run or result.problems:
        if result.problems and not dry_run:
            # Nothing is saved, not even the file's claim: it may be confirmed once corrected.
            transaction.set_rollback(True)
        return result
    ImportWriter(planner).write()
    result.saved = True
    units = {p.unit for p in planner.households.values()}
    if result.changes:
        changed_units = frozenset(u.pk for u in units)
        transaction.on_commit(
            lambda: register_bulk_changed.send(
                sender=Household, unit_ids=changed_units, actor=actor
            )
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
        **({"sha256": sha256} if sha256 else {}),
        **log_detail,
    )
    return result

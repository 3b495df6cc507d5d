"""The access log: one function writes it, nobody edits it.

Call ``log_access`` wherever personal data leaves the database for a person:
a household page, a revealed citizen ID, a named list, an export, an import
or a report download. The request gives who and from where; commands pass
``user`` and no request.
"""

from __future__ import annotations

from .models import AccessKind, AccessLog

__all__ = ["AccessKind", "client_ip", "log_access"]


def client_ip(request) -> str | None:
    """The client's address as axes sees it (honours AXES_IPWARE_PROXY_COUNT)."""
    if request is None:
        return None
    ip = getattr(request, "axes_ip_address", None)
    if not ip:
        ip = request.META.get("REMOTE_ADDR") or None
    return ip


def log_access(
    request,
    kind: AccessKind,
    *,
    user=None,
    unit=None,
    household=None,
    label: str = "",
    rows: int | None = None,
    units=(),
    **detail,
) -> AccessLog:
    """Append one entry. ``household`` fills the unit and label when not given.

    ``units``: ids (or units) of every unit the exported rows belong to; when
    they are one unit and ``unit`` is not given, that unit is the entry's unit.
    """
    if user is None and request is not None:
        user = request.user
    if household is not None:
        unit = unit if unit is not None else household.unit
        label = label or household.code
    unit_ids = sorted({getattr(u, "pk", u) for u in units})
    if unit is None and len(unit_ids) == 1:
        unit = unit_ids[0]
    entry = AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind,
        ip_address=client_ip(request),
        path=(request.get_full_path()[:500] if request is not None else ""),
        unit_id=getattr(unit, "pk", unit),
        household_id=getattr(household, "pk", None),
        label=label[:300],
        rows=rows,
        detail=detail,
    )
    if unit_ids:
        entry.units.set(unit_ids)
    return entry

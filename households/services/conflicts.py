"""Citizen IDs held in another ward: a neutral answer, a record, a resolution by the city.

An officer who types a citizen ID that a current member of a household in a
ward they do not see already holds must not learn that this person is on the
poverty register. The services answer only that the number cannot be used
here and ask them to contact the city; the attempt is recorded as a
``CitizenIdConflict`` (outside the refused write's transaction, so it stays),
and the city staff resolve it with both wards.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.permissions import Action, has_perm

from ..models import CitizenIdConflict, ConflictSource


def elsewhere_message() -> str:
    return _(
        "This citizen ID cannot be used here. Please contact the city committee, "
        "which will check the number with the ward concerned."
    )


@dataclass(frozen=True)
class Conflict:
    citizen_id: str
    attempted_unit: AdministrativeUnit
    attempted_household_code: str
    existing_unit_id: int
    existing_household_code: str


class CitizenIdElsewhere(ValidationError):
    """The citizen ID is held in a unit the actor does not see (``conflict`` says where)."""

    def __init__(self, conflict: Conflict, field: str = "citizen_id"):
        super().__init__({field: elsewhere_message()})
        self.conflict = conflict


def _conflict_of(error: BaseException | None) -> Conflict | None:
    while error is not None:
        if isinstance(error, CitizenIdElsewhere):
            return error.conflict
        error = error.__cause__ or error.__context__
    return None


def record_citizen_id_conflicts(*, actor, conflicts, source: str) -> None:
    """One open record per citizen ID and unit tried; a repeated attempt counts on it."""
    for conflict in conflicts:
        with transaction.atomic():
            existing = (
                CitizenIdConflict.objects.select_for_update()
                .filter(
                    citizen_id=conflict.citizen_id,
                    attempted_unit=conflict.attempted_unit,
                    resolved_at__isnull=True,
                )
                .first()
            )
            if existing is not None:
                CitizenIdConflict.objects.filter(pk=existing.pk).update(
                    attempts=F("attempts") + 1,
                    attempted_by=actor,
                    last_attempt_at=timezone.now(),
                )
                continue
            CitizenIdConflict.objects.create(
                citizen_id=conflict.citizen_id,
                attempted_unit=conflict.attempted_unit,
                attempted_household_code=conflict.attempted_household_code[:30],
                attempted_by=actor,
                source=source,
                existing_unit_id=conflict.existing_unit_id,
                existing_household_code=conflict.existing_household_code,
            )


def records_id_conflicts(service):
    """Wrap a register service: a ``CitizenIdElsewhere`` it raises is recorded, then re-raised."""

    @functools.wraps(service)
    def wrapper(*args, actor, **kwargs):
        try:
            return service(*args, actor=actor, **kwargs)
        except ValidationError as error:
            conflict = _conflict_of(error)
            if conflict is not None:
                record_citizen_id_conflicts(
                    actor=actor, conflicts=[conflict], source=ConflictSource.FORM
                )
            raise

    return wrapper


@transaction.atomic
def resolve_citizen_id_conflict(
    *, actor, conflict: CitizenIdConflict, resolution: str
) -> CitizenIdConflict:
    """Close a conflict, saying how it was settled (e.g. "wrong digit, corrected in X")."""
    if not has_perm(actor, Action.RESOLVE_ID_CONFLICTS):
        raise PermissionDenied
    if conflict.is_resolved:
        raise ValidationError(_("This conflict has already been resolved."))
    resolution = resolution.strip()
    if not resolution:
        raise ValidationError({"resolution": _("Say how the conflict was resolved.")})
    conflict.resolution = resolution[:500]
    conflict.resolved_by = actor
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["resolution", "resolved_by", "resolved_at"])
    return conflict

"""Writes of case responsibility: assigning households to committee members.

The seed article asks each committee member to carry named
responsibilities: the ward head assigns every poor and near-poor household
(a *case*) to a member, who then owns it and, usually, its plan actions.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from communes.selectors import today
from households.models import Household

from ..case_selectors import is_assignable
from ..models import OPEN_ACTION_STATUSES, PlanAction
from ..permissions import can_assign_cases


@transaction.atomic
def case_assign(
    *, actor, households: list[Household], member, move_open_actions: bool = True
) -> int:
    """Make ``member`` responsible for ``households`` (``None``: nobody); all or nothing.

    The actor must be allowed to assign cases in the unit of every household
    (``PermissionDenied``), and ``member`` must hold an active ward role in
    the committee of each household's current unit (``ValidationError`` on
    ``"member"``). With ``move_open_actions`` the open plan actions that the
    previous assignee owned follow the case to ``member``.

    Every changed household and action gets a history record attributed to
    ``actor``. Returns the number of households whose assignee changed.
    """
    if not households:
        raise ValidationError({"households": _("Choose at least one household.")})
    for household in households:
        if not can_assign_cases(actor, household.unit):
            raise PermissionDenied
    if member is not None:
        day = today()
        for unit in {h.unit_id: h.unit for h in households}.values():
            if not is_assignable(member, unit, day):
                raise ValidationError(
                    {
                        "member": _("%(name)s is not a member of this ward's steering committee.")
                        % {"name": member.get_full_name() or member.username}
                    }
                )

    # Re-read under lock: the previous assignee is the one in the database now.
    locked = list(Household.objects.select_for_update().filter(pk__in=[h.pk for h in households]))
    new_id = member.pk if member is not None else None
    changed = [h for h in locked if h.assigned_to_id != new_id]
    if not changed:
        return 0
    now = timezone.now()
    if move_open_actions:
        _move_open_actions(actor=actor, households=changed, new_id=new_id, now=now)
    for household in changed:
        household.assigned_to_id = new_id
        household.updated_at = now
    bulk_update_with_history(
        changed, Household, ["assigned_to", "updated_at"], default_user=actor, default_date=now
    )
    return len(changed)


def _move_open_actions(*, actor, households: list[Household], new_id, now) -> None:
    """Hand the open actions the previous assignee owned on ``households`` to ``new_id``."""
    previous = {h.pk: h.assigned_to_id for h in households}
    actions = [
        action
        for action in PlanAction.objects.select_for_update()
        .filter(plan__household_id__in=previous, status__in=OPEN_ACTION_STATUSES)
        .select_related("plan")
        if action.responsible_id == previous[action.plan.household_id]
        and action.responsible_id != new_id
    ]
    for action in actions:
        action.responsible_id = new_id
        action.updated_at = now
    if actions:
        bulk_update_with_history(
            actions, PlanAction, ["responsible", "updated_at"], default_user=actor, default_date=now
        )

"""What exit plans say about household events (registered in ``PlansConfig.ready``).

A household with open plan actions does not move to another ward: the
actions are owned by the sending ward's committee members, so they are
finished or dropped (with the reason) first and the receiving ward makes its
own plan. A split or a merge only warns: the plan stays with the household it
was made for.
"""

from __future__ import annotations

from django.utils.translation import ngettext

from households.models import Household

from .models import OPEN_ACTION_STATUSES, PlanAction


def _open_actions(household: Household) -> int:
    return PlanAction.objects.filter(
        plan__household=household, status__in=OPEN_ACTION_STATUSES
    ).count()


def open_plan_blocks_transfer(household: Household) -> list[str]:
    count = _open_actions(household)
    if not count:
        return []
    return [
        ngettext(
            "Its exit plan has %(count)d open action, owned by this ward's committee: "
            "finish it or drop it with the reason first.",
            "Its exit plan has %(count)d open actions, owned by this ward's committee: "
            "finish them or drop them with the reason first.",
            count,
        )
        % {"count": count}
    ]


def open_plan_warning(household: Household) -> list[str]:
    count = _open_actions(household)
    if not count:
        return []
    return [
        ngettext(
            "Household %(code)s has %(count)d open plan action; it stays with that household.",
            "Household %(code)s has %(count)d open plan actions; they stay with that household.",
            count,
        )
        % {"code": household.code, "count": count}
    ]


def register() -> None:
    from households.services import events

    if open_plan_blocks_transfer not in events.TRANSFER_BLOCKERS:
        events.TRANSFER_BLOCKERS.append(open_plan_blocks_transfer)
    if open_plan_warning not in events.EVENT_WARNINGS:
        events.EVENT_WARNINGS.append(open_plan_warning)

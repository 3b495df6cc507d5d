"""Household events: split, merge, change of head, member events, moves between wards.

Each event has a ``*_preview`` function that checks everything the event
checks and returns what it will change (the confirmation page shows it), and
the event itself, which re-runs the same checks inside its transaction and
writes everything or nothing. Every event writes ``HouseholdEvent`` rows on
the households' timelines; members who leave keep their row (``left_on``),
members who arrive get a new row (``joined_on``), so a past year's members
stay as they were. Assessments, plans and support keep pointing at the
household they were made for.

Other apps add checks through ``TRANSFER_BLOCKERS`` and ``EVENT_WARNINGS``
(households does not import plans): ``plans`` registers the open-plan rule.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.permissions import Action, has_perm, require

from ..household_years import sync_household_years
from ..models import (
    Assessment,
    AssessmentStatus,
    EventKind,
    HeadChangeReason,
    Household,
    HouseholdEvent,
    HouseholdTransfer,
    Member,
    Relation,
    TransferStatus,
)
from ..permissions import can_accept_transfer, can_edit_household
from .common import claim_version, with_actor
from .conflicts import records_id_conflicts
from .registry import (
    PERSONAL_FIELDS,
    _check_code,
    _check_relation,
    _check_unknown,
    _check_village,
    _normalise,
    _save_member,
    _validate_member,
    refresh_search_text,
)

#: ``check(household) -> list of reasons`` that refuse a move to another ward.
TRANSFER_BLOCKERS: list[Callable[[Household], list[str]]] = []
#: ``check(household) -> list of notes`` shown on the confirmation of a split or merge.
EVENT_WARNINGS: list[Callable[[Household], list[str]]] = []
#: ``hook(household_ids)`` run after every event, inside its transaction
#: (read models that must follow the register).
AFTER_EVENT: list[Callable[[list[int]], None]] = []


@dataclass
class Preview:
    """What an event will change, for its confirmation page."""

    changes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _names(members) -> str:
    return ", ".join(m.full_name for m in members)


def _after(*households: Household) -> None:
    ids = [h.pk for h in households]
    # A move or a merge names why a listed household has no decision (HouseholdYear).
    sync_household_years(household_ids=ids)
    for hook in AFTER_EVENT:
        hook(ids)


def _warnings(*households: Household) -> list[str]:
    return [
        note for household in households for check in EVENT_WARNINGS for note in check(household)
    ]


def _check_date(on: datetime.date, name: str = "on") -> None:
    if on is None:
        raise ValidationError({name: _("Enter the date.")})
    if on > timezone.localdate():
        raise ValidationError({name: _("The date cannot be in the future.")})


def _check_active(household: Household, name: str | None = None) -> None:
    """Refuse events on a closed household or one whose move is being decided."""
    if household.closed_on is not None:
        message = _("Household %(code)s was closed on %(day)s.") % {
            "code": household.code,
            "day": _day(household.closed_on),
        }
        raise ValidationError({name: message} if name else message)
    pending = household.transfers.filter(status=TransferStatus.PROPOSED).select_related("to_unit")
    transfer = pending.first()
    if transfer is not None:
        message = _(
            "Household %(code)s has a move to %(unit)s waiting for the receiving ward's "
            "decision: withdraw it first."
        ) % {"code": household.code, "unit": transfer.to_unit.name}
        raise ValidationError({name: message} if name else message)


def _current_members(household: Household) -> dict[int, Member]:
    return {m.pk: m for m in household.members.filter(left_on__isnull=True).order_by("pk")}


def _record(actor, household: Household, kind: str, on: datetime.date, **fields) -> HouseholdEvent:
    return HouseholdEvent.objects.create(
        household=household, kind=kind, occurred_on=on, recorded_by=actor, **fields
    )


def _transfer_people(actor, people, *, to: Household, on: datetime.date, reason: str, head=None):
    """Close the rows of ``people`` on ``on`` and open rows with the same personal data
    in ``to`` (``head`` becomes its head, the others relation "other")."""
    for person in people:
        person.left_on = on
        person.left_reason = reason
        with_actor(person, actor).save(update_fields=["left_on", "left_reason", "updated_at"])
    new_head = None
    for person in people:
        moved = Member(
            household=to,
            relation=Relation.HEAD if person == head else Relation.OTHER,
            joined_on=on,
            **{name: getattr(person, name) for name in PERSONAL_FIELDS},
        )
        _save_member(actor, moved)
        if person == head:
            new_head = moved
    return new_head


# --- Split -----------------------------------------------------------------------


def _check_split(
    actor, household, *, members, new_head, code, village, remaining_head, on, address=""
) -> tuple[list[Member], bool]:
    require(can_edit_household(actor, household))
    _check_active(household)
    _check_date(on)
    current = _current_members(household)
    chosen = [current[m.pk] for m in members if m.pk in current]
    if not chosen or len(chosen) != len(members):
        raise ValidationError(
            {"members": _("Choose the current members who form the new household.")}
        )
    if len(chosen) == len(current):
        raise ValidationError(
            {
                "members": _("At least one member must stay in household %(code)s.")
                % {"code": household.code}
            }
        )
    chosen_ids = {m.pk for m in chosen}
    if new_head is None or new_head.pk not in chosen_ids:
        raise ValidationError(
            {"new_head": _("The head of the new household must be one of the members who leave.")}
        )
    head_leaves = household.head_id is None or household.head_id in chosen_ids
    if head_leaves:
        if remaining_head is None:
            raise ValidationError(
                {
                    "remaining_head": _(
                        "Household %(code)s would be left without a head: choose its new "
                        "head among the members who stay."
                    )
                    % {"code": household.code}
                }
            )
        if remaining_head.pk not in current or remaining_head.pk in chosen_ids:
            raise ValidationError(
                {"remaining_head": _("The new head must be one of the members who stay.")}
            )
    _check_village(household.unit, village)
    _check_code(household.unit, (code or "").strip())
    return chosen, head_leaves


def split_preview(actor, household: Household, **data) -> Preview:
    chosen, head_leaves = _check_split(actor, household, **data)
    village = data["village"] or household.village
    preview = Preview(
        changes=[
            _("New household %(code)s in %(unit)s%(village)s, head %(head)s.")
            % {
                "code": data["code"].strip(),
                "unit": household.unit.name,
                "village": f", {village.name}" if village else "",
                "head": data["new_head"].full_name,
            },
            _("%(names)s leave household %(code)s on %(day)s and join the new household.")
            % {"names": _names(chosen), "code": household.code, "day": _day(data["on"])},
        ],
        warnings=_warnings(household),
    )
    if head_leaves:
        preview.changes.append(
            _("%(name)s becomes the head of household %(code)s.")
            % {"name": data["remaining_head"].full_name, "code": household.code}
        )
    preview.changes.append(
        _(
            "Household %(code)s keeps its record, its assessments, plans and support; the new "
            "household starts without any and is counted from its first review."
        )
        % {"code": household.code}
    )
    return preview


@transaction.atomic
def household_split(
    *,
    actor,
    household: Household,
    members: list[Member],
    new_head: Member,
    code: str,
    village: AdministrativeUnit | None,
    on: datetime.date,
    address: str = "",
    remaining_head: Member | None = None,
    version: int | None = None,
) -> Household:
    """``members`` leave ``household`` on ``on`` to form a new household ``code``
    (same ward, ``village`` or the original's) headed by ``new_head``. Returns it."""
    Household.objects.select_for_update().filter(pk=household.pk).first()
    chosen, head_leaves = _check_split(
        actor,
        household,
        members=members,
        new_head=new_head,
        code=code,
        village=village,
        remaining_head=remaining_head,
        on=on,
    )
    claim_version(household, version)
    new = Household(
        unit=household.unit,
        village=village or household.village,
        code=code.strip(),
        address=address.strip() or household.address,
        is_ethnic_minority=household.is_ethnic_minority,
        assigned_to=household.assigned_to,
    )
    new._change_reason = _("Split from household %(code)s") % {"code": household.code}
    with_actor(new, actor).save()
    reason = _("Left to form household %(code)s") % {"code": new.code}
    new.head = _transfer_people(actor, chosen, to=new, on=on, reason=reason, head=new_head)
    with_actor(new, actor).save(update_fields=["head", "updated_at"])
    update = ["version", "updated_at"]
    if head_leaves:
        remaining_head.relation = Relation.HEAD
        with_actor(remaining_head, actor).save(update_fields=["relation", "updated_at"])
        household.head = remaining_head
        update.append("head")
    household._change_reason = reason
    with_actor(household, actor).save(update_fields=update)
    people = [m.full_name for m in chosen]
    _record(actor, household, EventKind.SPLIT, on, other_household=new, people=people)
    _record(actor, new, EventKind.SPLIT_FROM, on, other_household=household, people=people)
    refresh_search_text(household)
    refresh_search_text(new)
    _after(household, new)
    return new


# --- Merge -------------------------------------------------------------------------


def _check_merge(actor, household: Household, other: Household | None, on) -> None:
    require(can_edit_household(actor, household))
    _check_active(household)
    if other is None:
        raise ValidationError({"other_code": _("No household with this code in this ward.")})
    if other.pk == household.pk:
        raise ValidationError({"other_code": _("A household cannot merge with itself.")})
    # The unit's right, not can_edit_household: a closed ``other`` gets its reason below.
    require(has_perm(actor, Action.EDIT_HOUSEHOLDS, other.unit))
    if other.unit_id != household.unit_id:
        raise ValidationError(
            {
                "other_code": _(
                    "Household %(other)s is registered in %(other_unit)s and household "
                    "%(code)s in %(unit)s: only households of the same ward merge. Move it "
                    "to this ward first."
                )
                % {
                    "other": other.code,
                    "other_unit": other.unit.name,
                    "code": household.code,
                    "unit": household.unit.name,
                }
            }
        )
    _check_active(other, "other_code")
    # A closed household's survey would stay in the review undecided for ever.
    pending = _undecided(other).first()
    if pending is not None:
        raise ValidationError(
            {
                "other_code": _(
                    "Household %(code)s is in the %(year)s review of %(unit)s and not decided "
                    "yet: decide or refuse that assessment before it is merged."
                )
                % {"code": other.code, "year": pending.year, "unit": pending.unit.name}
            }
        )
    _check_date(on)


def merge_preview(actor, household: Household, *, other: Household | None, on) -> Preview:
    _check_merge(actor, household, other, on)
    people = list(_current_members(other).values())
    return Preview(
        changes=[
            _("%(names)s leave household %(other)s on %(day)s and join household %(code)s.")
            % {
                "names": _names(people) or "–",
                "other": other.code,
                "day": _day(on),
                "code": household.code,
            },
            _(
                "Household %(other)s is closed, with a reference to %(code)s; its assessments, "
                "plans and support stay with it."
            )
            % {"other": other.code, "code": household.code},
            _("%(head)s stays the head of household %(code)s; check the relations afterwards.")
            % {
                "head": household.head.full_name if household.head_id else "–",
                "code": household.code,
            },
        ],
        warnings=_warnings(other),
    )


@transaction.atomic
def household_merge(
    *,
    actor,
    household: Household,
    other: Household | None,
    on: datetime.date,
    version: int | None = None,
) -> Household:
    """``other``'s current members join ``household`` on ``on``; ``other`` is closed.

    ``other`` is ``None`` when the code typed names no household of the ward
    (a ``ValidationError`` on ``other_code``, as on the preview).
    """
    locked = [h.pk for h in (household, other) if h is not None]
    Household.objects.select_for_update().filter(pk__in=locked).count()
    _check_merge(actor, household, other, on)
    claim_version(household, version)
    claim_version(other, None)
    people = list(_current_members(other).values())
    reason = _("Merged into household %(code)s") % {"code": household.code}
    _transfer_people(actor, people, to=household, on=on, reason=reason)
    other.closed_on = on
    other.merged_into = household
    other._change_reason = reason
    with_actor(other, actor).save(
        update_fields=["closed_on", "merged_into", "version", "updated_at"]
    )
    household._change_reason = _("Took in household %(code)s") % {"code": other.code}
    with_actor(household, actor).save(update_fields=["version", "updated_at"])
    names = [m.full_name for m in people]
    _record(actor, household, EventKind.MERGE, on, other_household=other, people=names)
    _record(actor, other, EventKind.MERGED_INTO, on, other_household=household, people=names)
    refresh_search_text(household)
    refresh_search_text(other)
    _after(household, other)
    return household


# --- Change of head ------------------------------------------------------------------


def _check_head_change(actor, household, new_head, reason, on) -> None:
    require(can_edit_household(actor, household))
    _check_active(household)
    _check_date(on)
    if reason not in HeadChangeReason.values:
        raise ValidationError({"reason": _("Choose the reason for the change.")})
    if new_head is None or new_head.household_id != household.pk or not new_head.is_current:
        raise ValidationError(
            {"new_head": _("Only a current member of this household can become its head.")}
        )
    if new_head.pk == household.head_id:
        raise ValidationError({"new_head": _("This member is already the head.")})


def head_change_preview(actor, household, *, new_head, reason, on, note="") -> Preview:
    _check_head_change(actor, household, new_head, reason, on)
    changes = [
        _("%(name)s becomes the head of household %(code)s on %(day)s.")
        % {"name": new_head.full_name, "code": household.code, "day": _day(on)}
    ]
    former = household.head
    if former is not None:
        if reason == HeadChangeReason.AGREEMENT:
            changes.append(
                _("%(name)s stays a member (relation “other”: review the relations).")
                % {"name": former.full_name}
            )
        else:
            changes.append(
                _("%(name)s leaves the household on %(day)s (%(reason)s).")
                % {
                    "name": former.full_name,
                    "day": _day(on),
                    "reason": HeadChangeReason(reason).label,
                }
            )
    return Preview(changes=changes)


@transaction.atomic
def household_change_head(
    *,
    actor,
    household: Household,
    new_head: Member,
    reason: str,
    on: datetime.date,
    note: str = "",
    version: int | None = None,
) -> Household:
    """Make ``new_head`` the head; the former head leaves (death, moved out) or stays."""
    _check_head_change(actor, household, new_head, reason, on)
    claim_version(household, version)
    former = household.head
    if former is not None:
        if reason == HeadChangeReason.AGREEMENT:
            former.relation = Relation.OTHER
            with_actor(former, actor).save(update_fields=["relation", "updated_at"])
        else:
            former.left_on = on
            former.left_reason = str(HeadChangeReason(reason).label)
            with_actor(former, actor).save(update_fields=["left_on", "left_reason", "updated_at"])
    new_head.relation = Relation.HEAD
    with_actor(new_head, actor).save(update_fields=["relation", "updated_at"])
    household.head = new_head
    household._change_reason = _("Change of head: %(reason)s") % {
        "reason": HeadChangeReason(reason).label
    }
    with_actor(household, actor).save(update_fields=["head", "version", "updated_at"])
    _record(
        actor,
        household,
        EventKind.HEAD_CHANGE,
        on,
        member=new_head,
        former_head=former,
        head_change_reason=reason,
        note=note.strip(),
    )
    refresh_search_text(household)
    _after(household)
    return household


# --- Member events -----------------------------------------------------------------------

LEAVING_KINDS = (EventKind.MEMBER_DIED, EventKind.MEMBER_MOVED_OUT)
JOINING_KINDS = (EventKind.MEMBER_BORN, EventKind.MEMBER_JOINED)


@transaction.atomic
def member_record_leaving(
    *, actor, member: Member, kind: str, on: datetime.date, note: str = ""
) -> Member:
    """A member died or moved out of the ward on ``on``; the row stays as history."""
    household = member.household
    require(can_edit_household(actor, household))
    if kind not in LEAVING_KINDS:
        raise ValidationError({"kind": _("Choose what happened.")})
    if not member.is_current:
        raise ValidationError(_("This person is no longer a current member."))
    if household.head_id == member.pk:
        raise ValidationError(
            _(
                "%(name)s is the head of household: record a change of head (with the "
                "reason) instead."
            )
            % {"name": member.full_name}
        )
    _check_date(on)
    if member.joined_on and on < member.joined_on:
        raise ValidationError({"on": _("The date is before the member joined the household.")})
    member.left_on = on
    member.left_reason = str(EventKind(kind).label)
    with_actor(member, actor).save(update_fields=["left_on", "left_reason", "updated_at"])
    _record(actor, household, kind, on, member=member, note=note.strip())
    refresh_search_text(household)
    _after(household)
    return member


@records_id_conflicts
@transaction.atomic
def member_record_joining(
    *, actor, household: Household, kind: str, on: datetime.date, note: str = "", **fields
) -> Member:
    """A child born (``on`` is the date of birth) or a person who joined on ``on``."""
    require(can_edit_household(actor, household))
    if kind not in JOINING_KINDS:
        raise ValidationError({"kind": _("Choose what happened.")})
    _check_unknown(fields, (*PERSONAL_FIELDS, "relation"))
    _check_date(on)
    fields = _normalise(fields)
    if kind == EventKind.MEMBER_BORN:
        fields["birth_date"] = on
        fields["birth_year"] = on.year
    member = Member(household=household, joined_on=on, **fields)
    _check_relation(household, member.relation)
    if member.relation == Relation.HEAD:
        raise ValidationError({"relation": _("Use “Change of head” to change the head.")})
    _validate_member(actor, member)
    _save_member(actor, member)
    _record(actor, household, kind, on, member=member, note=note.strip())
    refresh_search_text(household)
    _after(household)
    return member


# --- Moves to another ward ------------------------------------------------------------------


def _undecided(household: Household):
    """``household``'s assessments of a review not decided yet."""
    return (
        Assessment.objects.filter(household=household)
        .exclude(status__in=(AssessmentStatus.RECOGNISED, AssessmentStatus.REFUSED))
        .select_related("unit")
    )


def transfer_blockers(household: Household) -> list[str]:
    """Why ``household`` cannot move now (empty: it can)."""
    reasons = []
    for assessment in _undecided(household):
        reasons.append(
            _(
                "It is in the %(year)s review of %(unit)s and not decided yet: decide or "
                "refuse that assessment first."
            )
            % {"year": assessment.year, "unit": assessment.unit.name}
        )
    for check in TRANSFER_BLOCKERS:
        reasons.extend(check(household))
    return reasons


def _check_transfer(actor, household: Household, to_unit, moving_on) -> None:
    require(can_edit_household(actor, household))
    _check_active(household)
    today = timezone.localdate()
    if (
        to_unit is None
        or not to_unit.is_grassroots
        or not to_unit.is_valid_on(today)
        or to_unit.pk == household.unit_id
    ):
        raise ValidationError({"to_unit": _("Choose another current ward or commune.")})
    if moving_on is None:
        raise ValidationError({"moving_on": _("Enter the date.")})
    last = (
        Assessment.objects.filter(household=household, status=AssessmentStatus.RECOGNISED)
        .exclude(decision_date__isnull=True)
        .order_by("-decision_date")
        .values_list("decision_date", flat=True)
        .first()
    )
    if last is not None and moving_on <= last:
        raise ValidationError(
            {
                "moving_on": _(
                    "The household was decided in %(unit)s's review on %(day)s: the move "
                    "can only take effect after that day."
                )
                % {"unit": household.unit.name, "day": _day(last)}
            }
        )
    reasons = transfer_blockers(household)
    if reasons:
        raise ValidationError(
            [_("Household %(code)s cannot move yet.") % {"code": household.code}, *reasons]
        )


def transfer_preview(actor, household: Household, *, to_unit, moving_on, reason) -> Preview:
    _check_transfer(actor, household, to_unit, moving_on)
    return Preview(
        changes=[
            _(
                "%(to)s's committee head is asked to accept household %(code)s, moving on "
                "%(day)s. Until then the household stays with %(from)s."
            )
            % {
                "to": to_unit.name,
                "code": household.code,
                "day": _day(moving_on),
                "from": household.unit.name,
            },
            _(
                "Once accepted, the household, its members, history, assessments, plans and "
                "support belong to %(to)s; past reports of %(from)s do not change."
            )
            % {"to": to_unit.name, "from": household.unit.name},
        ]
    )


@transaction.atomic
def transfer_propose(
    *,
    actor,
    household: Household,
    to_unit: AdministrativeUnit,
    moving_on: datetime.date,
    reason: str,
) -> HouseholdTransfer:
    Household.objects.select_for_update().filter(pk=household.pk).first()
    _check_transfer(actor, household, to_unit, moving_on)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the move.")})
    transfer = HouseholdTransfer(
        household=household,
        from_unit=household.unit,
        to_unit=to_unit,
        moving_on=moving_on,
        reason=reason,
        proposed_by=actor,
    )
    with_actor(transfer, actor).save()
    return transfer


def _lock_open(transfer: HouseholdTransfer) -> None:
    locked = HouseholdTransfer.objects.select_for_update().get(pk=transfer.pk)
    if locked.status != TransferStatus.PROPOSED:
        raise ValidationError(
            _("This move was already decided: %(status)s.")
            % {"status": locked.get_status_display()}
        )


@transaction.atomic
def transfer_cancel(*, actor, transfer: HouseholdTransfer) -> HouseholdTransfer:
    """The sending ward withdraws its proposal."""
    require(can_edit_household(actor, transfer.household))
    _lock_open(transfer)
    transfer.status = TransferStatus.CANCELLED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    with_actor(transfer, actor).save()
    return transfer


@transaction.atomic
def transfer_refuse(*, actor, transfer: HouseholdTransfer, reason: str) -> HouseholdTransfer:
    """The receiving ward's head refuses, in writing with the reason."""
    require(can_accept_transfer(actor, transfer.to_unit))
    _lock_open(transfer)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the refusal.")})
    transfer.status = TransferStatus.REFUSED
    transfer.refusal_reason = reason
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    with_actor(transfer, actor).save()
    return transfer


def accept_preview(actor, transfer: HouseholdTransfer, *, code, village) -> Preview:
    _check_accept(actor, transfer, code, village)
    household = transfer.household
    return Preview(
        changes=[
            _("Household %(old)s of %(from)s becomes household %(code)s of %(to)s%(village)s.")
            % {
                "old": household.code,
                "from": transfer.from_unit.name,
                "code": code.strip(),
                "to": transfer.to_unit.name,
                "village": f", {village.name}" if village else "",
            },
            _(
                "Its members, history, assessments, plans and support come with it; the "
                "committee member of %(from)s no longer follows it: assign one of yours."
            )
            % {"from": transfer.from_unit.name},
        ]
    )


def _check_accept(actor, transfer: HouseholdTransfer, code, village) -> None:
    require(can_accept_transfer(actor, transfer.to_unit))
    if not transfer.is_open:
        raise ValidationError(_("This move was already decided."))
    household = transfer.household
    if household.unit_id != transfer.from_unit_id or household.closed_on is not None:
        raise ValidationError(
            _("The household is no longer registered in %(unit)s.")
            % {"unit": transfer.from_unit.name}
        )
    _check_village(transfer.to_unit, village)
    _check_code(transfer.to_unit, (code or "").strip(), household)
    reasons = transfer_blockers(household)
    if reasons:
        raise ValidationError(
            [_("Household %(code)s cannot move yet.") % {"code": household.code}, *reasons]
        )


@transaction.atomic
def transfer_accept(
    *,
    actor,
    transfer: HouseholdTransfer,
    code: str,
    village: AdministrativeUnit | None,
) -> HouseholdTransfer:
    """The receiving ward's head accepts: the household moves with everything it has."""
    _lock_open(transfer)
    household = Household.objects.select_for_update().get(pk=transfer.household_id)
    transfer.household = household
    _check_accept(actor, transfer, code, village)
    code = code.strip()
    previous_code = household.code
    household.unit = transfer.to_unit
    household.village = village
    household.code = code
    household.assigned_to = None
    household._change_reason = _("Moved from %(old)s to %(new)s") % {
        "old": transfer.from_unit.name,
        "new": transfer.to_unit.name,
    }
    claim_version(household, None)
    with_actor(household, actor).save(
        update_fields=["unit", "village", "code", "assigned_to", "version", "updated_at"]
    )
    transfer.status = TransferStatus.ACCEPTED
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.new_code = code
    transfer.village = village
    with_actor(transfer, actor).save()
    note = _("Code in %(unit)s: %(code)s.") % {
        "unit": transfer.from_unit.name,
        "code": previous_code,
    }
    _record(
        actor,
        household,
        EventKind.MOVED_WARD,
        transfer.moving_on,
        from_unit=transfer.from_unit,
        to_unit=transfer.to_unit,
        note=f"{transfer.reason}\n{note}",
    )
    refresh_search_text(household)
    _after(household)
    return transfer

"""Writes to the register: households, members, heads, moves and successions.

Every service checks the actor's right (``PermissionDenied``), validates
(``ValidationError`` keyed by the form field names), writes in one
transaction and attributes the history record to the actor.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communes.models import AdministrativeUnit
from communes.permissions import Action, require, unit_ids_with
from communes.succession import NO_SUCCESSOR, SPLIT, SuccessionGraph
from communes.text import clean_name, fold

from ..models import Household, Member, Relation
from ..permissions import can_create_household_in, can_edit_household
from ..selectors import households_for
from ..validators import validate_citizen_id
from .common import claim_version, with_actor
from .conflicts import CitizenIdElsewhere, Conflict, records_id_conflicts

#: Household fields an edit may change (``unit`` moves through succession only).
HOUSEHOLD_FIELDS = (
    "village",
    "code",
    "address",
    "phone",
    "is_ethnic_minority",
    "no_working_capacity",
    "has_revolutionary_merit",
    "notes",
)
#: Personal data of a member, copied when the person moves household.
PERSONAL_FIELDS = (
    "full_name",
    "sex",
    "birth_year",
    "birth_date",
    "ethnicity",
    "citizen_id",
    "health_insurance_number",
    "health_insurance_expiry",
    "has_disability",
    "school_level",
    "school_name",
    "school_grade",
    "education_level",
    "work_status",
)
MEMBER_FIELDS = (*PERSONAL_FIELDS, "relation")
#: Personal names: stored NFC with single spaces, whatever the keyboard sent.
NAME_FIELDS = ("full_name",)
#: Earliest year of birth accepted (the CCCD century digit starts at 1900).
FIRST_BIRTH_YEAR = 1900


# --- Helpers ---------------------------------------------------------------


def refresh_search_text(household: Household) -> None:
    """Recompute ``household.search_text``: its code and the names and citizen
    IDs of its current members, folded (lower case, no diacritics)."""
    rows = household.members.filter(left_on__isnull=True).values_list("full_name", "citizen_id")
    parts = [household.code, *(f"{name} {cid}" for name, cid in rows)]
    household.search_text = fold(" ".join(parts))
    # A derived column: no history record, no version bump.
    Household.objects.filter(pk=household.pk).update(search_text=household.search_text)


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    """``error`` with its field keys prefixed (the head's fields in the create form)."""
    if not prefix or not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {
            (key if key == NON_FIELD_ERRORS else f"{prefix}{key}"): value
            for key, value in error.error_dict.items()
        }
    )


def _check_unknown(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(unknown))}")


def _check_village(unit: AdministrativeUnit, village: AdministrativeUnit | None) -> None:
    if village is not None and (not village.is_village or village.parent_id != unit.pk):
        raise ValidationError(
            {"village": _("This village does not belong to %(unit)s.") % {"unit": unit.name}}
        )


def check_household_code(unit, code: str, household: Household | None = None) -> None:
    """The code is given and free in ``unit`` (forms call it too, to show it with other errors)."""
    _check_code(unit, code.strip(), household)


def birth_date_problem(birth_year: int | None, birth_date) -> str | None:
    """The date of birth must fall in the year of birth."""
    if birth_year and birth_date and birth_date.year != birth_year:
        return _("The date of birth is not in the year of birth.")
    return None


def _check_code(unit: AdministrativeUnit, code: str, household: Household | None = None) -> None:
    if not code:
        raise ValidationError({"code": _("Enter the household code.")})
    clash = Household.objects.filter(unit=unit, code__iexact=code)
    if household is not None:
        clash = clash.exclude(pk=household.pk)
    if clash.exists():
        raise ValidationError(
            {
                "code": _("%(unit)s already has a household with the code %(code)s.")
                % {"unit": unit.name, "code": code}
            }
        )


def _validate_household(household: Household) -> None:
    _check_village(household.unit, household.village)
    _check_code(household.unit, household.code, household if household.pk else None)
    household.full_clean(exclude=["head"], validate_unique=False, validate_constraints=False)


def _validate_member(actor, member: Member) -> None:
    """Field rules, year of birth, and the citizen ID (format, agreement, uniqueness).

    Every rule that can be checked is checked before raising, so a form shows
    all of a member's mistakes at once (issue 23), not one per submit.
    """
    errors: dict[str, list] = {}
    try:
        member.full_clean(exclude=["household"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        error.update_error_dict(errors)
    this_year = timezone.localdate().year
    if "birth_year" not in errors and not FIRST_BIRTH_YEAR <= member.birth_year <= this_year:
        errors["birth_year"] = [
            _("Enter a year between %(first)s and %(last)s.")
            % {"first": FIRST_BIRTH_YEAR, "last": this_year}
        ]
    problem = birth_date_problem(member.birth_year, member.birth_date)
    if problem and "birth_year" not in errors and "birth_date" not in errors:
        errors["birth_date"] = [problem]
    if member.citizen_id and "citizen_id" not in errors:
        try:
            birth_year = None if "birth_year" in errors else member.birth_year
            validate_citizen_id(member.citizen_id, birth_year=birth_year, sex=member.sex)
        except ValidationError as error:
            errors["citizen_id"] = error.messages
    if errors:
        raise ValidationError(errors)
    if not member.citizen_id:
        return
    clash = (
        Member.objects.filter(citizen_id=member.citizen_id, left_on__isnull=True)
        .exclude(pk=member.pk)
        .select_related("household")
        .first()
    )
    if clash is None:
        return
    if households_for(actor).filter(pk=clash.household_id).exists():
        message = _(
            "This citizen ID is already recorded for %(name)s, a current member of "
            "household %(code)s. If the person moved, use “Move to another household”."
        ) % {"name": clash.full_name, "code": clash.household.code}
        raise ValidationError({"citizen_id": message})
    # Held in a ward the actor does not see: say nothing about that person.
    raise CitizenIdElsewhere(
        Conflict(
            citizen_id=member.citizen_id,
            attempted_unit=member.household.unit,
            attempted_household_code=member.household.code,
            existing_unit_id=clash.household.unit_id,
            existing_household_code=clash.household.code,
        )
    )


def _save_member(actor, member: Member, **save_kwargs) -> None:
    member.search_name = fold(member.full_name)
    with_actor(member, actor).save(**save_kwargs)


def _normalise(values: dict) -> dict:
    """Text values in Unicode NFC and stripped (citizen IDs are often typed with
    spaces); names also lose doubled spaces (``communes.text.clean_name``)."""
    cleaned = {}
    for key, value in values.items():
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", value).strip()
            if key == "citizen_id":
                value = value.replace(" ", "").replace(".", "")
            elif key in NAME_FIELDS:
                value = clean_name(value)
        cleaned[key] = value
    return cleaned


# --- Households --------------------------------------------------------------


@records_id_conflicts
@transaction.atomic
def household_create(
    *,
    actor,
    unit: AdministrativeUnit,
    village: AdministrativeUnit | None,
    code: str,
    address: str = "",
    phone: str = "",
    is_ethnic_minority: bool = False,
    no_working_capacity: bool = False,
    has_revolutionary_merit: bool = False,
    notes: str = "",
    head: dict,
) -> Household:
    """A household of ``unit`` with its head (``head``: the member's fields
    without ``relation``). Errors on the head's fields are keyed ``head_<field>``."""
    require(can_create_household_in(actor, unit))
    _check_unknown(head, PERSONAL_FIELDS)
    household = Household(
        unit=unit,
        **_normalise(
            {
                "village": village,
                "code": code,
                "address": address,
                "phone": phone,
                "is_ethnic_minority": is_ethnic_minority,
                "no_working_capacity": no_working_capacity,
                "has_revolutionary_merit": has_revolutionary_merit,
                "notes": notes,
            }
        ),
    )
    # The household's and the head's mistakes are reported together.
    errors: dict[str, list] = {}
    try:
        _validate_household(household)
    except ValidationError as error:
        error.update_error_dict(errors)
    head_member = Member(household=household, relation=Relation.HEAD, **_normalise(head))
    try:
        _validate_member(actor, head_member)
    except ValidationError as error:
        _prefixed(error, "head_").update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    with_actor(household, actor).save()
    head_member.household = household
    _save_member(actor, head_member)
    household.head = head_member
    with_actor(household, actor).save(update_fields=["head", "updated_at"])
    refresh_search_text(household)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, version: int | None, **fields) -> Household:
    """Change the household's own fields; a stale ``version`` raises ``StaleEdit``
    and saves nothing."""
    require(can_edit_household(actor, household))
    _check_unknown(fields, HOUSEHOLD_FIELDS)
    try:
        for name, value in _normalise(fields).items():
            setattr(household, name, value)
        _validate_household(household)
        claim_version(household, version)
    except ValidationError:
        # Leave the caller's object as stored: the page shows it next to the form.
        household.refresh_from_db()
        raise
    # Only the edited fields: assignment and unit change through their own services.
    with_actor(household, actor).save(update_fields=[*fields, "version", "updated_at"])
    refresh_search_text(household)
    return household


@transaction.atomic
def household_set_head(*, actor, household: Household, member: Member) -> Household:
    """Make ``member`` the head; the former head stays as relation "other"
    (relations are relative to the head: review them afterwards)."""
    require(can_edit_household(actor, household))
    if member.household_id != household.pk or not member.is_current:
        raise ValidationError(_("Only a current member of this household can become its head."))
    if household.head_id == member.pk:
        return household
    former = household.head
    if former is not None:
        former.relation = Relation.OTHER
        with_actor(former, actor).save(update_fields=["relation", "updated_at"])
    member.relation = Relation.HEAD
    with_actor(member, actor).save(update_fields=["relation", "updated_at"])
    household.head = member
    claim_version(household, None)
    with_actor(household, actor).save(update_fields=["head", "version", "updated_at"])
    return household


# --- Members -------------------------------------------------------------------


def _check_relation(household: Household, relation: str, member: Member | None = None) -> None:
    is_head = member is not None and household.head_id == member.pk
    if is_head and relation != Relation.HEAD:
        raise ValidationError(
            {"relation": _("This member is the head: make another member head first.")}
        )
    if not is_head and relation == Relation.HEAD and household.head_id is not None:
        raise ValidationError(
            {"relation": _("The household already has a head: use “Make head” to change it.")}
        )


@records_id_conflicts
@transaction.atomic
def member_add(*, actor, household: Household, **fields) -> Member:
    require(can_edit_household(actor, household))
    _check_unknown(fields, MEMBER_FIELDS)
    member = Member(household=household, **_normalise(fields))
    _check_relation(household, member.relation)
    _validate_member(actor, member)
    _save_member(actor, member)
    if member.relation == Relation.HEAD:
        household.head = member
        with_actor(household, actor).save(update_fields=["head", "updated_at"])
    refresh_search_text(household)
    return member


@records_id_conflicts
@transaction.atomic
def member_update(*, actor, member: Member, **fields) -> Member:
    household = member.household
    require(can_edit_household(actor, household))
    _check_unknown(fields, MEMBER_FIELDS)
    if not member.is_current:
        raise ValidationError(_("A former member cannot be changed."))
    fields = _normalise(fields)
    _check_relation(household, fields.get("relation", member.relation), member)
    for name, value in fields.items():
        setattr(member, name, value)
    try:
        _validate_member(actor, member)
    except ValidationError:
        member.refresh_from_db()
        raise
    _save_member(actor, member)
    refresh_search_text(household)
    return member


def _check_can_leave(member: Member, on: datetime.date) -> None:
    if not member.is_current:
        raise ValidationError(_("This person is no longer a current member."))
    if member.household.head_id == member.pk:
        raise ValidationError(
            _("The head of household cannot leave while head: make another member head first.")
        )
    if on > timezone.localdate():
        raise ValidationError({"on": _("The date cannot be in the future.")})


@transaction.atomic
def member_leave(*, actor, member: Member, on: datetime.date, reason: str) -> Member:
    """Record that ``member`` left (moved away, died) on ``on``; the row stays as history."""
    require(can_edit_household(actor, member.household))
    _check_can_leave(member, on)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for leaving.")})
    member.left_on = on
    member.left_reason = reason
    with_actor(member, actor).save(update_fields=["left_on", "left_reason", "updated_at"])
    refresh_search_text(member.household)
    return member


@transaction.atomic
def member_move(
    *, actor, member: Member, to_household: Household, relation: str, on: datetime.date
) -> Member:
    """Move a person to ``to_household``: the old row is closed on ``on`` and a
    new row with the same personal data opens in the target. Returns the new row."""
    source = member.household
    require(can_edit_household(actor, source) and can_edit_household(actor, to_household))
    if to_household.pk == source.pk:
        raise ValidationError(
            {"household_code": _("The person is already a member of this household.")}
        )
    _check_can_leave(member, on)
    _check_relation(to_household, relation)
    # Close the old row first: the citizen ID is unique among current members only.
    member.left_on = on
    member.left_reason = _("Moved to household %(code)s") % {"code": to_household.code}
    with_actor(member, actor).save(update_fields=["left_on", "left_reason", "updated_at"])
    moved = Member(
        household=to_household,
        relation=relation,
        **{name: getattr(member, name) for name in PERSONAL_FIELDS},
    )
    _validate_member(actor, moved)
    _save_member(actor, moved)
    if relation == Relation.HEAD:
        to_household.head = moved
        with_actor(to_household, actor).save(update_fields=["head", "updated_at"])
    refresh_search_text(source)
    refresh_search_text(to_household)
    return moved


# --- Successions of units ----------------------------------------------------------


@dataclass
class FollowResult:
    """Outcome of ``households_follow_succession``."""

    #: Households moved to the single successor of their unit.
    moved: list[Household] = field(default_factory=list)
    #: Households of split units: an officer chooses the new unit of each.
    needs_choice: list[Household] = field(default_factory=list)
    #: Households that could not move automatically, with the reason.
    blocked: list[tuple[Household, str]] = field(default_factory=list)


def _move_to_unit(actor, household: Household, target: AdministrativeUnit, village) -> None:
    previous = household.unit
    household.unit = target
    household.village = village
    household._change_reason = _("Moved from %(old)s to %(new)s (administrative reform)") % {
        "old": previous.name,
        "new": target.name,
    }
    claim_version(household, None)
    with_actor(household, actor).save(update_fields=["unit", "village", "version", "updated_at"])


@transaction.atomic
def households_follow_succession(*, actor, on: datetime.date) -> FollowResult:
    """Move households of units that ended on or before ``on`` to their successor.

    Only whole successions are followed (through several reforms if needed);
    households of split units land in ``needs_choice`` and stay put. Only the
    households the actor may edit are considered.
    """
    editable = unit_ids_with(actor, Action.EDIT_HOUSEHOLDS)
    households = Household.objects.filter(unit__valid_to__lte=on).select_related("unit")
    if editable is not None:
        households = households.filter(unit_id__in=editable)
    result = FollowResult()
    graph = SuccessionGraph.load()
    targets: dict[int, tuple[AdministrativeUnit | None, str]] = {}
    for household in households.order_by("unit__name", "code"):
        if household.unit_id not in targets:
            target_id, problem = graph.single_successor_on(household.unit_id, on)
            target = AdministrativeUnit.objects.get(pk=target_id) if target_id else None
            targets[household.unit_id] = (target, problem)
        target, problem = targets[household.unit_id]
        if problem == SPLIT:
            result.needs_choice.append(household)
        elif problem == NO_SUCCESSOR:
            result.blocked.append((household, _("No successor is recorded for this unit.")))
        elif not can_create_household_in(actor, target):
            result.blocked.append(
                (household, _("You may not edit households of %(unit)s.") % {"unit": target})
            )
        elif Household.objects.filter(unit=target, code__iexact=household.code).exists():
            result.blocked.append(
                (
                    household,
                    _("%(unit)s already has a household with the code %(code)s.")
                    % {"unit": target.name, "code": household.code},
                )
            )
        else:
            _move_to_unit(actor, household, target, None)
            result.moved.append(household)
    return result


@transaction.atomic
def household_move_unit(
    *,
    actor,
    household: Household,
    unit: AdministrativeUnit,
    village: AdministrativeUnit | None = None,
) -> Household:
    """Move a household of a split unit to the successor an officer chose."""
    require(can_edit_household(actor, household) and can_create_household_in(actor, unit))
    if not SuccessionGraph.load().is_successor(household.unit_id, unit.pk):
        raise ValidationError(
            {
                "unit": _("%(unit)s is not a successor of %(current)s.")
                % {"unit": unit.name, "current": household.unit.name}
            }
        )
    _check_village(unit, village)
    _check_code(unit, household.code, household)
    _move_to_unit(actor, household, unit, village)
    return household

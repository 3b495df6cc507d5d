"""Writes to the support ledger: record support given, correct a loan's status.

One ledger for every source is what lets the committee see that a household
got the same benefit twice. An exact duplicate (entered twice) is refused; a
record that conflicts with a duplicate rule is saved only with a reason.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from households.models import Household, Member
from households.services.common import with_actor

from .. import duplicates
from ..models import (
    DuplicateRule,
    FundingSource,
    LoanStatus,
    PlanAction,
    SupportRecord,
    SupportType,
)
from ..permissions import can_record_support


class SupportConflict(ValidationError):
    """The record conflicts with existing ones; ``records`` lists them.

    Saved only when the user gives a reason (``conflict_reason``).
    """

    def __init__(self, records: list[SupportRecord]):
        self.records = records
        super().__init__(
            {
                "conflict_reason": ngettext(
                    "This support may duplicate a record already in the ledger. "
                    "Check it; to record the support anyway, give the reason.",
                    "This support may duplicate %(count)s records already in the ledger. "
                    "Check them; to record the support anyway, give the reason.",
                    len(records),
                )
                % {"count": len(records)}
            }
        )


def describe(record: SupportRecord) -> str:
    """ "15/03/2025, UBND phường, 147.000 ₫": how the user recognises a record."""
    amount = f"{number_format(record.amount, force_grouping=True)}\u00a0₫"
    return _("%(date)s, %(provider)s, %(amount)s") % {
        "date": date_format(record.given_on, "SHORT_DATE_FORMAT"),
        "provider": record.provider,
        "amount": amount,
    }


def _default_amount(support_type: SupportType, given_on, quantity) -> tuple[int | None, object]:
    """The amount from the rate in force on ``given_on``, and the quantity it is for.

    A rate names an amount for a default quantity (147.000 ₫ for 90 kWh);
    another quantity is priced pro rata.
    """
    rate = support_type.default_rate_on(given_on)
    if rate is None:
        return None, quantity
    if quantity is None:
        return rate.amount, rate.quantity
    if rate.quantity:
        return int(
            (Decimal(rate.amount) * Decimal(quantity) / rate.quantity).to_integral()
        ), quantity
    return rate.amount, quantity


def _validate(record: SupportRecord, household: Household) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    support_type = record.support_type
    member = record.member
    if support_type.is_personal and member is None:
        add(
            "member",
            _("%(type)s is given to one member: choose the member.") % {"type": support_type},
        )
    if member is not None and (member.household_id != household.pk or not member.is_current):
        add(
            "member", _("Choose a current member of household %(code)s.") % {"code": household.code}
        )
    if record.amount is None:
        add(
            "amount",
            _("Enter the amount: there is no default amount for this support on that date."),
        )
    elif record.amount < 0:
        add("amount", _("The amount cannot be negative."))
    if record.quantity is not None and record.quantity < 0:
        add("quantity", _("The quantity cannot be negative."))
    if record.given_on > timezone.localdate():
        add("given_on", _("Record support once it has been given: the date is in the future."))
    if record.period_start and record.period_end and record.period_end < record.period_start:
        add("period_end", _("The period ends before it starts."))
    if record.action_id and record.action.plan.household_id != household.pk:
        add("action", _("This action belongs to another household's plan."))
    if record.funding_source not in FundingSource.values:
        add("funding_source", _("Choose a funding source."))
    if not record.provider.strip():
        add("provider", _("Enter who gave the support."))
    loan_fields = {
        "loan_rate_pct": record.loan_rate_pct,
        "loan_term_months": record.loan_term_months,
        "loan_status": record.loan_status,
    }
    if support_type.is_loan:
        if record.loan_rate_pct is None:
            add("loan_rate_pct", _("Enter the loan's interest rate."))
        elif record.loan_rate_pct < 0:
            add("loan_rate_pct", _("The interest rate cannot be negative."))
        if not record.loan_term_months:
            add("loan_term_months", _("Enter the loan's term in months."))
        if record.loan_status not in LoanStatus.values:
            add("loan_status", _("Choose the repayment status."))
    else:
        for field, value in loan_fields.items():
            if value not in (None, ""):
                add(field, _("Only for loans."))
    return errors


def _existing_of_type(record: SupportRecord) -> list[SupportRecord]:
    """The records of the same type for the same household or member, locked."""
    same = Q(household_id=record.household_id)
    if record.member_id is not None:
        same |= Q(member_id=record.member_id)
    return list(
        # The household row is locked by the caller; no need to lock these too.
        SupportRecord.objects.filter(same, support_type_id=record.support_type_id)
        .select_related("support_type", "member")
        .order_by("-given_on", "-pk")
    )


@transaction.atomic
def support_record(
    *,
    actor,
    household: Household,
    member: Member | None = None,
    support_type: SupportType,
    amount: int | None = None,
    quantity=None,
    given_on: datetime.date,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    funding_source: str,
    programme: str = "",
    provider: str,
    legal_basis: str = "",
    action: PlanAction | None = None,
    loan_rate_pct=None,
    loan_term_months: int | None = None,
    loan_status: str = "",
    notes: str = "",
    conflict_reason: str = "",
) -> SupportRecord:
    """Record support given to ``household`` (or its ``member``).

    ``amount`` defaults to the type's rate in force on ``given_on`` (pro rata
    for ``quantity``). Raises ``PermissionDenied`` when ``actor`` may not
    record support for the household, ``ValidationError`` (field keys) for
    invalid input or an exact duplicate, and ``SupportConflict`` when the
    record breaks a duplicate rule and ``conflict_reason`` is blank.
    """
    if not can_record_support(actor, household):
        raise PermissionDenied
    # Serialise support for one household, so two clerks cannot enter the
    # same benefit at once and both pass the duplicate check.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    if amount is None and not support_type.is_loan:
        amount, quantity = _default_amount(support_type, given_on, quantity)
    if support_type.is_loan and not loan_status:
        loan_status = LoanStatus.CURRENT
    record = SupportRecord(
        household=household,
        member=member,
        support_type=support_type,
        amount=amount,
        quantity=quantity,
        given_on=given_on,
        period_start=period_start,
        period_end=period_end,
        funding_source=funding_source,
        programme=programme.strip(),
        provider=provider.strip(),
        legal_basis=legal_basis.strip(),
        action=action,
        loan_rate_pct=loan_rate_pct,
        loan_term_months=loan_term_months,
        loan_status=loan_status,
        notes=notes.strip(),
        created_by=actor,
    )
    errors = _validate(record, household)
    if errors:
        raise ValidationError(errors)

    existing = _existing_of_type(record)
    twin = next((r for r in existing if duplicates.is_exact_duplicate(record, r)), None)
    if twin is not None:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _(
                    "This support is already in the ledger (%(record)s): it was not recorded again."
                )
                % {"record": describe(twin)}
            }
        )
    rule = DuplicateRule.objects.filter(support_type=support_type, active=True).first()
    found = duplicates.conflicts(record, existing, rule)
    if found and not conflict_reason.strip():
        raise SupportConflict(found)
    record.conflict_reason = conflict_reason.strip() if found else ""
    with_actor(record, actor).save()
    return record


@transaction.atomic
def loan_update_status(*, actor, record: SupportRecord, loan_status: str) -> SupportRecord:
    """Correct the repayment status of a loan."""
    if not can_record_support(actor, record.household):
        raise PermissionDenied
    if not record.support_type.is_loan:
        raise ValidationError({"loan_status": _("Only loans have a repayment status.")})
    if loan_status not in LoanStatus.values:
        raise ValidationError({"loan_status": _("Choose the repayment status.")})
    record.loan_status = loan_status
    with_actor(record, actor).save(update_fields=["loan_status", "updated_at"])
    return record

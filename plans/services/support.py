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

from households.models import Assessment, AssessmentStatus, Household, Member
from households.services.common import with_actor

from .. import duplicates, electricity, health_insurance
from ..models import (
    AmountRule,
    DuplicateRule,
    ElectricityTariff,
    FundingSource,
    HealthInsuranceShare,
    InsuranceGroup,
    LoanStatus,
    PlanAction,
    SupportProgramme,
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


class NotEligible(ValidationError):
    """The household's list in force does not entitle it to the support.

    Saved only with a reason (``eligibility_reason``): a policy household named
    by the decision, a list being corrected.
    """

    def __init__(self, status: str | None, support_type: SupportType):
        from households.models import PovertyStatus

        self.status = status
        label = PovertyStatus(status).label if status else _("no decided list")
        super().__init__(
            {
                "eligibility_reason": _(
                    "%(type)s is for households on these lists: %(lists)s. This household's "
                    "list in force for that period is: %(status)s. To record it anyway, give "
                    "the reason (e.g. a policy household named by the decision)."
                )
                % {
                    "type": support_type.name,
                    "lists": ", ".join(
                        str(PovertyStatus(code).label) for code in support_type.eligible_statuses
                    ),
                    "status": label,
                }
            }
        )


#: ``PovertyStatus`` values a support type may list as entitled.
KNOWN_STATUSES = ("poor", "near_poor", "average", "not_poor")


def status_in_force(household: Household, day: datetime.date) -> str | None:
    """The household's decided status on ``day``: its latest recognised decision taken
    on or before that day (a decision without a date counts from the end of its year).
    The same reading as the report of support given while not poor."""
    row = (
        Assessment.objects.filter(
            Q(decision_date__lte=day) | Q(decision_date__isnull=True, year__lt=day.year),
            household=household,
            status=AssessmentStatus.RECOGNISED,
        )
        .exclude(recorded_status="")
        .order_by("-year", "-decision_date", "-pk")
        .values_list("recorded_status", flat=True)
        .first()
    )
    return row


def electricity_tariffs() -> list[electricity.Tariff]:
    return [electricity.Tariff.of(row) for row in ElectricityTariff.objects.all()]


def insurance_shares() -> list[health_insurance.Share]:
    return [
        health_insurance.Share(
            group=row.group,
            share_pct=row.share_pct,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            level=row.level,
        )
        for row in HealthInsuranceShare.objects.all()
    ]


def describe(record: SupportRecord) -> str:
    """ "15/03/2025, UBND phường, 147.000 ₫": how the user recognises a record."""
    amount = f"{number_format(record.amount, force_grouping=True)}\u00a0₫"
    return _("%(date)s, %(provider)s, %(amount)s") % {
        "date": date_format(record.given_on, "SHORT_DATE_FORMAT"),
        "provider": record.provider,
        "amount": amount,
    }


def _default_amount(
    support_type: SupportType, given_on, quantity, programme=None
) -> tuple[int | None, object]:
    """The amount from the rate in force on ``given_on``, and the quantity it is for.

    A rate names an amount for a default quantity (e.g. 1.350.000 ₫ for 9
    months); another quantity is priced pro rata.
    """
    rate = support_type.default_rate_on(given_on, programme)
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
    if support_type.has_ended_on(record.covered_from):
        add(
            "support_type",
            _(
                "%(type)s is no longer given for periods from %(date)s on: %(why)s. "
                "Record study-cost support or another type instead."
            )
            % {
                "type": support_type.name,
                "date": date_format(
                    support_type.given_until + datetime.timedelta(days=1), "SHORT_DATE_FORMAT"
                ),
                "why": support_type.ended_because or _("the policy ended"),
            },
        )
    programme = record.support_programme
    if programme is not None and programme.support_type_id != support_type.pk:
        add(
            "support_programme",
            _("%(programme)s is not a programme of %(type)s.")
            % {"programme": programme, "type": support_type.name},
        )
    if support_type.is_loan and programme is None and support_type.programmes.exists():
        add(
            "support_programme",
            _(
                "Choose the VBSP programme of the loan: loans of different programmes may "
                "run at the same time, two of one programme may not."
            ),
        )
    if record.insurance_group and record.insurance_group not in InsuranceGroup.values:
        add("insurance_group", _("Choose an insurance group."))
    if record.insurance_group and support_type.code != HEALTH_INSURANCE:
        add("insurance_group", _("Only for health insurance cards."))
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


HEALTH_INSURANCE = "health_insurance"


def _electricity_default(record: SupportRecord) -> str | None:
    """Fill the period (the quarter of the date given), amount and kWh from the tariff
    table; an error message when no tariff covers the period."""
    if record.period_start is None and record.period_end is None:
        record.period_start, record.period_end = electricity.quarter_of(record.given_on)
    start = record.period_start or record.period_end
    end = record.period_end or electricity.quarter_of(start)[1]
    try:
        support = electricity.support_for_period(electricity_tariffs(), start, end)
    except electricity.NoTariff as missing:
        return _("No electricity tariff is recorded for %(date)s: enter the amount.") % {
            "date": date_format(missing.args[0], "SHORT_DATE_FORMAT")
        }
    if record.amount is None:
        record.amount = support.amount
    if record.quantity is None:
        record.quantity = Decimal(support.kwh)
    return None


def _insurance_group(record: SupportRecord, household: Household) -> dict[str, str]:
    """Fill the card's group and the state's share; the highest group applies.

    Returns errors by field (a chosen group below the highest one is refused).
    """
    member = record.member
    if member is None:
        return {}
    day = record.covered_from
    shares = insurance_shares()
    groups = health_insurance.groups_of(
        household_status=status_in_force(household, day), age=member.age_on(day)
    )
    best = health_insurance.highest_group(groups, shares, day)
    if not record.insurance_group:
        if best is None:
            return {}
        record.insurance_group, record.state_share_pct = best
        return {}
    chosen = health_insurance.share_of(record.insurance_group, shares, day)
    if best is not None and (chosen is None or chosen < best[1]):
        return {
            "insurance_group": _(
                "%(member)s is in the group “%(group)s” (state pays %(share)s %%) on that date: "
                "the highest group applies."
            )
            % {
                "member": member.full_name,
                "group": InsuranceGroup(best[0]).label,
                "share": best[1],
            }
        }
    record.state_share_pct = chosen
    return {}


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
    support_programme: SupportProgramme | None = None,
    insurance_group: str = "",
    eligibility_reason: str = "",
) -> SupportRecord:
    """Record support given to ``household`` (or its ``member``).

    ``amount`` defaults to the type's rate in force on ``given_on`` (pro rata
    for ``quantity``, of the ``support_programme`` when given); electricity
    defaults to the quarter of ``given_on`` priced at the tier-1 tariff in
    force. A health insurance card gets the highest group the member is in
    and its state share. Raises ``PermissionDenied`` when ``actor`` may not
    record support for the household, ``ValidationError`` (field keys) for
    invalid input or an exact duplicate, ``NotEligible`` when the household's
    list in force is not entitled to the support and ``eligibility_reason``
    is blank, and ``SupportConflict`` when the record breaks a duplicate rule
    and ``conflict_reason`` is blank.
    """
    if not can_record_support(actor, household):
        raise PermissionDenied
    # Serialise support for one household, so two clerks cannot enter the
    # same benefit at once and both pass the duplicate check.
    Household.objects.select_for_update().filter(pk=household.pk).first()
    if amount is None and not support_type.is_loan and support_type.amount_rule == AmountRule.RATE:
        amount, quantity = _default_amount(support_type, given_on, quantity, support_programme)
    if support_type.is_loan and not loan_status:
        loan_status = LoanStatus.CURRENT
    if support_type.is_loan and loan_rate_pct is None and support_programme is not None:
        loan_rate_pct = support_programme.default_rate_pct
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
        support_programme=support_programme,
        insurance_group=insurance_group,
        created_by=actor,
    )
    extra: dict[str, list[str]] = {}
    if support_type.amount_rule == AmountRule.ELECTRICITY_TARIFF:
        missing = _electricity_default(record)
        if missing and record.amount is None:
            extra["amount"] = [missing]
    errors = _validate(record, household)
    if support_type.code == HEALTH_INSURANCE and not errors:
        errors = {
            field: [message] for field, message in _insurance_group(record, household).items()
        }
    for field, messages in extra.items():
        errors[field] = messages + [m for m in errors.get(field, []) if m not in messages]
    if errors:
        raise ValidationError(errors)
    record.eligibility_reason = ""
    if support_type.eligible_statuses:
        status = status_in_force(household, record.covered_from)
        if status not in support_type.eligible_statuses:
            if not eligibility_reason.strip():
                raise NotEligible(status, support_type)
            record.eligibility_reason = eligibility_reason.strip()

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

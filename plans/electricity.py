"""Electricity support of poor households: pure arithmetic over the tariff table, no ORM.

QĐ 28/2014/QĐ-TTg (from 1/6/2014): a poor household gets, each month, the
price of 30 kWh at the tier-1 household retail tariff in force; the support
is paid per quarter. So the amount follows every tariff change.

Decisions taken here (the texts leave them open, the data can change them):

* The monthly figure is ``kWh × tier-1 price × (1 + VAT)``, rounded to the
  row's ``round_to`` (1.000 ₫): 30 × 1.388 ₫ × 1.1 = 45.804 → 46.000 ₫ and
  30 × 1.484 ₫ × 1.1 = 48.972 → 49.000 ₫, the two published figures.
* A month is priced at the tariff in force on its first day (the tariff of
  16/3/2015 counts from April 2015).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Tariff:
    valid_from: datetime.date
    tier1_price: int
    vat_pct: Decimal = Decimal(10)
    support_kwh_per_month: int = 30
    round_to: int = 1000

    @classmethod
    def of(cls, row) -> Tariff:
        """From an ``ElectricityTariff`` row (or anything with its attributes)."""
        return cls(
            valid_from=row.valid_from,
            tier1_price=row.tier1_price,
            vat_pct=Decimal(row.vat_pct),
            support_kwh_per_month=row.support_kwh_per_month,
            round_to=row.round_to,
        )

    @property
    def monthly_support(self) -> int:
        """VND a month: the kWh at the tier-1 price, VAT included, rounded."""
        gross = (
            Decimal(self.support_kwh_per_month)
            * self.tier1_price
            * (Decimal(100) + self.vat_pct)
            / Decimal(100)
        )
        steps = (gross / self.round_to).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        return int(steps) * self.round_to


class NoTariff(LookupError):
    """No tariff in force for a month of the period."""


def tariff_on(tariffs: Sequence[Tariff], day: datetime.date) -> Tariff:
    """The tariff in force on ``day`` (the latest with ``valid_from`` ≤ ``day``)."""
    in_force = [t for t in tariffs if t.valid_from <= day]
    if not in_force:
        raise NoTariff(day)
    return max(in_force, key=lambda t: t.valid_from)


def quarter_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the calendar quarter of ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = datetime.date(day.year, first_month, 1)
    end_month = first_month + 2
    next_start = (
        datetime.date(day.year + 1, 1, 1)
        if end_month == 12
        else datetime.date(day.year, end_month + 1, 1)
    )
    return start, next_start - datetime.timedelta(days=1)


def months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of the months that ``start``–``end`` touches."""
    if end < start:
        return []
    day, result = start.replace(day=1), []
    while day <= end:
        result.append(day)
        day = datetime.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return result


@dataclass(frozen=True)
class PeriodSupport:
    amount: int
    kwh: int
    months: int


def support_for_period(
    tariffs: Sequence[Tariff], start: datetime.date, end: datetime.date
) -> PeriodSupport:
    """The support for the months of ``start``–``end``, each at the tariff of its first day."""
    amount = kwh = 0
    firsts = months(start, end)
    for first in firsts:
        tariff = tariff_on(tariffs, first)
        amount += tariff.monthly_support
        kwh += tariff.support_kwh_per_month
    return PeriodSupport(amount=amount, kwh=kwh, months=len(firsts))

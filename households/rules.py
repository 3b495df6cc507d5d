"""Classification of a household under a poverty standard: pure rules, no ORM.

The figures live in ``PovertyStandard`` rows (editable data); this module
only applies them. ``StandardRule.for_area`` copies the figures of one area
out of a standard, and ``classify`` turns evidence into a status.

Decisions the legal texts leave open, taken here and relied on by callers:

* "≤" is inclusive everywhere: income exactly on a line is within it.
* Measured income, when given, decides; the A-score (điểm A, an income
  proxy) is used only when there is no measured income.
* Under NĐ 07 and later (``LINE_AND_DEPRIVATION``) an A-score at or below
  the A-score line counts as income within the line. Above the line an
  A-score alone gives ``not_poor``: the average-living band is defined in
  VND, so it needs measured income.
* Under QĐ 59 (``INCOME_OR_DEPRIVATION``) the score weights differed by
  region and the standard holds no A-score line, so an A-score alone is
  not enough evidence: measured income is required.
"""

from dataclasses import dataclass

#: ``RuleType`` values (``households.models.standards``), repeated here so
#: this module needs no Django import; a test keeps them in step.
INCOME_OR_DEPRIVATION = "income_or_deprivation"
LINE_AND_DEPRIVATION = "line_and_deprivation"

#: ``PovertyStatus`` values (``households.models.status``).
POOR = "poor"
NEAR_POOR = "near_poor"
AVERAGE = "average"
NOT_POOR = "not_poor"

AREAS = ("urban", "rural")


class NotEnoughEvidence(ValueError):
    """The assessment lacks the income evidence the standard needs."""


@dataclass(frozen=True)
class StandardRule:
    """The figures of one standard for one area; amounts in VND/person/month."""

    code: str
    rule_type: str
    poor_line: int | None
    near_poor_ceiling: int | None = None
    average_ceiling: int | None = None
    score_a_line: int | None = None
    deprivation_threshold: int = 3

    @classmethod
    def for_area(cls, standard, area: str) -> "StandardRule":
        """The figures of ``standard`` (a ``PovertyStandard``) for ``"urban"`` or ``"rural"``.

        Reads plain attributes only, so it runs no query.
        """
        if area not in AREAS:
            raise ValueError(f"area must be 'urban' or 'rural', not {area!r}")
        return cls(
            code=standard.code,
            rule_type=standard.rule_type,
            poor_line=getattr(standard, f"poor_line_{area}"),
            near_poor_ceiling=getattr(standard, f"near_poor_ceiling_{area}"),
            average_ceiling=getattr(standard, f"average_ceiling_{area}"),
            score_a_line=getattr(standard, f"score_a_line_{area}"),
            deprivation_threshold=standard.deprivation_threshold,
        )


def classify(
    rule: StandardRule, *, income: int | None, score_a: int | None, deprivation_count: int
) -> str:
    """The ``PovertyStatus`` value of a household under ``rule``.

    ``income`` is measured income per person per month (VND), ``score_a``
    the A-score; either may be ``None`` but not both (``NotEnoughEvidence``).
    ``deprivation_count`` is the number of deprived indicators. Negative
    values raise ``ValueError``, as does a standard lacking a figure the
    evidence needs (e.g. no poor line).
    """
    if income is not None and income < 0:
        raise ValueError(f"income must not be negative, got {income}")
    if score_a is not None and score_a < 0:
        raise ValueError(f"A-score must not be negative, got {score_a}")
    if deprivation_count < 0:
        raise ValueError(f"deprivation count must not be negative, got {deprivation_count}")
    if income is None and score_a is None:
        raise NotEnoughEvidence(
            f"{rule.code}: neither measured income nor an A-score was given; one is needed"
        )
    deprived = deprivation_count >= rule.deprivation_threshold
    if rule.rule_type == INCOME_OR_DEPRIVATION:
        return _classify_income_or_deprivation(rule, income=income, deprived=deprived)
    if rule.rule_type == LINE_AND_DEPRIVATION:
        return _classify_line_and_deprivation(
            rule, income=income, score_a=score_a, deprived=deprived
        )
    raise ValueError(f"{rule.code}: unknown rule type {rule.rule_type!r}")


def _classify_income_or_deprivation(rule: StandardRule, *, income: int | None, deprived: bool):
    """QĐ 59/2015: poor under the poor line, or under the ceiling with deprivations."""
    if income is None:
        raise NotEnoughEvidence(
            f"{rule.code}: measured income is missing; an A-score alone is not enough "
            "under this standard (its score weights differed by region)"
        )
    poor_line = _required(rule, "poor_line")
    ceiling = _required(rule, "near_poor_ceiling")
    if income <= poor_line:
        return POOR
    if income <= ceiling:
        return POOR if deprived else NEAR_POOR
    return NOT_POOR


def _classify_line_and_deprivation(
    rule: StandardRule, *, income: int | None, score_a: int | None, deprived: bool
):
    """NĐ 07/2021 and later: one line; deprivations split poor from near-poor."""
    if income is not None:
        within_line = income <= _required(rule, "poor_line")
    elif rule.score_a_line is None:
        raise NotEnoughEvidence(
            f"{rule.code}: measured income is missing and the standard has no A-score "
            "line for this area, so the A-score cannot be used"
        )
    else:
        within_line = score_a <= rule.score_a_line
    if within_line:
        return POOR if deprived else NEAR_POOR
    # The average band is defined in VND: an A-score alone cannot place a
    # household in it.
    if income is not None and rule.average_ceiling is not None and income <= rule.average_ceiling:
        return AVERAGE
    return NOT_POOR


def _required(rule: StandardRule, field: str) -> int:
    value = getattr(rule, field)
    if value is None:
        raise ValueError(f"{rule.code}: the standard has no {field.replace('_', ' ')}")
    return value


def b_score(deprivation_count: int, points_per_indicator: int = 10) -> int:
    """The deprivation score (điểm B / "B2"): points per deprived indicator."""
    if deprivation_count < 0:
        raise ValueError(f"deprivation count must not be negative, got {deprivation_count}")
    return deprivation_count * points_per_indicator

"""Classification at every boundary of every standard, rural and urban.

The expected figures are typed here from DOMAIN.md, independently of the
migration, so a wrong figure in the database fails these tests too.
"""

import dataclasses

import pytest

from households.models import PovertyStandard, PovertyStatus, RuleType
from households.rules import (
    AVERAGE,
    INCOME_OR_DEPRIVATION,
    LINE_AND_DEPRIVATION,
    NEAR_POOR,
    NOT_POOR,
    POOR,
    NotEnoughEvidence,
    StandardRule,
    b_score,
    classify,
)

THRESHOLD = 3

#: (code, area) → (poor line, average ceiling, A-score line), NĐ 07-style standards.
LINE_STANDARDS = {
    ("ND07-2022", "rural"): (1_500_000, 2_250_000, 140),
    ("ND07-2022", "urban"): (2_000_000, 3_000_000, 175),
    ("ND351-2027", "rural"): (2_200_000, None, None),
    ("ND351-2027", "urban"): (2_800_000, None, None),
    ("QN-NQ13-2023", "rural"): (2_100_000, None, None),
    ("QN-NQ13-2023", "urban"): (2_600_000, None, None),
}
#: (code, area) → (poor line, near-poor ceiling), QĐ 59.
QD59_STANDARDS = {
    ("QD59-2016", "rural"): (700_000, 1_000_000),
    ("QD59-2016", "urban"): (900_000, 1_300_000),
}


def db_rule(code: str, area: str) -> StandardRule:
    return StandardRule.for_area(PovertyStandard.objects.get(code=code), area)


def _line_income_cases() -> list:
    params = []
    for (code, area), (line, average, _score_line) in LINE_STANDARDS.items():
        above_line = AVERAGE if average else NOT_POOR
        cases = [
            (0, THRESHOLD, POOR),
            (0, 0, NEAR_POOR),
            (line - 1, THRESHOLD, POOR),
            (line - 1, THRESHOLD - 1, NEAR_POOR),
            (line, THRESHOLD, POOR),
            (line, THRESHOLD - 1, NEAR_POOR),
            (line, 12, POOR),
            (line + 1, THRESHOLD, above_line),
            (line + 1, 12, above_line),
            (line + 1, 0, above_line),
        ]
        if average:
            cases += [
                (average - 1, THRESHOLD, AVERAGE),
                (average, THRESHOLD, AVERAGE),
                (average, 0, AVERAGE),
                (average + 1, THRESHOLD, NOT_POOR),
                (average + 1, 0, NOT_POOR),
            ]
        for income, deprivations, expected in cases:
            params.append(
                pytest.param(
                    code,
                    area,
                    income,
                    deprivations,
                    expected,
                    id=f"{code}-{area}-{income}-{deprivations}",
                )
            )
    return params


def _qd59_income_cases() -> list:
    params = []
    for (code, area), (line, ceiling) in QD59_STANDARDS.items():
        cases = [
            (0, 0, POOR),
            (line - 1, 0, POOR),
            (line, 0, POOR),
            (line, THRESHOLD, POOR),
            (line + 1, THRESHOLD - 1, NEAR_POOR),
            (line + 1, THRESHOLD, POOR),
            (ceiling - 1, THRESHOLD - 1, NEAR_POOR),
            (ceiling, THRESHOLD - 1, NEAR_POOR),
            (ceiling, 0, NEAR_POOR),
            (ceiling, THRESHOLD, POOR),
            (ceiling, 10, POOR),
            (ceiling + 1, THRESHOLD - 1, NOT_POOR),
            (ceiling + 1, THRESHOLD, NOT_POOR),
            (ceiling + 1, 10, NOT_POOR),
        ]
        for income, deprivations, expected in cases:
            params.append(
                pytest.param(
                    code,
                    area,
                    income,
                    deprivations,
                    expected,
                    id=f"{code}-{area}-{income}-{deprivations}",
                )
            )
    return params


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "area", "income", "deprivations", "expected"), _line_income_cases()
)
def test_classify_line_standard_when_income_at_boundary(code, area, income, deprivations, expected):
    rule = db_rule(code, area)

    assert classify(rule, income=income, score_a=None, deprivation_count=deprivations) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "area", "income", "deprivations", "expected"), _qd59_income_cases()
)
def test_classify_qd59_when_income_at_boundary(code, area, income, deprivations, expected):
    rule = db_rule(code, area)

    assert classify(rule, income=income, score_a=None, deprivation_count=deprivations) == expected


SCORED = [key for key, (_line, _avg, score_line) in LINE_STANDARDS.items() if score_line]
UNSCORED = [key for key, (_line, _avg, score_line) in LINE_STANDARDS.items() if not score_line]


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "area"), SCORED)
@pytest.mark.parametrize(
    ("offset", "deprivations", "expected"),
    [
        (-1, THRESHOLD, POOR),
        (-1, THRESHOLD - 1, NEAR_POOR),
        (0, THRESHOLD, POOR),
        (0, THRESHOLD - 1, NEAR_POOR),
        # Above the A-score line: the average band needs measured income.
        (1, THRESHOLD, NOT_POOR),
        (1, 0, NOT_POOR),
    ],
)
def test_classify_line_standard_when_only_a_score_at_boundary(
    code, area, offset, deprivations, expected
):
    score_line = LINE_STANDARDS[(code, area)][2]
    rule = db_rule(code, area)

    status = classify(
        rule, income=None, score_a=score_line + offset, deprivation_count=deprivations
    )

    assert status == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "area"), UNSCORED)
def test_classify_raises_when_only_a_score_and_standard_has_no_score_line(code, area):
    rule = db_rule(code, area)

    with pytest.raises(NotEnoughEvidence, match="A-score line"):
        classify(rule, income=None, score_a=100, deprivation_count=THRESHOLD)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "area"), list(QD59_STANDARDS))
def test_classify_qd59_raises_when_only_a_score(code, area):
    rule = db_rule(code, area)

    with pytest.raises(NotEnoughEvidence, match="measured income"):
        classify(rule, income=None, score_a=50, deprivation_count=THRESHOLD)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "area"), [*LINE_STANDARDS, *QD59_STANDARDS])
def test_classify_raises_when_neither_income_nor_score(code, area):
    rule = db_rule(code, area)

    with pytest.raises(NotEnoughEvidence, match="neither measured income nor an A-score"):
        classify(rule, income=None, score_a=None, deprivation_count=THRESHOLD)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "area"), [*LINE_STANDARDS, *QD59_STANDARDS])
def test_classify_raises_when_income_negative(code, area):
    rule = db_rule(code, area)

    with pytest.raises(ValueError, match="income must not be negative") as excinfo:
        classify(rule, income=-1, score_a=None, deprivation_count=0)
    assert not isinstance(excinfo.value, NotEnoughEvidence)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "area"), SCORED)
def test_classify_uses_income_when_income_and_score_disagree(code, area):
    line, average, score_line = LINE_STANDARDS[(code, area)]
    rule = db_rule(code, area)

    above = classify(rule, income=line + 1, score_a=score_line, deprivation_count=THRESHOLD)
    within = classify(rule, income=line, score_a=score_line + 1, deprivation_count=THRESHOLD)

    assert (above, within) == (AVERAGE, POOR)


@pytest.mark.django_db
@pytest.mark.parametrize(("code", "area"), list(QD59_STANDARDS))
def test_classify_qd59_uses_income_when_score_also_given(code, area):
    line, _ceiling = QD59_STANDARDS[(code, area)]
    rule = db_rule(code, area)

    assert classify(rule, income=line + 1, score_a=0, deprivation_count=0) == NEAR_POOR


@pytest.mark.django_db
def test_for_area_runs_no_query_when_standard_loaded(django_assert_num_queries):
    standard = PovertyStandard.objects.get(code="ND07-2022")

    with django_assert_num_queries(0):
        rule = StandardRule.for_area(standard, "urban")

    assert rule == StandardRule(
        code="ND07-2022",
        rule_type=LINE_AND_DEPRIVATION,
        poor_line=2_000_000,
        near_poor_ceiling=None,
        average_ceiling=3_000_000,
        score_a_line=175,
        deprivation_threshold=3,
    )


# Hand-made rules: no database.

ND07_RURAL = StandardRule(
    code="T-LINE",
    rule_type=LINE_AND_DEPRIVATION,
    poor_line=1_500_000,
    average_ceiling=2_250_000,
    score_a_line=140,
)
QD59_URBAN = StandardRule(
    code="T-QD59",
    rule_type=INCOME_OR_DEPRIVATION,
    poor_line=900_000,
    near_poor_ceiling=1_300_000,
)


def test_for_area_reads_rural_figures_when_standard_unsaved():
    standard = PovertyStandard(
        code="X",
        rule_type=RuleType.INCOME_OR_DEPRIVATION,
        poor_line_rural=1,
        poor_line_urban=10,
        near_poor_ceiling_rural=2,
        near_poor_ceiling_urban=20,
        average_ceiling_rural=3,
        average_ceiling_urban=30,
        score_a_line_rural=4,
        score_a_line_urban=40,
        deprivation_threshold=5,
    )

    rule = StandardRule.for_area(standard, "rural")

    assert dataclasses.astuple(rule) == ("X", INCOME_OR_DEPRIVATION, 1, 2, 3, 4, 5)


def test_for_area_raises_when_area_unknown():
    with pytest.raises(ValueError, match="area must be"):
        StandardRule.for_area(PovertyStandard(code="X"), "coastal")


def test_standard_rule_is_frozen_when_assigned():
    with pytest.raises(dataclasses.FrozenInstanceError):
        ND07_RURAL.poor_line = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("threshold", "deprivations", "expected"),
    [(1, 0, NEAR_POOR), (1, 1, POOR), (5, 4, NEAR_POOR), (5, 5, POOR)],
)
def test_classify_uses_rule_threshold_when_not_three(threshold, deprivations, expected):
    rule = dataclasses.replace(ND07_RURAL, deprivation_threshold=threshold)

    assert (
        classify(rule, income=1_000_000, score_a=None, deprivation_count=deprivations) == expected
    )


@pytest.mark.parametrize(
    ("income", "deprivations", "expected"),
    [
        (1_500_000, 2, NEAR_POOR),
        (1_500_000, 3, POOR),
        (1_500_001, 3, AVERAGE),
        (2_250_000, 3, AVERAGE),
        (2_250_001, 0, NOT_POOR),
    ],
)
def test_classify_hand_made_line_rule_when_at_boundary(income, deprivations, expected):
    assert classify(ND07_RURAL, income=income, score_a=None, deprivation_count=deprivations) == (
        expected
    )


@pytest.mark.parametrize(
    ("income", "deprivations", "expected"),
    [
        (900_000, 0, POOR),
        (900_001, 2, NEAR_POOR),
        (900_001, 3, POOR),
        (1_300_000, 2, NEAR_POOR),
        (1_300_000, 3, POOR),
        (1_300_001, 3, NOT_POOR),
    ],
)
def test_classify_hand_made_qd59_rule_when_at_boundary(income, deprivations, expected):
    assert classify(QD59_URBAN, income=income, score_a=None, deprivation_count=deprivations) == (
        expected
    )


def test_classify_gives_not_poor_above_line_when_no_average_ceiling():
    rule = dataclasses.replace(ND07_RURAL, average_ceiling=None)

    assert classify(rule, income=1_500_001, score_a=None, deprivation_count=12) == NOT_POOR


def test_classify_uses_score_line_when_score_is_zero():
    assert classify(ND07_RURAL, income=None, score_a=0, deprivation_count=0) == NEAR_POOR


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"income": -1, "score_a": None, "deprivation_count": 0}, "income"),
        ({"income": None, "score_a": -1, "deprivation_count": 0}, "A-score"),
        ({"income": 0, "score_a": None, "deprivation_count": -1}, "deprivation count"),
    ],
)
def test_classify_raises_value_error_when_value_negative(kwargs, message):
    with pytest.raises(ValueError, match=f"{message} must not be negative"):
        classify(ND07_RURAL, **kwargs)


def test_classify_raises_when_rule_has_no_poor_line():
    rule = dataclasses.replace(ND07_RURAL, poor_line=None)

    with pytest.raises(ValueError, match="no poor line"):
        classify(rule, income=1, score_a=None, deprivation_count=0)


def test_classify_qd59_raises_when_rule_has_no_ceiling():
    rule = dataclasses.replace(QD59_URBAN, near_poor_ceiling=None)

    with pytest.raises(ValueError, match="no near poor ceiling"):
        classify(rule, income=1_000_000, score_a=None, deprivation_count=0)


def test_classify_raises_when_rule_type_unknown():
    rule = dataclasses.replace(ND07_RURAL, rule_type="income_only")

    with pytest.raises(ValueError, match="unknown rule type"):
        classify(rule, income=1, score_a=None, deprivation_count=0)


def test_not_enough_evidence_is_a_value_error_when_caught():
    assert issubclass(NotEnoughEvidence, ValueError)


def test_rule_constants_match_model_choices_when_compared():
    assert {INCOME_OR_DEPRIVATION, LINE_AND_DEPRIVATION} == set(RuleType.values)
    assert {POOR, NEAR_POOR, AVERAGE, NOT_POOR} == set(PovertyStatus.values)


@pytest.mark.parametrize(
    ("count", "points", "expected"),
    [(0, 10, 0), (2, 10, 20), (3, 10, 30), (12, 10, 120), (3, 5, 15)],
)
def test_b_score_counts_points_when_deprived(count, points, expected):
    assert b_score(count, points) == expected


def test_b_score_uses_ten_points_when_not_given():
    assert b_score(3) == 30


def test_b_score_raises_when_count_negative():
    with pytest.raises(ValueError, match="must not be negative"):
        b_score(-1)

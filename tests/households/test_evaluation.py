"""``evaluate_survey``: the one evaluation of a survey (pure; no database)."""

import pytest
from django.utils import translation

from households.evaluation import (
    WHOLE_SURVEY,
    StandardTerms,
    SurveyEvidence,
    SurveyStandards,
    evaluate_survey,
)
from households.models import PovertyStandard
from households.rules import LINE_AND_DEPRIVATION, StandardRule

INDICATORS = frozenset({"employment", "health_insurance", "housing_quality", "water"})


def terms(code="NATIONAL", poor_line=2_000_000, average=3_000_000, score_a_line=None, codes=None):
    rule = StandardRule(
        code=code,
        rule_type=LINE_AND_DEPRIVATION,
        poor_line=poor_line,
        average_ceiling=average,
        score_a_line=score_a_line,
        deprivation_threshold=3,
    )
    return StandardTerms(
        code=code, rules={"urban": rule, "rural": rule}, indicator_codes=codes or INDICATORS
    )


def evidence(**changes):
    values = {
        "area": "urban",
        "income_per_capita": 1_500_000,
        "score_a": None,
        "deprivation_codes": frozenset({"employment", "health_insurance", "water"}),
        "causes": ("no_capital",),
        "primary_cause": "no_capital",
    }
    values.update(changes)
    return SurveyEvidence(**values)


def fields(problems):
    return [(p.field, p.warning) for p in problems]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_poor_household_is_classified_under_each_standard():
    statuses, problems = evaluate_survey(
        evidence(),
        SurveyStandards(
            national=terms(),
            provincial=terms("PROVINCE", poor_line=1_000_000),
            comparison=terms("OLD", poor_line=1_600_000, codes=frozenset({"employment"})),
        ),
    )

    assert problems == []
    assert (statuses.national, statuses.provincial, statuses.comparison) == (
        "poor",
        "average",  # above 1.000.000, within the average ceiling
        "near_poor",  # only one of the deprivations is an indicator of the old standard
    )
    assert statuses.recorded == "poor"


def test_poor_household_without_a_cause_is_a_problem_of_the_causes():
    statuses, problems = evaluate_survey(
        evidence(causes=(), primary_cause=None), SurveyStandards(national=terms())
    )

    assert fields(problems) == [("causes", False)]
    assert problems[0].message == "Record at least one cause for a poor or near-poor household."


def test_poor_under_the_provincial_standard_only_also_needs_a_cause():
    _statuses, problems = evaluate_survey(
        evidence(income_per_capita=2_500_000, causes=(), primary_cause=None),
        SurveyStandards(national=terms(), provincial=terms("PROVINCE", poor_line=2_600_000)),
    )

    assert fields(problems) == [("causes", False)]


def test_not_poor_household_needs_no_cause():
    statuses, problems = evaluate_survey(
        evidence(income_per_capita=5_000_000, causes=(), primary_cause=None),
        SurveyStandards(national=terms()),
    )

    assert problems == [] and statuses.national == "not_poor"


@pytest.mark.parametrize("area", ["", None, "suburban"])
def test_unknown_area_is_a_translated_problem_not_a_crash(area):
    with translation.override("vi"):
        statuses, problems = evaluate_survey(evidence(area=area), SurveyStandards(national=terms()))

    assert fields(problems) == [(WHOLE_SURVEY, False)]
    assert "khu vực" in problems[0].message  # Vietnamese, not the developer's ValueError
    assert statuses.recorded == ""


def test_standard_lacking_a_figure_gives_a_message_a_user_can_act_on():
    _statuses, problems = evaluate_survey(
        evidence(), SurveyStandards(national=terms(poor_line=None))
    )

    assert fields(problems) == [(WHOLE_SURVEY, False)]
    assert "NATIONAL lacks a figure" in problems[0].message
    assert "poor line" not in problems[0].message


def test_missing_income_evidence_is_a_problem_unless_a_status_was_decided():
    _statuses, problems = evaluate_survey(
        evidence(income_per_capita=None), SurveyStandards(national=terms())
    )
    assert fields(problems) == [("income_per_capita", False)]

    statuses, problems = evaluate_survey(
        evidence(income_per_capita=None, decided_status="near_poor"),
        SurveyStandards(national=terms()),
    )
    assert problems == []
    assert (statuses.national, statuses.recorded) == ("", "near_poor")


def test_decided_status_differing_from_the_classification_is_a_warning_and_kept():
    statuses, problems = evaluate_survey(
        evidence(decided_status="near_poor"), SurveyStandards(national=terms())
    )

    assert fields(problems) == [("status", True)]
    assert (statuses.national, statuses.recorded) == ("poor", "near_poor")


def test_provincial_standard_without_a_score_a_line_does_not_refuse_an_a_score_survey():
    statuses, problems = evaluate_survey(
        evidence(income_per_capita=None, score_a=40),
        SurveyStandards(national=terms(score_a_line=60), provincial=terms("PROVINCE")),
    )

    assert problems == []
    assert (statuses.national, statuses.provincial) == ("poor", "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"deprivation_codes": frozenset({"flying"})}, "deprivation_codes"),
        ({"causes": ("laziness",), "primary_cause": None}, "causes"),
        ({"primary_cause": "no_land"}, "primary_cause"),
        ({"support_needs": ("luck",)}, "support_needs"),
        ({"income_per_capita": -1}, "income_per_capita"),
        ({"score_a": -1}, "score_a"),
        ({"member_count": 0}, "member_count"),
        ({"decided_status": "rich"}, "status"),
    ],
)
def test_bad_input_is_named_and_gives_no_statuses(changes, field):
    statuses, problems = evaluate_survey(evidence(**changes), SurveyStandards(national=terms()))

    assert fields(problems) == [(field, False)]
    assert statuses.recorded == ""


def test_terms_of_a_standard_read_its_figures_for_both_areas():
    standard = PovertyStandard(
        code="X",
        rule_type=LINE_AND_DEPRIVATION,
        poor_line_urban=2_800_000,
        poor_line_rural=2_200_000,
        score_a_line_rural=50,
        deprivation_threshold=3,
    )

    read = StandardTerms.of(standard, ["water"])

    assert (read.rules["urban"].poor_line, read.rules["rural"].poor_line) == (2_800_000, 2_200_000)
    assert read.accepts_score_a("rural") and not read.accepts_score_a("urban")
    assert read.indicator_codes == {"water"}

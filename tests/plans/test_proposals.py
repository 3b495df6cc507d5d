"""Proposed actions from deprivations and causes: matching, order, due dates."""

import datetime
from types import SimpleNamespace

import pytest

from plans.models import ActionTemplate
from plans.proposals import ProposedAction, add_months, propose_actions

START = datetime.date(2025, 1, 31)


def template(kind, code, description, months=6, order=0, support_type_id=None):
    return SimpleNamespace(
        target_kind=kind,
        target_code=code,
        description=description,
        support_type_id=support_type_id,
        responsibility="grassroots_officer",
        due_in_months=months,
        order=order,
    )


TEMPLATES = [
    template("cause", "no_capital", "Loan", months=3, order=5),
    template("indicator", "water", "Clean water", months=12, order=2),
    template("indicator", "housing_quality", "Repair the house", months=1, order=1),
    template("indicator", "housing_quality", "Visit the house", months=2, order=0),
    template("cause", "illness_accident", "Insurance card", months=1, order=6),
    template("indicator", "telecom", "Internet", order=3),
]


def descriptions(proposals: list[ProposedAction]) -> list[str]:
    return [p.description for p in proposals]


def test_propose_actions_orders_indicators_as_given_then_causes_as_given():
    proposals = propose_actions(
        deprived_codes=["water", "housing_quality"],
        causes=["illness_accident", "no_capital"],
        templates=TEMPLATES,
        start=START,
    )
    assert descriptions(proposals) == [
        "Clean water",
        "Visit the house",
        "Repair the house",
        "Insurance card",
        "Loan",
    ]


def test_propose_actions_sets_target_and_kind_of_each_proposal():
    proposals = propose_actions(
        deprived_codes=["water"], causes=["no_capital"], templates=TEMPLATES, start=START
    )
    assert [(p.target_kind, p.target_code) for p in proposals] == [
        ("indicator", "water"),
        ("cause", "no_capital"),
    ]


def test_propose_actions_clamps_due_date_to_month_end_when_start_is_31st():
    proposals = propose_actions(
        deprived_codes=["housing_quality"], causes=[], templates=TEMPLATES, start=START
    )
    assert [p.due_date for p in proposals] == [
        datetime.date(2025, 3, 31),  # 2 months
        datetime.date(2025, 2, 28),  # 1 month: February has no 31st
    ]


def test_propose_actions_ignores_codes_without_template_and_repeated_codes():
    proposals = propose_actions(
        deprived_codes=["nutrition", "water", "water"],
        causes=["other", "no_capital", "no_capital"],
        templates=TEMPLATES,
        start=START,
    )
    assert descriptions(proposals) == ["Clean water", "Loan"]


def test_propose_actions_does_not_match_an_indicator_code_as_a_cause():
    proposals = propose_actions(
        deprived_codes=[], causes=["water"], templates=TEMPLATES, start=START
    )
    assert proposals == []


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2025, 1, 15), 1, datetime.date(2025, 2, 15)),
        (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2025, 8, 31), 18, datetime.date(2027, 2, 28)),
        (datetime.date(2025, 12, 1), 1, datetime.date(2026, 1, 1)),
    ],
)
def test_add_months_crosses_years_and_clamps_day(day, months, expected):
    assert add_months(day, months) == expected


# --- with the catalogue loaded by the data migration ---------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "code", "description", "support_type", "months"),
    [
        ("indicator", "housing_quality", "Hỗ trợ sửa chữa nhà ở", "housing_repair", 12),
        (
            "indicator",
            "health_insurance",
            "Cấp thẻ BHYT cho thành viên chưa có thẻ",
            "health_insurance",
            1,
        ),
        ("cause", "no_capital", "Hướng dẫn vay vốn ưu đãi NHCSXH", "loan", 3),
        (
            "indicator",
            "school_attendance",
            "Hỗ trợ chi phí học tập, vận động trẻ đến trường",
            "study_costs",
            3,
        ),
    ],
)
def test_propose_actions_from_catalogue_maps_need_to_support(
    kind, code, description, support_type, months
):
    templates = list(ActionTemplate.objects.select_related("support_type"))
    proposals = propose_actions(
        deprived_codes=[code] if kind == "indicator" else [],
        causes=[code] if kind == "cause" else [],
        templates=templates,
        start=datetime.date(2025, 10, 1),
    )
    assert descriptions(proposals) == [description]
    by_id = {t.support_type_id: t.support_type for t in templates if t.support_type_id}
    assert by_id[proposals[0].support_type_id].code == support_type
    assert proposals[0].due_date == add_months(datetime.date(2025, 10, 1), months)

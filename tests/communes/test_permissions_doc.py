"""docs/permissions.md says who may do what: its role × action table matches the code's."""

import re
from pathlib import Path

from communes.models import Role
from communes.permissions import GRANT_ACTIONS, ROLE_ACTIONS, Action

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
COLUMNS = (Role.CITY_HEAD, Role.CITY_STAFF, Role.WARD_HEAD, Role.WARD_OFFICER, Role.MEMBER)


def documented_rows() -> dict[Action, dict[str, str]]:
    """Each action's row of the doc's table: role → "yes" | "grant" | ""."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 1 + len(COLUMNS) or not line.startswith("| "):
            continue
        # The actions a row documents: the names in its closing parentheses.
        closing = re.search(r"\(([^()]*)\)\s*$", cells[0])
        names = re.findall(r"`([a-z_]+)`", closing.group(1)) if closing else []
        for name in (n for n in names if n in Action._value2member_map_):
            rows[Action(name)] = {
                role: "grant" if cell.startswith("grant") else "yes" if "✓" in cell else ""
                for role, cell in zip(COLUMNS, cells[1:], strict=True)
            }
    return rows


def code_row(action: Action) -> dict[str, str]:
    return {
        role: "yes"
        if action in ROLE_ACTIONS[role]
        else "grant"
        if action in GRANT_ACTIONS.get(role, ())
        else ""
        for role in COLUMNS
    }


def test_every_action_of_the_table_is_documented_as_the_code_grants_it():
    granted = set().union(*ROLE_ACTIONS.values(), *GRANT_ACTIONS.values())
    rows = documented_rows()

    assert granted - rows.keys() == set(), "actions missing from docs/permissions.md"
    assert {action: row for action, row in rows.items() if row != code_row(action)} == {}


def test_reports_are_an_action_of_city_roles_and_ward_heads():
    assert (
        documented_rows()[Action.VIEW_REPORTS]
        == code_row(Action.VIEW_REPORTS)
        == {
            Role.CITY_HEAD: "yes",
            Role.CITY_STAFF: "yes",
            Role.WARD_HEAD: "yes",
            Role.WARD_OFFICER: "",
            Role.MEMBER: "",
        }
    )

"""Project-wide pytest hooks.

Browser journeys (``@pytest.mark.browser``) drive the system Chromium. On a
developer machine without it they are skipped with a reason; under CI (``CI``
set) they always run, so a missing browser fails loudly instead of passing
quietly. Run them alone with ``make test ARGS="-m browser"``.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists() or _in_ci():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} not found; install it (apt-get install chromium) to run browser tests"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)

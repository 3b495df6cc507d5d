"""Project-wide pytest hooks.

Browser journeys (``@pytest.mark.browser``) drive the system Chromium. On a
developer machine without it they are skipped with a reason; under CI (``CI``
set) they always run, so a missing browser fails loudly instead of passing
quietly. Run them alone with ``make test ARGS="-m browser"``.

Concurrency tests (``@pytest.mark.postgres``) need PostgreSQL row locks: on
SQLite they are skipped with a reason. With ``REQUIRE_POSTGRES`` set (CI's
PostgreSQL run) a database other than PostgreSQL is an error, so they can
never be skipped there by a mistyped ``DATABASE_URL``.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def _in_ci() -> bool:
    return _required("CI")


def _required(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _skip_postgres_tests_elsewhere(items)
    if CHROMIUM.exists() or _in_ci():
        return
    skip = pytest.mark.skip(
        reason=f"{CHROMIUM} not found; install it (apt-get install chromium) to run browser tests"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def _skip_postgres_tests_elsewhere(items: list[pytest.Item]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if _required("REQUIRE_POSTGRES"):
        raise pytest.UsageError(
            f"REQUIRE_POSTGRES is set but the tests use {connection.vendor}: check DATABASE_URL"
        )
    skip = pytest.mark.skip(
        reason="needs PostgreSQL row locks (SQLite serialises writers); set DATABASE_URL"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)

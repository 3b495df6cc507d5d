"""Helpers of the PostgreSQL concurrency tests: threads on their own connections.

Mark such a test ``@pytest.mark.postgres`` (with ``django_db(transaction=True)``):
it is skipped on SQLite, where writers are serialised and the interleaving
cannot happen, and it is an error for it to be skipped when ``REQUIRE_POSTGRES``
is set (CI's PostgreSQL run, see ``.ci/run`` and ``tests/conftest.py``).
"""

from __future__ import annotations

import threading
import time

from django.db import connection


def wait_for_lock_waiter(outcome: dict, timeout: float = 15.0) -> None:
    """Until another connection of this database waits on a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"no connection waited on a lock: {outcome}")


def start_thread(target, outcome: dict, key: str) -> threading.Thread:
    """Run ``target`` on its own connection; its result (or exception) lands in ``outcome[key]``."""

    def run():
        try:
            outcome[key] = target()
        except BaseException as error:  # noqa: BLE001 - the test re-raises or inspects it
            outcome[key] = error
        finally:
            connection.close()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    return worker


def joined(*workers: threading.Thread) -> None:
    for worker in workers:
        worker.join(30)
        assert not worker.is_alive()

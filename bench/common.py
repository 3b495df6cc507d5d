"""Shared helpers of the benchmarks: Django setup, timing, figure lines.

Every script in ``bench/`` runs against the database of ``DATABASE_URL``
(default: the SQLite file of ``halong.settings``). Import this module first:
it puts the project on ``sys.path`` and configures Django.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "halong.settings")
os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
# The Django test Client and the benchmarks call the ORM from plain scripts.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The test Client's host, and the loopback address of the load test.
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# The bench users sign in with force_login, which has no second step: without
# this every city page is a redirect to the enrolment page (the second factor
# is checked from the session, at no query cost, when it is on).
os.environ.setdefault("TWO_FACTOR_ENFORCED", "false")


def setup() -> None:
    import django

    django.setup()


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def database_label() -> str:
    from django.db import connection

    settings = connection.settings_dict
    name = Path(str(settings["NAME"])).name if connection.vendor == "sqlite" else settings["NAME"]
    return f"{connection.vendor}:{name}"


def median_time(fn: Callable[[], object], runs: int, warmup: int = 1) -> tuple[float, list[float]]:
    """Median wall time of ``fn`` in seconds over ``runs`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def figure(name: str, value: float, target: float | None, unit: str, *, detail: str = "") -> bool:
    """Print one figure line ``name  median  target  PASS/MISS``; return whether it passed.

    ``target`` None: a reference figure without a target.
    """
    passed = target is None or value <= target

    def shown(v: float) -> str:
        if unit == "queries":
            return f"{v:,.0f} {unit}"
        return f"{v:,.1f} {unit}" if unit in ("ms", "MB") else f"{v:,.3f} {unit}"

    if target is None:
        limit, verdict = "", "(reference)"
    else:
        limit, verdict = f"target ≤ {shown(target)}", "PASS" if passed else "MISS"
    line = f"FIGURE  {name:<46} {shown(value):>14}   {limit:<20} {verdict}"
    if detail:
        line += f"   ({detail})"
    print(line, flush=True)
    return passed


def note(message: str) -> None:
    print(f"        {message}", flush=True)

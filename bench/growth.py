"""How the pages grow with the register: the same pages at 10k and at 100k households.

    .venv/bin/python bench/growth.py [--small-url URL] [--runs 5]

Runs ``bench/pages.py --json`` against two databases, each in its own
process: the large one of ``DATABASE_URL`` (the 100k register of
``make bench-data``) and a small one (``--small-url``, or
``BENCH_SMALL_DATABASE_URL``, or by default the large one's name with
``_10k`` appended). The small database is generated on first use with a
tenth of the large one's households (``bench/generate.py``), so the two
registers have the same shape.

For every page it prints the ratio large/small as a FIGURE: ten times the
households may cost at most 2.5 times the time (issue 13), and the query
count must be the same at both sizes (a separate FIGURE of the difference,
target 0).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from bench import common  # noqa: E402

RATIO_TARGET = 2.5


def small_url(large: str) -> str:
    """The large database's URL with ``_10k`` appended to its name (a file for SQLite)."""
    parts = urlsplit(large)
    path = parts.path
    if parts.scheme.startswith("sqlite"):
        stem, dot, suffix = path.rpartition(".")
        path = f"{stem}_10k.{suffix}" if dot else f"{path}_10k"
    else:
        path = f"{path.rstrip('/')}_10k"
    return urlunsplit(parts._replace(path=path))


def default_large_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{HERE.parent / 'var' / 'halong.sqlite3'}"


def run_python(
    script: str, url: str, *args: str, check: bool = True
) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, str(HERE / script), *args],
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


def households_in(url: str) -> int | None:
    """Households in the database at ``url``, or None when it has no register yet."""
    code = (
        "from bench import common; common.setup()\n"
        "from households.models import Household\n"
        "print(Household.objects.count())"
    )
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=HERE.parent
    )
    if done.returncode:
        return None
    return int(done.stdout.strip().splitlines()[-1])


def ensure_database(url: str) -> None:
    """Create an empty PostgreSQL database for ``url`` when it does not exist."""
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def pages(url: str, runs: int) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        done = run_python("pages.py", url, "--runs", str(runs), "--json", out.name, check=False)
        if not Path(out.name).stat().st_size:
            print(done.stdout, done.stderr[-3000:], sep="\n")
            raise SystemExit(f"bench/pages.py failed against {url}")
        return json.loads(Path(out.name).read_text())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small-url", default=os.environ.get("BENCH_SMALL_DATABASE_URL"))
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    large = default_large_url()
    small = options.small_url or small_url(large)

    large_n = households_in(large)
    if not large_n:
        print(f"no register in {large}: run `make bench-data` first", file=sys.stderr)
        return 1
    wanted = max(large_n // 10, 1)
    small_n = households_in(small)
    if small_n != wanted:
        common.note(f"generating {wanted:,} households in {small} (found {small_n})")
        ensure_database(small)
        run_python("generate.py", small, "--households", str(wanted), "--reset", "--i-know")

    common.note(f"large: {large} ({large_n:,} households); small: {small} ({wanted:,})")
    big, little = pages(large, options.runs), pages(small, options.runs)
    ok = True
    for name, at_large in big["pages"].items():
        at_small = little["pages"].get(name)
        if at_small is None:
            common.note(f"{name}: not measured on the small register")
            ok = False
            continue
        answered = at_large["status"] == at_small["status"] == 200
        ratio = at_large["ms"] / at_small["ms"] if answered and at_small["ms"] else float("inf")
        detail = f"{at_small['ms']:.1f} → {at_large['ms']:.1f} ms"
        ok &= common.figure(f"growth ×10: {name}", ratio, RATIO_TARGET, "x", detail=detail)
        extra = at_large["queries"] - at_small["queries"]
        detail = f"{at_small['queries']} → {at_large['queries']} queries"
        ok &= common.figure(f"growth ×10 queries: {name}", extra, 0, "queries", detail=detail)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

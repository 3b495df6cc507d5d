"""``scripts/backup-restore`` compares every table's contents, not only its row count.

Run on the test database (PostgreSQL): the round trip of an untouched dump
passes; a restore that changes one value (same row counts) is a mismatch.
The second case is what a count-only check let through.
"""

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from django.db import connection

from communes.models import AdministrativeUnit

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backup-restore"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="needs the PostgreSQL client tools"),
]


def _database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    auth = f"{user}:{settings['PASSWORD']}" if settings["PASSWORD"] else user
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{auth}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"


def _run(env_path: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=_database_url())
    if env_path:
        env["PATH"] = f"{env_path}:{env['PATH']}"
    return subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.django_db(transaction=True)
def test_an_untouched_restore_passes(units):
    result = _run()
    assert result.returncode == 0, result.stderr
    assert "identical counts and checksums after restore" in result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_restore_with_one_changed_value_is_a_mismatch(units, tmp_path):
    """A pg_restore that alters one name after restoring: the counts match, the contents not."""
    table = AdministrativeUnit._meta.db_table
    fake = tmp_path / "pg_restore"
    fake.write_text(
        "#!/usr/bin/env bash\nset -e\n"
        f'{shutil.which("pg_restore")} "$@"\n'
        'for arg in "$@"; do case "$arg" in --dbname=*) url="${arg#--dbname=}" ;; esac; done\n'
        f'psql "$url" -q -c "UPDATE {table} SET name = name || \'!\' '
        f'WHERE id = (SELECT min(id) FROM {table})"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)

    result = _run(env_path=str(tmp_path))

    assert result.returncode == 1, result.stdout + result.stderr
    assert "MISMATCH" in result.stderr and table in result.stderr

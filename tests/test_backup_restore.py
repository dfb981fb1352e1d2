"""Backup and restore with PostgreSQL's own tools, as docs/operations.md ("Backup and
restore") tells an operator to: ``pg_dump --format=custom`` of the database, ``createdb`` of an
empty one, ``pg_restore --no-owner --exit-on-error`` into it. The restored database holds the same
rows in every table (the history too), our own export of it is the same file, byte for byte,
and it takes new records.

The real binaries run against the suite's test database (the demo data committed to it first);
PostgreSQL only."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("pg_dump", "createdb", "pg_restore", "dropdb")

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore back up PostgreSQL only"),
    # The data must be committed for pg_dump (another connection) to see it; the migrations'
    # rows (countries, groups) are put back after the flush for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def server_env():
    """The environment the PostgreSQL client tools read the server from (PGHOST, ...)."""
    settings = connection.settings_dict
    env = {**os.environ, "PGHOST": settings["HOST"] or "", "PGPORT": str(settings["PORT"] or "5432")}
    if settings["USER"]:
        env["PGUSER"] = settings["USER"]
    if settings["PASSWORD"]:
        env["PGPASSWORD"] = settings["PASSWORD"]
    return env


def database_url(name):
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{credentials}@{settings['HOST']}:{settings['PORT'] or 5432}/{name}"


def run(*args, env):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stderr}"
    return result


def export(name, path):
    """``manage.py export_data`` of database ``name``, in a process of its own."""
    env = {**os.environ, "DATABASE_URL": database_url(name), "DEBUG": "true"}
    run(sys.executable, "manage.py", "export_data", "--output", str(path), env=env)
    return path.read_bytes()


def row_counts(name):
    """Rows of every table of the public schema of database ``name``."""
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=name,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
    ) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in sorted(tables)}


@pytest.fixture
def restored_name():
    """The name of a database that does not exist yet; dropped after the test."""
    name = f"restored_{uuid.uuid4().hex[:12]}"
    yield name
    subprocess.run(["dropdb", "--if-exists", "--force", name], env=server_env(), capture_output=True, check=False)


def test_pg_dump_and_pg_restore_give_the_same_data_and_the_same_export(tmp_path, restored_name):
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"PostgreSQL client tools missing: {missing} (apt-get install postgresql-client)"
    call_command("load_demo", verbosity=0)
    original = connection.settings_dict["NAME"]
    env = server_env()
    dump = tmp_path / "sanctionsdb.dump"

    # The commands of docs/operations.md, "Backup and restore".
    run("pg_dump", "--format=custom", f"--file={dump}", database_url(original), env=env)
    run("createdb", restored_name, env=env)
    run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored_name}", str(dump), env=env)

    before = row_counts(original)
    assert before["transfers_transfer"] > 0 and before["transfers_historicaltransfer"] > 0, "no demo data dumped"
    assert row_counts(restored_name) == before
    exported = export(original, tmp_path / "original.json")
    assert b'"model": "transfers.transfer"' in exported
    assert export(restored_name, tmp_path / "restored.json") == exported

    # The restored database takes new records: its sequences came back past the restored rows.
    new = tmp_path / "new.json"
    new.write_text('[{"model": "evidence.source", "fields": {"url": "https://restored.example.org/1"}}]')
    env = {**os.environ, "DATABASE_URL": database_url(restored_name), "DEBUG": "true"}
    run(sys.executable, "manage.py", "import_data", str(new), env=env)
    assert row_counts(restored_name)["evidence_source"] == before["evidence_source"] + 1

"""The app survives its database going away and coming back without being restarted: while
the database is out of reach, requests get a clean 503 with ``Retry-After``; afterwards they
succeed again. Run against a real gunicorn with the production settings and a scratch
database of the suite's engine: on PostgreSQL the server itself is stopped and started; on
SQLite the database file is moved away and back."""

import json
import os
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connections

from tests.scratch import ScratchDatabase, start_gunicorn

PG_CLUSTER = sorted(os.listdir("/etc/postgresql"))[-1] if Path("/etc/postgresql").exists() else None


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def server(tmp_path, scratch_template):
    scratch = ScratchDatabase(tmp_path, template=scratch_template)
    env = {
        **scratch.env(),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    process = None
    try:
        process, base = start_gunicorn(env, ready_path="/api/v1/countries/KP/")
        url = f"{base}/api/v1/countries/KP/"
        yield scratch, url
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)
        scratch.drop()


def take_database_away(scratch):
    if scratch.vendor == "postgresql":
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_CLUSTER, "main", "stop"], check=True)
    else:
        scratch.path.rename(scratch.path.with_suffix(".away"))


def bring_database_back(scratch):
    if scratch.vendor == "postgresql":
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_CLUSTER, "main", "start"], check=True)
        for _ in range(60):
            if subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"]).returncode == 0:
                break
            time.sleep(0.5)
        # This process's own connections died with the server: open new ones when next used.
        for connection in connections.all():
            connection.close()
    else:
        for leftover in scratch.path.parent.glob(f"{scratch.path.name}*"):
            leftover.unlink()
        scratch.path.with_suffix(".away").rename(scratch.path)


def test_requests_get_503_while_the_database_is_away_and_succeed_after_without_a_restart(server):
    scratch, url = server
    status, _, body = get(url)
    assert status == 200 and json.loads(body)["iso2"] == "KP"

    take_database_away(scratch)
    try:
        status, headers, body = get(url)
        assert status == 503
        assert headers["Retry-After"] == "5"
        assert "try again" in json.loads(body)["detail"]
    finally:
        bring_database_back(scratch)

    deadline = time.monotonic() + 30
    while (status := get(url)[0]) != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200

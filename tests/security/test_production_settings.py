"""The production variables of docs/operations.md ("Production settings"), read from that
page: ``manage.py check --deploy`` is clean with them, and a real request gets the HTTPS
redirect, HSTS, secure cookies and the Content-Security-Policy. Without variables DEBUG is off."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
OPERATIONS = ROOT / "docs" / "operations.md"


def bare_environment():
    """Only what a process needs to start: none of the test run's own variables (its
    DATABASE_URL, or DJANGO_ALLOW_ASYNC_UNSAFE set by the browser tests) leaks in."""
    return {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}


def documented_production_variables():
    """The ``NAME=value`` lines of the first sh block under "## Production settings"."""
    text = OPERATIONS.read_text()
    section = text[text.index("## Production settings") :]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.DOTALL).group(1)
    variables = {}
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, value = line.partition("=")
            variables[name] = value
    return variables


def production_env():
    variables = documented_production_variables()
    assert variables["DEBUG"] == "false"
    variables["SECRET_KEY"] = secrets.token_urlsafe(50)
    return {**bare_environment(), **variables}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )


def test_the_documented_block_sets_the_https_variables():
    variables = documented_production_variables()
    for name in ("SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SECRET_KEY"):
        assert name in variables, name


def test_check_deploy_is_clean_under_the_documented_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_without_the_https_variables_check_deploy_names_what_is_missing():
    env = production_env()
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD"):
        del env[name]
    result = manage("check", "--deploy", env=env)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stderr + result.stdout, warning


SCRIPT = """
import json
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="sanctions.example.org")
plain = client.get("/admin/login/")
secure = client.get("/admin/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "debug": settings.DEBUG,
    "plain": [plain.status_code, plain.get("Location")],
    "secure": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "csrf_cookie_secure": bool(secure.cookies["csrftoken"]["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
}))
"""


def test_a_request_under_the_documented_variables_gets_https_only_answers():
    env = production_env()
    env["ALLOWED_HOSTS"] = env["ALLOWED_HOSTS"] + ",testserver"
    result = manage("shell", "--no-imports", "-c", SCRIPT, env=env)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert seen["plain"] == [301, "https://sanctions.example.org/admin/login/"]
    assert seen["secure"] == 200
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in seen["csp"] and "frame-ancestors 'none'" in seen["csp"]
    assert seen["csrf_cookie_secure"] is True
    assert seen["session_cookie_secure"] is True


def test_debug_is_off_when_the_variable_is_not_set():
    env = bare_environment()
    result = manage("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.django_db
def test_every_response_carries_the_content_security_policy(client):
    policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    docs = client.get("/api/docs/")["Content-Security-Policy"]
    assert re.search(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]+'", docs), docs

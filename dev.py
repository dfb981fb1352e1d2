#!/usr/bin/env python3
"""The two commands of the quickstart.

    python3 dev.py up     set up .venv, migrate, load the demo and reference data, serve on 127.0.0.1:8000
                          (DEBUG=true) with a background worker (manage.py db_worker);
                          --port N and --host H serve elsewhere
    python3 dev.py test   set up .venv if needed and run the whole test suite
    python3 dev.py setup  only create .venv and install the requirements

Only the standard library is used here, so it runs on a fresh Python 3.11+.
"""

import argparse
import hashlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements.sha256"
ADMIN_USERNAME = "admin"


def run(*args, **kwargs):
    return subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def ensure_environment():
    """Create the virtual environment and install the pinned requirements when they changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit(f"sanctionsdb needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating the virtual environment in .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("Installing requirements ...", flush=True)
        run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS)
        STAMP.write_text(digest)


def manage(*args, **kwargs):
    return run(PYTHON, "manage.py", *args, **kwargs)


def ensure_admin_account(address):
    """Create the first account with a generated password, shown once."""
    password = secrets.token_urlsafe(12)
    script = (
        "from django.contrib.auth import get_user_model\n"
        "User = get_user_model()\n"
        f"if User.objects.filter(username={ADMIN_USERNAME!r}).exists():\n"
        "    print('exists')\n"
        "else:\n"
        f"    User.objects.create_superuser({ADMIN_USERNAME!r}, '', {password!r})\n"
        "    print('created')\n"
    )
    result = manage("shell", "--no-imports", "-c", script, capture_output=True, text=True)
    if result.stdout.strip().endswith("created"):
        print(f"\nLog in at http://{address}/admin/ as '{ADMIN_USERNAME}' with password: {password}")
        print("(shown once; change it with: .venv/bin/python manage.py changepassword admin)\n")
    else:
        print(f"\nLog in at http://{address}/admin/ as '{ADMIN_USERNAME}' with the password shown on the first run")
        print("(forgotten? .venv/bin/python manage.py changepassword admin)\n")


def free_address(host, port):
    """Exit with one line, not a traceback, when ``host:port`` cannot be served on."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        reason = "is in use" if exc.errno in (98, 48, 10048) else f"cannot be served on ({exc.strerror})"
        sys.exit(f"{host}:{port} {reason}: choose another with python3 dev.py up --port N (or --host H).")


def up(extra):
    parser = argparse.ArgumentParser(prog="dev.py up", description="Serve the demo on a development server.")
    parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
    parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    options, extra = parser.parse_known_args(extra)
    if not 0 < options.port < 65536:
        sys.exit(f"--port {options.port} is not a port: give a number from 1 to 65535.")
    free_address(options.host, options.port)
    address = f"[{options.host}]:{options.port}" if ":" in options.host else f"{options.host}:{options.port}"
    # The settings default to production's (DEBUG off, where the public development key is
    # refused); the quickstart is a development server: DEBUG on, static files served.
    os.environ.setdefault("DEBUG", "true")
    ensure_environment()
    manage("migrate", "--no-input", "--verbosity", "0")
    manage("load_demo")
    manage("load_reference")
    ensure_admin_account(address)
    # The background worker (findings recomputed after a change that touches many transfers,
    # apps/transfers/tasks.py), beside the server and stopped with it: on Ctrl-C, and on a
    # SIGTERM too (it would otherwise leave the worker and the server running).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    worker = subprocess.Popen([str(PYTHON), "manage.py", "db_worker", "--no-startup-delay"], cwd=ROOT)
    try:
        manage("runserver", address, *extra)
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def test(extra):
    # DEBUG stays as set (off by default): pytest-django runs the tests with DEBUG off anyway,
    # and the tests that need production's or development's variables set them themselves.
    ensure_environment()
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *extra])


def setup(extra):
    ensure_environment()


def main():
    commands = {"up": up, "test": test, "setup": setup}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    os.chdir(ROOT)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()

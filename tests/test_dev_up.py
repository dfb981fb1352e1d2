"""``python3 dev.py up``: serves where it is told, and says in one line when it cannot."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_port_in_use_is_one_line_not_a_traceback():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "dev.py", "up", "--port", str(port)], cwd=ROOT, capture_output=True, text=True
        )
    assert result.returncode == 1
    assert (
        result.stderr == f"127.0.0.1:{port} is in use: choose another with python3 dev.py up --port N (or --host H).\n"
    )
    bad = subprocess.run([sys.executable, "dev.py", "up", "--port", "70000"], cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr and "--port 70000 is not a port" in bad.stderr


def test_up_serves_the_demo_and_the_reference_data_on_the_port_it_is_given(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DEBUG": "true"}
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [sys.executable, "dev.py", "up", "--port", str(port), "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        page = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/countries/KP/", timeout=5) as response:
                    page = response.read().decode()
                break
            except OSError:
                time.sleep(1)
        assert page is not None, server.stdout.read() if server.poll() is not None else "no answer in time"
        assert "North Korea" in page
        # The reference data (fixtures/reference/) is loaded by up as well.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/regimes/UN-1701/", timeout=5) as response:
            assert "Lebanon" in response.read().decode()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

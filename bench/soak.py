"""Soak: N minutes of mixed reads and writes from several processes against gunicorn with the
production settings and PostgreSQL, then a check that every write the API acknowledged is in
the database.

    .venv/bin/python bench/soak.py --minutes 10 --clients 4

The database (``--database-url``, a scratch PostgreSQL database by default) is migrated and
given the demo data; a reviewer with a token is created. Each client process loops until the
deadline over: the transfer list (filtered), a transfer's detail and its findings, a
country's profile, the graph, the change feed, creating a source, and changing one of its
own sources with ``If-Match``. Traffic goes to 127.0.0.1 only and stops by itself. The last
line reads

    soak <minutes> min: <requests> requests, <errors> errors, <lost> lost writes, rss <start>→<end> MB

where errors are 5xx answers, connection failures and unexpected statuses, lost writes are
acknowledged creates or changes missing from the database afterwards, and rss is the
resident memory of gunicorn's processes at the start and at the end.
"""

import argparse
import json
import multiprocessing
import os
import random
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
READS = [
    "/api/v1/transfers/?supplier=KP",
    "/api/v1/transfers/kp-ru-ballistic-missiles-2023/",
    "/api/v1/transfers/kp-ru-ballistic-missiles-2023/contraventions/",
    "/api/v1/countries/RU/profile/",
    "/api/v1/graph/",
    "/api/v1/changes/?since=2000-01-01T00:00:00Z&limit=50",
]


def run_manage(env, *args):
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def ensure_database(url):
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')


def production_env(database_url, **extra):
    """The production settings for a server on loopback: DEBUG off, a fresh secret key, no
    rate limits (the load comes from one address)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_ANON": "off",
        "API_THROTTLE_USER": "off",
        **extra,
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_mb(pid):
    """Resident memory of a process and its children, from /proc."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for each in pids:
        status = Path(f"/proc/{each}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def request(base, token, method, path, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Token {token}")
    req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def client(number, base, token, deadline, results):
    """One client process: mixed requests until the deadline; returns its counts and the
    writes the API acknowledged."""
    rng = random.Random(number)
    requests = errors = 0
    created = {}  # url -> title last acknowledged
    while time.time() < deadline:
        choice = rng.random()
        try:
            if choice < 0.7:
                status, _, _ = request(base, token, "GET", rng.choice(READS))
                ok = status == 200
            elif choice < 0.85 or not created:
                url = f"https://soak.example.org/{number}/{requests}-{secrets.token_hex(4)}"
                title = f"soak {number} {requests}"
                status, _, _ = request(base, token, "POST", "/api/v1/sources/", {"url": url, "title": title})
                ok = status == 201
                if ok:
                    created[url] = title
            else:
                url = rng.choice(list(created))
                path = "/api/v1/sources/?" + urllib.parse.urlencode({"url": url})
                status, _, body = request(base, token, "GET", path)
                record = json.loads(body)["results"][0]
                detail = f"/api/v1/sources/{record['id']}/"
                status, headers, _ = request(base, token, "GET", detail)
                title = f"changed {number} {requests}"
                status, _, _ = request(base, token, "PATCH", detail, {"title": title}, {"If-Match": headers["ETag"]})
                ok = status == 200
                if ok:
                    created[url] = title
        except (OSError, KeyError, IndexError, ValueError):
            ok = False
        requests += 1
        errors += not ok
    results.put((requests, errors, created))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", default="postgres://root@127.0.0.1:5432/soak")
    args = parser.parse_args()

    ensure_database(args.database_url)
    env = production_env(args.database_url)
    run_manage(env, "migrate", "--no-input", "-v", "0")
    run_manage(env, "load_demo", "-v", "0")
    script = (
        "from django.contrib.auth.models import Group, User\n"
        "from rest_framework.authtoken.models import Token\n"
        "user, _ = User.objects.get_or_create(username='soak')\n"
        "user.groups.add(Group.objects.get(name='Reviewers'))\n"
        "print(Token.objects.get_or_create(user=user)[0].key)\n"
    )
    token = run_manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1]

    port = free_port()
    # The deployment's gunicorn.conf.py, with the soak's own bind, worker count and timeout, and
    # without replacing workers after max_requests, so that the rss line shows any growth.
    gunicorn = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "sanctionsdb.wsgi"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers), "--timeout", "60", "--max-requests", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                request(base, token, "GET", "/api/v1/")
                break
            except OSError:
                time.sleep(0.25)
        rss_start = tree_rss_mb(gunicorn.pid)
        deadline = time.time() + args.minutes * 60
        results = multiprocessing.Queue()
        processes = [
            multiprocessing.Process(target=client, args=(n, base, token, deadline, results))
            for n in range(args.clients)
        ]
        for process in processes:
            process.start()
        totals = [results.get() for _ in processes]
        for process in processes:
            process.join()
        rss_end = tree_rss_mb(gunicorn.pid)
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)

    acknowledged = {url: title for _, _, created in totals for url, title in created.items()}
    check = (
        "import json, sys\n"
        "from apps.evidence.models import Source\n"
        "wanted = json.load(sys.stdin)\n"
        "stored = dict(Source.objects.filter(url__in=list(wanted)).values_list('url', 'title'))\n"
        "print(sum(stored.get(url) != title for url, title in wanted.items()))\n"
    )
    lost = (
        subprocess.run(
            [PYTHON, "manage.py", "shell", "--no-imports", "-c", check],
            cwd=ROOT,
            env=env,
            input=json.dumps(acknowledged),
            capture_output=True,
            text=True,
            check=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    requests = sum(r for r, _, _ in totals)
    errors = sum(e for _, e, _ in totals)
    print(f"writes acknowledged: {len(acknowledged)} records")
    print(
        f"soak {args.minutes:g} min: {requests} requests, {errors} errors, {lost} lost writes, "
        f"rss {rss_start:.0f}→{rss_end:.0f} MB"
    )


if __name__ == "__main__":
    main()

"""gunicorn's settings for sanctionsdb (docs/deploy.md, "App servers").

gunicorn reads this file by itself when started from the project's folder
(``gunicorn sanctionsdb.wsgi``); ``-c gunicorn.conf.py`` names it from elsewhere. Options on
the command line win over the values here. Every value can be set from the environment:

| variable | default | meaning |
|---|---|---|
| ``PORT`` | ``8000`` | listen on ``0.0.0.0:PORT`` (``GUNICORN_BIND`` overrides the whole address) |
| ``WEB_CONCURRENCY`` | 2 × CPUs + 1 | worker processes |
| ``GUNICORN_THREADS`` | ``1`` | threads per worker; above 1 the worker is ``gthread`` |
| ``GUNICORN_TIMEOUT`` | ``30`` | seconds a request may take before its worker is killed and replaced |
| ``GUNICORN_GRACEFUL_TIMEOUT`` | ``30`` | seconds a worker has to finish its requests on restart or shutdown |
| ``GUNICORN_MAX_REQUESTS`` | ``1000`` | requests after which a worker is replaced (0: never) |
| ``GUNICORN_MAX_REQUESTS_JITTER`` | ``100`` | random extra requests, so that workers are not all replaced at once |
| ``GUNICORN_ACCESSLOG`` | ``-`` (stdout) | where the access log goes; empty: none |

Each worker thread holds its own database connection to the primary (and, with
``DATABASE_REPLICA_URLS``, one to the replica it last read): workers × threads × app servers
must stay under PostgreSQL's ``max_connections`` (or a pooler's).
"""

import os


def _env_int(name, default):
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cpus():
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may run on (containers)
    except AttributeError:
        return os.cpu_count() or 1


wsgi_app = "sanctionsdb.wsgi:application"
bind = [os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{_env_int('PORT', 8000)}"]

workers = _env_int("WEB_CONCURRENCY", 2 * _cpus() + 1)
threads = _env_int("GUNICORN_THREADS", 1)
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Replaced now and then, so that memory a worker holds on to is given back.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Off: each worker imports the app after the fork, so no database connection or other socket
# is shared between processes, and a HUP reloads new code.
preload_app = False
# The heartbeat file in memory rather than on a disk that may stall (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# One line per request, key=value: the path without its query string (for p95 by path), the
# status, the bytes sent, the time taken in milliseconds, the client as the proxy saw it and
# the peer (the proxy itself behind a load balancer).
access_log_format = '%(t)s method=%(m)s path=%(U)s status=%(s)s bytes=%(B)s ms=%(M)s client=%({x-forwarded-for}i)s peer=%(h)s agent="%(a)s"'
errorlog = "-"

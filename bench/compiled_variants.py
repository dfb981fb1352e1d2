"""The API's compiled list reads in the forms they could take, side by side in one process on
one database, against the raw-SQL reference's page (``bench/raw_list.py``) in the same run.

    DATABASE_URL=postgres://root@127.0.0.1:5432/bench_100k .venv/bin/python bench/compiled_variants.py --rounds 15

The database must hold ``bench/datagen.py``'s data set. Each path is requested through
Django's test client with the production settings (``DEBUG`` off, no throttling). The forms:

- ``binary``: prepared statements, rows in PostgreSQL's binary format, ``jsonb`` handed to
  Django as text (``JsonbAsText``): what ``apps/common/compiled.py`` does;
- ``text``: prepared statements, rows as text (no ``JsonbAsText``: Django's own loader);
- ``unprepared``: rows in binary, the statement bound on the server but not prepared (psycopg's
  ``prepare_threshold`` of None, Django's default);
- ``django-cursor``: Django's own cursor (client-side binding, values written in by psycopg,
  text rows), as with ``DATABASE_PREPARED_STATEMENTS=false``.

The forms take turns, ``--requests`` requests each per round (after two unmeasured ones), so
that the load of other processes falls on all of them alike. Per form and path it prints the
median over the rounds of the requests per second (wall time) and of this process's CPU time
per request (the rest is PostgreSQL), and the ratio to ``binary``.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanctionsdb.settings")
os.environ.update(DEBUG="false", API_THROTTLE_ANON="off", API_THROTTLE_USER="off", ALLOWED_HOSTS="127.0.0.1")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
# One connection for the whole run: a new one would lose the form's ``prepare_threshold``.
os.environ["CONN_MAX_AGE"] = "86400"
os.environ.setdefault("RAW_API_BASE", "http://127.0.0.1")

PATHS = {
    "transfers ?supplier=KP": "/api/v1/transfers/?supplier=KP",
    "actors (jsonb columns)": "/api/v1/actors/?ordering=-created_at",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=60, help="per form and path in each round")
    args = parser.parse_args()

    import django

    django.setup()
    import raw_list  # the reference, on its own connection
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from apps.common import compiled, kept

    binary_cursor = compiled._prepared_cursor_class()

    class TextCursor(binary_cursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super(binary_cursor, self).execute(query, params, prepare=True, binary=False)

    def form(name):
        """Switch this process to form ``name``; the kept reads are compiled again."""
        kept.store.clear()
        settings.DATABASE_PREPARED_STATEMENTS = name != "django-cursor"
        compiled._prepared_cursor_class = (lambda: TextCursor) if name == "text" else (lambda: binary_cursor)
        connection.ensure_connection()
        connection.connection.prepare_threshold = None if name == "unprepared" else 2**31 - 1

    forms = ["binary", "text", "unprepared", "django-cursor"]
    client = Client(HTTP_HOST="127.0.0.1")
    for path in PATHS.values():  # every form serves the same answer
        answers = []
        for name in forms:
            form(name)
            response = client.get(path)
            assert response.status_code == 200, response.content[:300]
            answers.append(response.json())
        assert all(answer == answers[0] for answer in answers), f"the forms disagree on {path}"

    rps = {(name, label): [] for name in [*forms, "raw"] for label in PATHS}
    cpu = {key: [] for key in rps}
    for round_number in range(args.rounds):
        order = forms[round_number % len(forms) :] + forms[: round_number % len(forms)]
        for name in [*order, "raw"]:
            if name != "raw":
                form(name)
            for label, path in PATHS.items():
                if name == "raw":
                    if "supplier" not in path:
                        continue

                    def request():
                        return raw_list.page("KP")
                else:

                    def request(path=path):
                        return client.get(path)

                request(), request()
                wall, process = time.perf_counter(), time.process_time()
                for _ in range(args.requests):
                    request()
                wall, process = time.perf_counter() - wall, time.process_time() - process
                rps[name, label].append(args.requests / wall)
                cpu[name, label].append(1000 * process / args.requests)
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr, flush=True)

    for label in PATHS:
        base = statistics.median(rps["binary", label])
        for name in [*forms, "raw"]:
            if not rps[name, label]:
                continue
            median = statistics.median(rps[name, label])
            print(
                f"{label:24} {name:14} {median:7.1f} rps  cpu {statistics.median(cpu[name, label]):5.2f} ms/request"
                f"  = {100 * median / base:4.0f}% of binary"
            )


if __name__ == "__main__":
    main()

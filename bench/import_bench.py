"""Time the loader against ``loaddata`` and PostgreSQL ``COPY`` on the same data.

    DATABASE_URL=postgres://root@127.0.0.1:5432/h_bench .venv/bin/python bench/import_bench.py --n 20000

Generates a fixture of N transfers (two source links each), N claims and N/10 sources, then,
each time on emptied tables: loads it with our loader (full validation, history rows, the
findings of the transfers a measure reaches), with ``loaddata``, and copies the rows our
loader writes (the same rows: the objects, their many-to-many links, their history rows and
the links those hold, and the stored findings) with ``COPY``. The demo data's regimes and
measures are loaded once first, so that the transfers to and from the DPRK in arms are
reached by its embargo and the loads write their findings. Prints the ratios; the last lines are

    import N=<n>: loader <s>s, loaddata <s>s, copy <s>s, <x>x faster than loaddata, <y>x the time of copy
    import_data N=<n>: whole process <s>s = <z>x the time of copy

the second timing ``manage.py import_data`` of the same file as a process of its own (Python
start-up, Django set-up, reading the file and the load), on PostgreSQL.

The database is migrated first; the tables the benchmark fills are emptied before each run.
"""

import argparse
import datetime
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanctionsdb.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from apps.common.history import link_history_model, tracked_link_fields  # noqa: E402
from apps.evidence.models import Source  # noqa: E402
from apps.geo.models import Country  # noqa: E402
from apps.ingest.loader import load_records  # noqa: E402
from apps.ingest.services.readers import FileSource  # noqa: E402
from apps.sanctions.models import Measure  # noqa: E402
from apps.transfers.models import (  # noqa: E402
    Claim,
    ClaimTally,
    Finding,
    FindingTally,
    Transfer,
    TransferTally,
    TransferYearTally,
)

MODELS = (Source, Transfer, Claim)
PAIRS = [("KP", "RU"), ("RU", "KP"), ("IR", "RU"), ("CN", "KP"), ("KP", "SY")]
CATEGORIES = ["munitions", "missiles", "fuel", "military_technology", "financial"]


def generate(n, path):
    """Write the fixture: sources, then transfers, then claims (streamed, one object a line)."""
    sources = max(n // 10, 2)
    with open(path, "w", encoding="utf-8") as out:
        out.write("[\n")
        first = True

        def emit(obj):
            nonlocal first
            out.write(("" if first else ",\n") + json.dumps(obj))
            first = False

        for i in range(sources):
            emit(
                {
                    "model": "evidence.source",
                    "fields": {
                        "url": f"https://news.example.org/story-{i}",
                        "title": f"Story {i}",
                        "publisher": "Example News",
                        "published_on": "2024-06-18",
                        "kind": "news",
                    },
                }
            )
        start = datetime.date(2022, 1, 1)
        for i in range(n):
            supplier, recipient = PAIRS[i % len(PAIRS)]
            began = start + datetime.timedelta(days=i % 700)
            emit(
                {
                    "model": "transfers.transfer",
                    "fields": {
                        "reference": f"transfer-{i}",
                        "supplier": [supplier],
                        "recipient": [recipient],
                        "category": CATEGORIES[i % len(CATEGORIES)],
                        "items": f"consignment {i}",
                        "quantity_low": 100 + i % 50,
                        "quantity_high": 200 + i % 50,
                        "quantity_unit": "units",
                        "started_on": began.isoformat(),
                        "ended_on": (began + datetime.timedelta(days=30)).isoformat(),
                        "date_precision": "day",
                        "status": "alleged",
                        "sources": [
                            [f"https://news.example.org/story-{i % sources}"],
                            [f"https://news.example.org/story-{(i + 1) % sources}"],
                        ],
                    },
                }
            )
        for i in range(n):
            emit(
                {
                    "model": "transfers.claim",
                    "fields": {
                        "reference": f"claim-{i}",
                        "transfer": [f"transfer-{i}"],
                        "stance": "alleges",
                        "claimant_country": ["US"],
                        "made_on": "2024-01-04",
                        "summary": f"Officials allege consignment {i}.",
                        "source": [f"https://news.example.org/story-{i % sources}"],
                    },
                }
            )
        out.write("\n]\n")


def tables():
    names = []
    for model in MODELS:
        names.append(model._meta.db_table)
        names.append(model.history.model._meta.db_table)
        names.extend(field.remote_field.through._meta.db_table for field in model._meta.many_to_many)
        names.extend(link_history_model(field)._meta.db_table for field in tracked_link_fields(model))
    # The counts the loads keep of what they write (apps.transfers.tallies), and the findings.
    names.extend(
        model._meta.db_table for model in (TransferTally, TransferYearTally, ClaimTally, FindingTally, Finding)
    )
    return names


def empty():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables())} RESTART IDENTITY CASCADE")
        else:
            for table in reversed(tables()):
                cursor.execute(f'DELETE FROM "{table}"')


def timed(function):
    empty()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def run_loader(path):
    report = load_records([FileSource(path)])
    assert report.ok, [str(e) for e in report.errors[:5]]


def run_import_data_process(path):
    """``manage.py import_data`` as a whole process: start-up, reading the file, the load."""
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true")}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "import_data", str(path), "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def run_loaddata(path):
    call_command("loaddata", str(path), verbosity=0)


def copy_rows():
    """The rows our loader writes, in memory, ready for COPY (tab-separated text)."""
    country = dict(Country.objects.values_list("iso2", "pk"))
    now = datetime.datetime.now(datetime.UTC).isoformat()
    return now, country


def written_findings():
    """The stored findings a load wrote, as ``COPY`` gives them back: ``(columns, text)``."""
    columns = [field.column for field in Finding._meta.concrete_fields]
    text = io.StringIO()
    statement = f"COPY (SELECT {', '.join(columns)} FROM {Finding._meta.db_table}) TO STDOUT"
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            text.write(bytes(block).decode())
    return columns, text.getvalue()


def run_copy(n, state, findings):
    """COPY the sources, transfers, links, claims and their history rows, and ``findings``
    (``written_findings``: the loader's own)."""
    now, country = state
    sources = max(n // 10, 2)
    buffers = {}

    def table(model, columns, rows, history=False):
        name = model.history.model._meta.db_table if history else model._meta.db_table
        buffers.setdefault((name, tuple(columns)), []).extend(rows)

    source_cols = [
        "id",
        "url",
        "title",
        "publisher",
        "published_on",
        "kind",
        "document_symbol",
        "language",
        "archived_url",
        "editor_note",
    ]
    source_rows = [
        [
            i + 1,
            f"https://news.example.org/story-{i}",
            f"Story {i}",
            "Example News",
            "2024-06-18",
            "news",
            "",
            "en",
            "",
            "",
        ]
        for i in range(sources)
    ]
    transfer_cols = [
        "id", "review_status", "reference", "supplier_id", "recipient_id", "category", "items", "quantity_low",
        "quantity_high", "quantity_unit", "started_on", "ended_on", "date_precision", "status", "description",
        "value_unit",
    ]  # fmt: skip
    start = datetime.date(2022, 1, 1)
    transfer_rows = []
    link_rows = []
    claim_rows = []
    for i in range(n):
        supplier, recipient = PAIRS[i % len(PAIRS)]
        began = start + datetime.timedelta(days=i % 700)
        transfer_rows.append(
            [
                i + 1, "draft", f"transfer-{i}", country[supplier], country[recipient], CATEGORIES[i % len(CATEGORIES)],
                f"consignment {i}", 100 + i % 50, 200 + i % 50, "units", began.isoformat(),
                (began + datetime.timedelta(days=30)).isoformat(), "day", "alleged", "", "",
            ]
        )  # fmt: skip
        link_rows.append([i + 1, i % sources + 1])
        link_rows.append([i + 1, (i + 1) % sources + 1])
        claim_rows.append(
            [i + 1, "draft", f"claim-{i}", i + 1, "alleges", country["US"], None, "2024-01-04", "",
             f"Officials allege consignment {i}.", i % sources + 1]
        )  # fmt: skip
    claim_cols = [
        "id", "review_status", "reference", "transfer_id", "stance", "claimant_country_id", "claimant_actor_id",
        "made_on", "quote", "summary", "source_id",
    ]  # fmt: skip
    bookkeeping = ["created_at", "updated_at", "version"]
    history = ["history_date", "history_type", "history_change_reason"]
    table(Source, source_cols + bookkeeping, [r + [now, now, 1] for r in source_rows])
    table(Source, source_cols + bookkeeping + history, [r + [now, now, 1, now, "+", "copy"] for r in source_rows], True)
    table(Transfer, transfer_cols + bookkeeping, [r + [now, now, 1] for r in transfer_rows])
    table(
        Transfer,
        transfer_cols + bookkeeping + history,
        [r + [now, now, 1, now, "+", "copy"] for r in transfer_rows],
        True,
    )
    through = Transfer._meta.get_field("sources").remote_field.through
    buffers[(through._meta.db_table, ("transfer_id", "source_id"))] = link_rows
    # The links each transfer's history row holds (ids follow the COPY order: serials).
    link_history = link_history_model(Transfer._meta.get_field("sources"))._meta.db_table
    buffers[(link_history, ("id", "transfer_id", "source_id", "history_id"))] = [
        [j + 1, transfer, source, transfer] for j, (transfer, source) in enumerate(link_rows)
    ]
    table(Claim, claim_cols + bookkeeping, [r + [now, now, 1] for r in claim_rows])
    table(Claim, claim_cols + bookkeeping + history, [r + [now, now, 1, now, "+", "copy"] for r in claim_rows], True)

    empty()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for (name, columns), rows in buffers.items():
            text = io.StringIO()
            for row in rows:
                text.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
            with cursor.cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                copy.write(text.getvalue())
        columns, text = findings
        with cursor.cursor.copy(f"COPY {Finding._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
            copy.write(text)
    connection.commit() if not connection.get_autocommit() else None
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=20000, help="number of transfers (and of claims)")
    parser.add_argument("--skip-loaddata", action="store_true", help="time only the loader and COPY (large N)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not Measure.objects.exists():
        call_command("load_demo", verbosity=0)  # the regimes and measures that reach the transfers
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.json"
        generate(args.n, path)
        objects = args.n * 2 + max(args.n // 10, 2)
        print(f"fixture: {objects} objects, {2 * args.n} source links, {path.stat().st_size / 1e6:.1f} MB", flush=True)
        loader = timed(lambda: run_loader(path))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"loader: {loader:.2f}s (peak memory {peak:.0f} MB)", flush=True)
        findings = written_findings() if connection.vendor == "postgresql" else None
        if findings:
            reached = Finding.objects.values("transfer_id").distinct().count()
            print(f"findings written: {Finding.objects.count()} for {reached} transfers", flush=True)
        process = None
        if connection.vendor == "postgresql":
            connection.close()
            process = timed(lambda: run_import_data_process(path))
            print(f"import_data process: {process:.2f}s", flush=True)
        loaddata = None
        if not args.skip_loaddata:
            loaddata = timed(lambda: run_loaddata(path))
            print(f"loaddata: {loaddata:.2f}s", flush=True)
        copy = None
        if connection.vendor == "postgresql":
            copy = run_copy(args.n, copy_rows(), findings)
            print(f"copy: {copy:.2f}s", flush=True)
        empty()
    faster = f"{loaddata / loader:.1f}x faster than loaddata" if loaddata else "loaddata not run"
    versus = f"{loader / copy:.1f}x the time of copy" if copy else "copy needs PostgreSQL"
    print(
        f"import N={args.n}: loader {loader:.2f}s, loaddata {loaddata or 0:.2f}s, copy {copy or 0:.2f}s, {faster}, {versus}"
    )
    if process and copy:
        print(f"import_data N={args.n}: whole process {process:.2f}s = {process / copy:.1f}x the time of copy")


if __name__ == "__main__":
    main()

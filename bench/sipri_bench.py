"""Time ``manage.py import_sipri`` on a whole-size synthetic trade register.

    DATABASE_URL=postgres://root@127.0.0.1:5432/sipri .venv/bin/python bench/sipri_bench.py --rows 25000

Writes a register of ROWS lines in SIPRI's layout (the preamble, the header, every line ending
in ``;``): deals of one to four delivery years between real countries of the country table
(a few of them to non-state recipients, ``Name (Country)*``), every armament category. Then,
each time on emptied transfer, claim and finding tables: ``manage.py import_sipri`` of the file
as a process of its own (start-up, parsing, the load and the findings of what it loaded), its
second import of the same file (nothing changes), and as the reference ``manage.py
import_data`` of the very records ``import_sipri`` loads, written as a JSON fixture. The last
line is

    import_sipri rows=<n>: whole process <s>s (<r> rows/s), again <s>s; import_data of the same records <s>s

The database is migrated first.
"""

import argparse
import json
import os
import random
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
from apps.geo.models import Country  # noqa: E402
from apps.ingest.services.sipri import CATEGORIES, COLUMNS, parse_register, sipri_records  # noqa: E402
from apps.transfers.models import Claim, Finding, FindingsQueue, Transfer  # noqa: E402

PREAMBLE = [
    "Transfers of major conventional arms from All countries  to All countries . "
    "Deals with deliveries made for the year range '1950' to '2025';",
    "A '?' in a column indicates uncertain data.;",
    ";",
    "Source: SIPRI Arms Transfers Database (c) SIPRI.;",
    "Data generated: 12 Feb 2026 12:26:12 PM;",
    ";",
]


def generate(rows, path, seed=1):
    """Write the register: ROWS lines, deals of one to four consecutive delivery years."""
    rng = random.Random(seed)
    names = sorted(Country.objects.exclude(iso2__in=["AQ", "UM"]).values_list("name", flat=True))
    categories = sorted(CATEGORIES)
    written, deal = 0, 10_000
    with open(path, "w", encoding="utf-8") as out:
        out.write("\n".join(PREAMBLE) + "\n" + ",".join(COLUMNS) + ";\n")
        while written < rows:
            deal += 1
            supplier, recipient = rng.sample(names, 2)
            if deal % 50 == 0:
                recipient = f"Rebels ({recipient})*"
            first = rng.randint(1960, 2022)
            years = min(rng.randint(1, 4), rows - written)
            unit = rng.choice(["0.5", "1.25", "12", "25"])
            category = rng.choice(categories)
            for year in range(first, first + years):
                number = rng.randint(1, 40)
                cells = [
                    str(deal),
                    supplier,
                    recipient,
                    f"Item-{deal % 997}",
                    "self-propelled gun",
                    category,
                    str(first - 1),
                    rng.choice(["", "Yes"]),
                    str(number),
                    rng.choice(["", "Yes"]),
                    str(year),
                    "",
                    "New",
                    unit,
                    unit,
                    str(number * float(unit)),
                    "No",
                ]
                out.write(",".join(f'"{c}"' if "," in c else c for c in cells) + ";\n")
                written += 1


def tables():
    names = []
    for model in (Transfer, Claim):
        names.append(model._meta.db_table)
        names.append(model.history.model._meta.db_table)
        names.extend(field.remote_field.through._meta.db_table for field in model._meta.many_to_many)
        names.extend(link_history_model(field)._meta.db_table for field in tracked_link_fields(model))
    return [Finding._meta.db_table, FindingsQueue._meta.db_table, *names]


def empty():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables())} RESTART IDENTITY CASCADE")
        else:
            for table in tables():
                cursor.execute(f'DELETE FROM "{table}"')


def process(*args):
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true")}
    started = time.perf_counter()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args, "-v", "0"], cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=25_000)
    options = parser.parse_args()
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp:
        register = Path(tmp) / "register.csv"
        generate(options.rows, register)
        empty()
        seconds = process("import_sipri", str(register))
        again = process("import_sipri", str(register))
        transfers, claims = Transfer.objects.count(), Claim.objects.count()
        # The reference: the same records as a fixture, loaded by import_data on emptied tables.
        records, _, errors = sipri_records(parse_register(register.read_bytes(), str(register)))
        assert not errors, errors[:3]
        fixture = Path(tmp) / "register.json"
        fixture.write_text(json.dumps([{"model": r.label, "fields": r.fields} for r in records]), encoding="utf-8")
        empty()
        reference = process("import_data", str(fixture))
    print(f"{connection.vendor}: {transfers} transfers, {claims} claims")
    print(
        f"import_sipri rows={options.rows}: whole process {seconds:.1f}s ({options.rows / seconds:.0f} rows/s), "
        f"again {again:.1f}s; import_data of the same records {reference:.1f}s"
    )


if __name__ == "__main__":
    main()

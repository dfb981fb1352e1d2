"""Time ``manage.py import_list uk`` on a whole-size synthetic OFSI consolidated list.

    .venv/bin/python bench/list_uk_bench.py --targets 4700

Writes a list of TARGETS targets in OFSI's "2022 format" CSV (the ``Last Updated`` row, the
header, one row per name variation: about four rows a target, so ~18,800 rows for the real
list's ~4,700 targets): persons with dates of birth, nationalities and some passports,
entities with addresses, ships with valid IMO numbers and flags, under the UK's regimes (most
under Russia). Then, on a fresh SQLite database (migrated once, copied for each run):
``manage.py import_list uk`` of the file as a process of its own (start-up, reading, matching,
the load), its second import (nothing changes), and as the reference ``manage.py
import_data`` of the very records ``import_list`` loads, written as a JSON fixture. The last
line is

    import_list uk targets=<n> rows=<r>: whole process <s>s, again <s>s; import_data of the same records <s>s (<x>x)
"""

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = Path(tempfile.mkdtemp(prefix="list_uk_bench_"))
EMPTY = TMP / "empty.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{EMPTY}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanctionsdb.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from apps.ingest.services import lists_uk  # noqa: E402
from apps.ingest.services.countries import CountryResolver  # noqa: E402
from apps.ingest.services.lists import list_records  # noqa: E402
from apps.ingest.services.matching import merge_actor_records  # noqa: E402

REGIMES = [("Russia", 70), ("Democratic People's Republic of Korea", 6), ("Iran", 5), ("Syria", 6)]
REGIMES += [("Global Human Rights", 5), ("Global Anti-Corruption", 3), ("Belarus", 5)]
NATIONALITIES = ["Russia", "Belarus", "Democratic People's Republic of Korea", "Iran", "Syria", "Cyprus"]
SYLLABLES = [
    "ka",
    "ri",
    "mo",
    "so",
    "na",
    "vla",
    "di",
    "mir",
    "ser",
    "gei",
    "an",
    "dre",
    "tol",
    "yev",
    "ich",
    "ov",
    "ko",
    "lin",
    "pe",
    "tro",
    "shin",
    "ya",
    "bo",
    "ris",
    "zha",
]


def word(rng, parts=3):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def imo(rng):
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(5)]
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return "".join(map(str, digits)) + str(check)


def generate(targets, path, seed=1):
    """Write the list; return the number of rows after the header."""
    rng = random.Random(seed)
    regimes = [name for name, weight in REGIMES for _ in range(weight)]
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Last Updated", "02/12/2026"])
        writer.writerow(lists_uk.COLUMNS)
        for number in range(targets):
            group = str(10_000 + number)
            regime = rng.choice(regimes)
            roll = rng.random()
            base = {
                "Group ID": group,
                "Regime": regime,
                "Listed On": f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2014, 2025)}",
                "UK Sanctions List Date Designated": "31/12/2020",
                "Last Updated": "02/12/2026",
                "Other Information": f"(UK Sanctions List Ref):BEN{number:04d} Synthetic entry for a benchmark.",
            }
            if roll < 0.6:
                nationality = rng.choice(NATIONALITIES)
                base |= {
                    "Group Type": "Individual",
                    "Name 6": word(rng).upper(),
                    "Name 1": word(rng, 2),
                    "Name 2": word(rng, 3),
                    "DOB": f"{rng.randint(0, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1940, 1995)}",
                    "Town of Birth": word(rng, 2),
                    "Country of Birth": nationality,
                    "Nationality": nationality,
                    "Position": "Synthetic position",
                }
                if rng.random() < 0.3:
                    base["Passport Number"] = str(rng.randint(100_000_000, 999_999_999))
                if rng.random() < 0.5:
                    base["Name Non-Latin Script"] = "Синтетика " + str(number)
                variations = [("Name 1", word(rng, 2)), ("Name 2", word(rng, 3)), ("Name 3", word(rng, 2))]
                variations.append(("Name 6", word(rng).upper()))
            elif roll < 0.95:
                base |= {
                    "Group Type": "Entity",
                    "Name 6": f"{word(rng)} {rng.choice(['LLC', 'JSC', 'TRADING COMPANY', 'INSTITUTE', 'BANK'])}",
                    "Address 1": f"{rng.randint(1, 99)} {word(rng)} Street",
                    "Address 2": word(rng, 2),
                    "Country": rng.choice(NATIONALITIES),
                }
                variations = [("Name 6", f"{word(rng)} {word(rng)}".upper()) for _ in range(4)]
            else:
                base |= {
                    "Group Type": "Ship",
                    "Name 6": f"{word(rng)} {rng.randint(1, 9)}".upper(),
                    "Other Information": base["Other Information"]
                    + f" (IMO number):{imo(rng)} (Current believed flag of ship):{rng.choice(['Panama', 'Gabon', 'Cameroon'])}"
                    + " (Previous flags):Liberia",
                }
                variations = [("Name 6", f"{word(rng)} {rng.randint(1, 9)}".upper()) for _ in range(2)]
            rows_of_target = [{**base, "Alias Type": "Primary name"}]
            for column, value in variations[: rng.choice([2, 3, 3, 4])]:
                rows_of_target.append(
                    {**base, column: value, "Alias Type": rng.choice(["AKA", "Primary name variation"])}
                )
            for row in rows_of_target:
                writer.writerow([row.get(column, "") for column in lists_uk.COLUMNS])
            rows += len(rows_of_target)
    return rows


def process(database, *args):
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "true"), "DATABASE_URL": f"sqlite:///{database}"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args, "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", type=int, default=4_700)
    options = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        path = TMP / "ConList.csv"
        rows = generate(options.targets, path)
        # The records import_list loads into an empty database, as a fixture for import_data.
        started = time.perf_counter()
        parsed = lists_uk.parse(path.read_bytes(), str(path), countries=CountryResolver())
        assert not parsed.errors, [str(e) for e in parsed.errors[:3]]
        records, _ = list_records(lists_uk, parsed, str(path))
        in_process = time.perf_counter() - started
        fixture = TMP / "ConList.json"
        fixture.write_text(
            json.dumps([{"model": r.label, "fields": r.fields} for r in merge_actor_records(records)]), encoding="utf-8"
        )
        # Closed, so that SQLite writes its write-ahead log into the file copied.
        connections.close_all()
        shutil.copy(EMPTY, TMP / "list.sqlite3")
        shutil.copy(EMPTY, TMP / "fixture.sqlite3")
        seconds = process(TMP / "list.sqlite3", "import_list", "uk", str(path))
        again = process(TMP / "list.sqlite3", "import_list", "uk", str(path))
        reference = process(TMP / "fixture.sqlite3", "import_data", str(fixture))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    print(
        f"sqlite: {len(parsed.entries)} targets, {len(records)} records; parse and match in process {in_process:.1f}s"
    )
    print(
        f"import_list uk targets={options.targets} rows={rows}: whole process {seconds:.1f}s, again {again:.1f}s; "
        f"import_data of the same records {reference:.1f}s ({seconds / reference:.2f}x)"
    )


if __name__ == "__main__":
    main()

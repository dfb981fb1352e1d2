"""Time ``manage.py import_list us-csl`` on a whole-size synthetic Consolidated Screening List,
as a process of its own on a fresh SQLite database.

    .venv/bin/python bench/list_us_csl_bench.py --rows 14000

Writes ROWS rows in the CSL's layout (the header of tests/data/us_csl/csl.csv): about two
thirds SDN rows (entities, individuals with passports and birth dates, vessels with valid IMO
numbers and flags, aircraft; one to three OFAC program tags each), the rest spread over the
Entity List, the Denied Persons List, ITAR debarments and the Treasury's non-SDN lists, as
the real file mixes them; one name in fifty is shared by two rows, so that the import also
stores proposals. Then migrates a new SQLite database in a temporary directory (not timed) and
times ``manage.py import_list us-csl FILE`` (start-up, reading, matching and the load) and its
second import of the same file (nothing changes). The last line is

    import_list us-csl rows=<n>: whole process <s>s (<r> rows/s), again <s>s
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "us_csl" / "csl.csv"

SDN = "Specially Designated Nationals (SDN) - Treasury Department"
OTHER_LISTS = [
    ("Entity List (EL) - Bureau of Industry and Security", False, 3000),
    ("Denied Persons List (DPL) - Bureau of Industry and Security", False, 500),
    ("ITAR Debarred (DTC) - State Department", False, 400),
    ("Unverified List (UVL) - Bureau of Industry and Security", False, 200),
    ("Military End User (MEU) List - Bureau of Industry and Security", False, 70),
    ("Sectoral Sanctions Identifications List (SSI) - Treasury Department", True, 280),
    ("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department", True, 70),
    ("Foreign Sanctions Evaders (FSE) - Treasury Department", True, 20),
    ("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department", True, 12),
    ("Palestinian Legislative Council List (PLC) - Treasury Department", True, 10),
]
PROGRAMS = ["SDGT", "RUSSIA-EO14024", "IRAN", "IFSR", "NPWMD", "DPRK3", "SDNTK", "CYBER2", "UKRAINE-EO13662", "SYRIA"]
COUNTRIES = [
    "Russia",
    "Iran",
    "Korea, North",
    "China",
    "Syria",
    "Venezuela",
    "Belarus",
    "Turkey",
    "United Arab Emirates",
]
CODES = ["RU", "IR", "KP", "CN", "SY", "VE", "BY", "TR", "AE"]
WORDS = [
    "ALPHA",
    "BALTIC",
    "CASPIAN",
    "DELTA",
    "EASTERN",
    "FALCON",
    "GLOBAL",
    "HORIZON",
    "IMPERIAL",
    "JADE",
    "KAMA",
    "LOTUS",
    "MERIDIAN",
    "NORTHERN",
    "OCEAN",
    "PACIFIC",
    "QUANTUM",
    "RIVER",
    "SILK",
    "TAIGA",
    "URAL",
    "VOLGA",
    "WESTERN",
    "ZENITH",
    "AMBER",
    "CEDAR",
    "NOVA",
    "ORION",
    "POLAR",
    "STERLING",
]
SUFFIXES = ["TRADING LLC", "SHIPPING CO LTD", "INDUSTRIAL GROUP", "JSC", "HOLDING", "ELECTRONICS CO., LTD.", "BANK"]
GIVEN = [
    "Ivan",
    "Ali",
    "Kim",
    "Li",
    "Sergei",
    "Hossein",
    "Jong",
    "Wei",
    "Dmitry",
    "Reza",
    "Chol",
    "Mikhail",
    "Ahmad",
    "Song",
    "Yuri",
    "Omar",
]
FAMILY = [
    "PETROV",
    "KARIMI",
    "PAK",
    "ZHANG",
    "IVANOV",
    "HOSSEINI",
    "RI",
    "WANG",
    "SOKOLOV",
    "TEHRANI",
    "CHOE",
    "CHEN",
    "VOLKOV",
    "RAHIMI",
    "KANG",
    "LIU",
]


def imo_number(rng):
    digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(5)]
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return "".join(map(str, digits)) + str(check)


def generate(rows, path, seed=1):
    rng = random.Random(seed)
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        columns = next(csv.reader(f))
    plan = [(source, treasury) for source, treasury, count in OTHER_LISTS for _ in range(count * rows // 14000)]
    plan += [(SDN, True)] * (rows - len(plan))
    rng.shuffle(plan)
    entity_number = 10_000
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns)
        writer.writeheader()
        previous = []
        for number, (source, treasury) in enumerate(plan):
            row = {"_id": f"{rng.getrandbits(160):040x}", "source": source}
            if treasury:
                entity_number += rng.randint(1, 3)
                row["entity_number"] = str(entity_number)
            at = rng.randrange(len(COUNTRIES))
            kind = rng.random()
            if source == SDN:
                row["programs"] = "; ".join(rng.sample(PROGRAMS, rng.randint(1, 3)))
                row["type"] = (
                    "Individual"
                    if kind < 0.35
                    else "Vessel"
                    if kind < 0.43
                    else "Aircraft"
                    if kind < 0.45
                    else "Entity"
                )
            if row.get("type") == "Individual" or (source != SDN and kind < 0.3):
                name = f"{rng.choice(FAMILY)}, {rng.choice(GIVEN)} {rng.choice(GIVEN)}ovich {number}"
                row["dates_of_birth"] = f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                row["places_of_birth"] = COUNTRIES[at]
                row["nationalities"] = CODES[at]
                row["ids"] = f"Passport, {rng.randint(10**8, 10**9 - 1)}, {COUNTRIES[at]}"
                row["alt_names"] = f"{name.split(',')[0]} {number}"
            elif row.get("type") == "Vessel":
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
                row["vessel_flag"] = rng.choice(["Panama", "Liberia", "Gabon", "Cook Islands", "Iran"])
                row["vessel_type"] = "Crude Oil Tanker"
                row["ids"] = (
                    f"Vessel Registration Identification, IMO {imo_number(rng)}; MMSI, {rng.randint(10**8, 10**9 - 1)}"
                )
            elif row.get("type") == "Aircraft":
                name = f"EP-{number}"
            else:
                name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} {number}"
                row["addresses"] = f"{rng.randint(1, 200)} Prospekt Mira, Moscow, 1290{number % 100:02d}, {CODES[at]}"
                row["ids"] = f"Business Registration Number, {rng.randint(10**9, 10**10 - 1)}, {COUNTRIES[at]}"
                row["alt_names"] = f"{name.split()[0]} {number}; {name} GROUP"
            if previous and rng.random() < 0.02:
                name = rng.choice(previous)  # a name another row carries: a proposal
            previous.append(name)
            row["name"] = name
            if source != SDN:
                row["start_date"] = f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                row["federal_register_notice"] = f"{rng.randint(70, 90)} FR {rng.randint(1000, 99999)}"
                row["license_policy"] = "Presumption of denial."
            row["remarks"] = "Synthetic row for the benchmark."
            writer.writerow(row)


def process(env, *args):
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
    parser.add_argument("--rows", type=int, default=14_000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csl = Path(tmp) / "consolidated.csv"
        generate(options.rows, csl)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"}
        env.setdefault("DEBUG", "true")
        process(env, "migrate", "--no-input")
        seconds = process(env, "import_list", "us-csl", str(csl))
        again = process(env, "import_list", "us-csl", str(csl))
    print(
        f"import_list us-csl rows={options.rows}: whole process {seconds:.1f}s "
        f"({options.rows / seconds:.0f} rows/s), again {again:.1f}s"
    )


if __name__ == "__main__":
    main()

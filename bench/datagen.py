"""A realistic synthetic data set at a chosen scale, loaded through our own loader.

    DATABASE_URL=postgres://root@127.0.0.1:5432/h_bench .venv/bin/python bench/datagen.py --transfers 1000000

On top of the demo data (real countries, the real regimes, resolutions and votes), it writes
JSON Lines fixtures and loads them with ``load_records`` (the path ``import_data`` takes):

- sources: N/5, shared (a few outlets and UN reports carry many claims);
- actors: N/10, companies, vessels, people and government bodies of the countries involved;
- designations: N/10 under the real regimes, 15 % delisted, then a second weekly list that
  delists 2 % more and relists some (their history);
- transfers: N, skewed towards a few country pairs (DPRK → Russia, Iran → Russia, ...) and
  categories (munitions, fuel, ...), dates from 1995 with most in recent years, day, month
  or year precision, 1 in 10 ongoing, 5 % drafts, some through a third country, some
  in exchange for another, some naming a supplier or recipient actor;
- claims: 1–6 per transfer (2.3 on average), the first alleging, later ones corroborating,
  acknowledging or denying (the parties deny), on shared sources.

The same ``--seed`` gives the same data. ``generate()`` and ``load()`` are used by
``bench/api_bench.py`` and ``bench/soak.py``.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (supplier, recipient): weight. The rest of the transfers go between other countries.
PAIRS = {
    ("KP", "RU"): 20,
    ("RU", "KP"): 10,
    ("IR", "RU"): 10,
    ("RU", "IR"): 4,
    ("CN", "KP"): 6,
    ("KP", "SY"): 3,
    ("IR", "YE"): 3,
    ("CN", "RU"): 6,
    ("BY", "RU"): 3,
    ("KP", "IR"): 2,
    ("RU", "SY"): 2,
    ("IR", "SY"): 2,
    ("KP", "MM"): 1,
    ("RU", "ML"): 1,
}
OTHER_PAIRS_WEIGHT = 27
OTHER_COUNTRIES = [
    "AE",
    "AF",
    "AO",
    "BD",
    "BR",
    "CD",
    "CF",
    "CU",
    "DZ",
    "EG",
    "ER",
    "ET",
    "GB",
    "HK",
    "IN",
    "IQ",
    "KR",
    "LB",
    "LY",
    "MN",
    "MY",
    "NG",
    "PK",
    "SA",
    "SD",
    "SG",
    "SO",
    "SS",
    "TR",
    "UA",
    "US",
    "VE",
    "VN",
    "ZW",
]
CATEGORIES = {
    "munitions": 22,
    "missiles": 10,
    "small_arms": 6,
    "heavy_weapons": 4,
    "military_equipment": 5,
    "arms": 5,
    "refined_petroleum": 8,
    "crude_oil": 6,
    "fuel": 3,
    "coal": 4,
    "iron_ore": 1,
    "seafood": 1,
    "textiles": 1,
    "machinery": 2,
    "military_technology": 6,
    "dual_use": 5,
    "luxury_goods": 2,
    "financial": 4,
    "troops": 1,
    "workers": 2,
    "technicians": 1,
    "other": 1,
}
UNITS = {
    "munitions": ("shells", 1_000, 2_000_000),
    "missiles": ("missiles", 1, 200),
    "small_arms": ("rifles", 10, 20_000),
    "refined_petroleum": ("barrels", 1_000, 500_000),
    "crude_oil": ("barrels", 10_000, 1_000_000),
    "coal": ("tonnes", 1_000, 500_000),
    "workers": ("workers", 10, 10_000),
    "troops": ("troops", 100, 15_000),
    "financial": ("USD", 10_000, 50_000_000),
}
ITEMS = {
    "munitions": ["152 mm artillery shells", "122 mm rockets", "mortar rounds", "tank ammunition"],
    "missiles": ["KN-23 ballistic missiles", "KN-24 ballistic missiles", "anti-tank missiles", "drones"],
    "refined_petroleum": ["refined petroleum products", "diesel", "jet fuel"],
    "crude_oil": ["crude oil"],
    "military_technology": ["satellite technology", "submarine components", "air-defence radar"],
    "dual_use": ["machine tools", "electronics", "bearings"],
}
STATUSES = {"alleged": 60, "corroborated": 25, "confirmed": 10, "disproven": 5}
REGIMES = ["UN-1718", "US-DPRK", "EU-DPRK", "UK-DPRK", "US-RUSSIA-EO14024", "EU-RUSSIA", "UK-RUSSIA"]
ACCUSERS = ["US", "KR", "UA", "JP", "GB", "FR", "DE"]
PUBLISHERS = ["Reuters", "Associated Press", "UN Panel of Experts", "US Department of State", "Yonhap", "NK News"]
ACTOR_KINDS = {"company": 45, "person": 30, "vessel": 15, "organization": 5, "government_body": 5}
CLAIMS_PER_TRANSFER = {1: 40, 2: 25, 3: 15, 4: 10, 5: 6, 6: 4}
WORDS = [
    "shipment",
    "convoy",
    "railway",
    "port",
    "vessel",
    "satellite",
    "imagery",
    "customs",
    "warehouse",
    "border",
    "depot",
    "airfield",
]

CHUNK = 100_000


def _weighted(rng, table):
    keys = list(table)
    weights = list(table.values())
    return lambda: rng.choices(keys, weights)[0]


def _skewed_index(rng, size, power=3.0):
    """An index in ``range(size)`` that favours the first ones (a few sources carry many claims)."""
    return min(int(size * rng.random() ** power), size - 1)


def _day(rng, first_year=1995, last=datetime.date(2026, 10, 31)):
    """A date from ``first_year`` to ``last``, most of them in the last few years."""
    years_back = min(rng.expovariate(1 / 5), last.year - first_year)
    return last - datetime.timedelta(days=int(years_back * 365.25) + rng.randrange(0, 30))


def _write(path, records):
    with open(path, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, separators=(",", ":")))
            out.write("\n")
    return path


class Scale:
    """How many of each record a data set of ``transfers`` transfers has."""

    def __init__(self, transfers):
        self.transfers = transfers
        self.sources = max(transfers // 5, 10)
        self.actors = max(transfers // 10, 10)
        self.designations = max(transfers // 10, 10)


def source_url(i):
    return f"https://bench.example.org/source/{i}"


def transfer_reference(i):
    return f"t-{i:08d}"


def _sources(rng, scale):
    kind = _weighted(rng, {"news": 70, "un_document": 10, "government": 10, "report": 8, "academic": 2})
    for i in range(scale.sources):
        yield {
            "model": "evidence.source",
            "fields": {
                "url": source_url(i),
                "title": f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} report {i}",
                "publisher": rng.choice(PUBLISHERS),
                "published_on": _day(rng).isoformat(),
                "kind": kind(),
            },
        }


def _country(rng):
    pair = rng.choices(list(PAIRS), list(PAIRS.values()))[0]
    return rng.choice(pair) if rng.random() < 0.7 else rng.choice(OTHER_COUNTRIES)


def _actors(rng, scale):
    kind = _weighted(rng, ACTOR_KINDS)
    for i in range(scale.actors):
        yield {
            "model": "actors.actor",
            "fields": {
                "slug": f"actor-{i}",
                "kind": kind(),
                "name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {i}",
                "country": [_country(rng)],
                "identifiers": {"bench_id": str(i)},
            },
        }


def _designations(rng, scale, *, week):
    """The designations list; ``week`` 2 delists 2 % more and relists a few of the delisted."""
    for i in range(scale.designations):
        listed = _day(rng, first_year=2006)
        delisted = None
        roll = rng.random()
        if roll < 0.15:
            delisted = min(listed + datetime.timedelta(days=rng.randrange(30, 3000)), datetime.date(2026, 10, 31))
        if week == 2:
            if delisted is None and roll > 0.98:
                delisted = datetime.date(2026, 11, 20)
            elif delisted is not None and roll < 0.01:
                delisted = None
        yield {
            "model": "sanctions.designation",
            "fields": {
                "regime": [REGIMES[i % len(REGIMES)]],
                "reference": f"SYN-{i}",
                "actor": [f"actor-{_skewed_index(rng, scale.actors, 1.5)}"],
                "listed_on": listed.isoformat(),
                "delisted_on": delisted.isoformat() if delisted else None,
                "reason": f"Involved in {rng.choice(WORDS)} transfers.",
                "sources": [[source_url(_skewed_index(rng, scale.sources))]],
            },
        }


def _pair(rng):
    if rng.randrange(100) >= OTHER_PAIRS_WEIGHT:
        return rng.choices(list(PAIRS), list(PAIRS.values()))[0]
    supplier, recipient = rng.sample(OTHER_COUNTRIES, 2)
    return supplier, recipient


def _transfer_and_claims(rng, scale, i, category, status, claims_count):
    supplier, recipient = _pair(rng)
    started = _day(rng)
    precision = rng.choices(["day", "month", "year"], [70, 20, 10])[0]
    if precision == "month":
        started = started.replace(day=1)
    elif precision == "year":
        started = started.replace(month=1, day=1)
    roll = rng.random()
    ended = None if roll < 0.1 else started + datetime.timedelta(days=int(rng.expovariate(1 / 60)))
    fields = {
        "reference": transfer_reference(i),
        "supplier": [supplier],
        "recipient": [recipient],
        "category": category,
        "items": rng.choice(ITEMS.get(category, [category.replace("_", " ")])),
        "started_on": started.isoformat(),
        "ended_on": ended.isoformat() if ended else None,
        "date_precision": precision,
        "status": status,
        "review_status": "draft" if rng.random() < 0.05 else "published",
        "sources": [[source_url(_skewed_index(rng, scale.sources))]],
        "description": f"Reported {rng.choice(WORDS)} and {rng.choice(WORDS)} activity, case {i}.",
    }
    if category in UNITS and rng.random() < 0.6:
        unit, low, high = UNITS[category]
        quantity = rng.randint(low, high)
        fields.update(quantity_low=quantity, quantity_high=quantity * rng.choice([1, 1, 2]), quantity_unit=unit)
    if rng.random() < 0.05:
        fields["via"] = [[rng.choice([c for c in ("CN", "MN", "AE", "TR") if c not in (supplier, recipient)])]]
    if rng.random() < 0.1:
        fields["supplier_actor"] = [f"actor-{_skewed_index(rng, scale.actors, 1.5)}"]
    if rng.random() < 0.05:
        fields["recipient_actor"] = [f"actor-{_skewed_index(rng, scale.actors, 1.5)}"]
    if i % CHUNK and rng.random() < 0.02:
        # In exchange for an earlier transfer of the same file (the loader resolves it there).
        fields["in_exchange_for"] = [[transfer_reference(i - 1 - rng.randrange(min(i % CHUNK, 50)))]]
    transfer = {"model": "transfers.transfer", "fields": fields}
    claims = []
    for j in range(claims_count):
        if j == 0:
            stance, claimant = "alleges", rng.choice(ACCUSERS)
        else:
            stance = rng.choices(["corroborates", "denies", "acknowledges"], [60, 30, 10])[0]
            claimant = rng.choice([supplier, recipient]) if stance != "corroborates" else rng.choice(ACCUSERS)
        made = started + datetime.timedelta(days=rng.randrange(0, 400))
        claims.append(
            {
                "model": "transfers.claim",
                "fields": {
                    "reference": f"c-{i:08d}-{j}",
                    "transfer": [transfer_reference(i)],
                    "stance": stance,
                    "claimant_country": [claimant],
                    "made_on": made.isoformat(),
                    "summary": f"{claimant} {stance} the {category.replace('_', ' ')} transfer {i}.",
                    "review_status": "draft" if rng.random() < 0.03 else "published",
                    "source": [source_url(_skewed_index(rng, scale.sources))],
                },
            }
        )
    return transfer, claims


def generate(directory, transfers, *, seed=1):
    """Write the data set for ``transfers`` transfers into ``directory``; return the groups of
    files to load in order (each group is one ``load_records`` call)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    scale = Scale(transfers)
    rng = random.Random(seed)
    groups = [
        [
            _write(directory / "sources.jsonl", _sources(rng, scale)),
            _write(directory / "actors.jsonl", _actors(rng, scale)),
        ],
        [_write(directory / "designations-week1.jsonl", _designations(random.Random(seed + 1), scale, week=1))],
        [_write(directory / "designations-week2.jsonl", _designations(random.Random(seed + 1), scale, week=2))],
    ]
    category = _weighted(rng, CATEGORIES)
    status = _weighted(rng, STATUSES)
    claims_count = _weighted(rng, CLAIMS_PER_TRANSFER)
    for start in range(0, transfers, CHUNK):
        stop = min(start + CHUNK, transfers)
        transfer_rows, claim_rows = [], []
        for i in range(start, stop):
            transfer, claims = _transfer_and_claims(rng, scale, i, category(), status(), claims_count())
            transfer_rows.append(transfer)
            claim_rows.extend(claims)
        groups.append(
            [
                _write(directory / f"transfers-{start // CHUNK:03d}.jsonl", transfer_rows),
                _write(directory / f"claims-{start // CHUNK:03d}.jsonl", claim_rows),
            ]
        )
    return groups


def load(groups, *, verbose=True):
    """Load the demo data, then each group of files with our loader; stop at the first error."""
    from django.core.management import call_command

    from apps.ingest.loader import load_records
    from apps.ingest.services.readers import FileSource

    call_command("load_demo", verbosity=0)
    for files in groups:
        started = time.perf_counter()
        report = load_records([FileSource(path) for path in files], change_reason="bench data")
        if report.errors:
            for error in report.errors[:20]:
                print(error, file=sys.stderr)
            raise SystemExit(f"{len(report.errors)} error(s) loading {', '.join(p.name for p in files)}")
        if verbose:
            names = ", ".join(p.name for p in files)
            print(f"loaded {names} in {time.perf_counter() - started:.1f}s", flush=True)


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanctionsdb.settings")
    os.environ.setdefault("DEBUG", "true")
    import django

    django.setup()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--transfers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--directory", default=str(ROOT / "var" / "bench-data"))
    parser.add_argument("--no-load", action="store_true", help="only write the files")
    args = parser.parse_args()
    started = time.perf_counter()
    groups = generate(args.directory, args.transfers, seed=args.seed)
    print(f"generated {args.transfers} transfers in {time.perf_counter() - started:.1f}s", flush=True)
    if not args.no_load:
        setup_django()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        load(groups)
        print(f"data set of {args.transfers} transfers ready in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()

"""The first read after a write, against the second read of the same address in the same run.

    .venv/bin/python bench/cold_bench.py --database-url postgres://root@127.0.0.1:5432/bench_1m --rounds 5

The database must hold ``bench/datagen.py``'s data set with its findings stored (the loader
writes them). gunicorn serves the site with the production settings (one worker, throttling
off). Each round writes once, as an editor would (a source's title changed in SQL: the data
version's trigger sees it, and every kept answer is then stale), then reads each address
twice: the first read is cold (computed from the database, the stored findings included), the
second warm (the kept answer). Addresses: the country profile in the API, the country pages of
the two busiest countries, home, the network page, the graph API and two ranked searches of
the transfer list (a word many transfers name, one few do). The graph is kept under the versions
of the tables it is made of, so the source's title leaves it kept: each round then writes to one
of them (a row of the transfers' tally, of the supplier with the most rows, counted one more or
one fewer in SQL, as a transfer added or moved would; put back at the end) and reads the graph
again, cold (``graph-after-tally``): its edges are rebuilt for that supplier. The network
page's pairs are kept the same way, and read again after the tally's write too
(``network-after-tally``): they are grouped anew from the whole tally.

Each line gives the cold read's median and maximum in ms and the warm read's median as the
reference; the last line reads

    cold N=<transfers>: max ms profile <ms> country-RU <ms> ... search-rare <ms> graph-after-tally <ms>
"""

import argparse
import os
import statistics
import sys
import time
import urllib.request

import psycopg

sys.path.insert(0, os.path.dirname(__file__))
import soak  # noqa: E402
from api_bench import serve, transfers_in  # noqa: E402

ADDRESSES = {
    "profile": "/api/v1/countries/RU/profile/",
    "country-RU": "/countries/RU/",
    "country-KP": "/countries/KP/",
    "home": "/",
    "network": "/network/",
    "graph": "/api/v1/graph/",
    # A ranked search asked first after a write: its candidates, count and page statement
    # worked out again (``bench/api_bench.py`` measures the same searches asked again).
    "search-common": "/api/v1/transfers/?q=artillery",
    "search-rare": "/api/v1/transfers/?q=submarine",
}


def timed(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=600) as response:
        response.read()
        assert response.status == 200, url
    return (time.perf_counter() - started) * 1000


# Read again after a write to what they are made of, not to a source.
AFTER_TALLY_WRITE = {"graph-after-tally": "/api/v1/graph/", "network-after-tally": "/network/"}


def write_once(database_url):
    """A write that changes no finding: a source's title, touched in SQL."""
    with psycopg.connect(database_url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute("UPDATE evidence_source SET title = title WHERE id = (SELECT min(id) FROM evidence_source)")


def count_in_tally(database_url, change):
    """Count ``change`` more transfers in a published row of the transfers' tally of the
    supplier with the most rows."""
    with psycopg.connect(database_url.replace("postgres://", "postgresql://"), autocommit=True) as connection:
        connection.execute(
            "UPDATE transfers_transfertally SET transfers = transfers + %s WHERE id = ("
            " SELECT min(id) FROM transfers_transfertally WHERE published AND supplier_id = ("
            "  SELECT supplier_id FROM transfers_transfertally GROUP BY supplier_id ORDER BY count(*) DESC LIMIT 1))",
            [change],
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8093)
    args = parser.parse_args()
    env = soak.production_env(args.database_url, API_THROTTLE_ANON="off", API_THROTTLE_USER="off")
    env.pop("REDIS_URL", None)
    count = transfers_in(env)
    server = serve("sanctionsdb.wsgi", args.port, 1, env)
    base = f"http://127.0.0.1:{args.port}"
    addresses = {**ADDRESSES, **AFTER_TALLY_WRITE}
    cold, warm = {name: [] for name in addresses}, {name: [] for name in addresses}
    counted = 0
    try:
        for path in ADDRESSES.values():  # the first ever read: statements prepared, modules loaded
            timed(base + path)
        for _ in range(args.rounds):
            write_once(args.database_url)
            for name, path in ADDRESSES.items():
                cold[name].append(timed(base + path))
                warm[name].append(timed(base + path))
            change = 1 if counted == 0 else -1
            count_in_tally(args.database_url, change)
            counted += change
            for name, path in AFTER_TALLY_WRITE.items():
                cold[name].append(timed(base + path))
                warm[name].append(timed(base + path))
    finally:
        if counted:
            count_in_tally(args.database_url, -counted)
        server.terminate()
        server.wait(timeout=30)
    for name in addresses:
        print(
            f"{name:12} cold median {statistics.median(cold[name]):7.1f} ms, max {max(cold[name]):7.1f} ms; "
            f"warm median {statistics.median(warm[name]):6.1f} ms "
            f"(cold/warm {statistics.median(cold[name]) / statistics.median(warm[name]):.0f}x)"
        )
    print(f"cold N={count}: max ms " + " ".join(f"{name} {max(cold[name]):.0f}" for name in addresses))


if __name__ == "__main__":
    main()

"""The public pages under load, against the API's detail of a transfer measured in the same run.

    .venv/bin/python bench/pages_bench.py --duration 10

The database (``--database-url``) must hold ``bench/datagen.py``'s data set (``bench/api_bench.py``
describes it; this script does not load anything). gunicorn serves the site with the
production settings, and ``wrk`` sends ``--connections`` concurrent clients on loopback for
``--duration`` seconds to each page, one after the other, after one warming request per
address (the cached counts, profile and graph are then built, as they are after the first
reader following a write):

- reference: ``/api/v1/transfers/<reference>/`` of transfers across the data set;
- home, the KP and RU country pages, transfer pages (the same transfers), the transfer list
  filtered by supplier, resolution 1718, the UN-1718 regime page (its vote matrix and first page
  of designations), actor pages, the network, and searches.

Each line gives requests per second, p50 and p95 in ms and the count of non-2xx answers, with
the page's p95 as a multiple of the reference's; the last line reads

    pages N=<n>: p95 ms home <ms> country <ms> transfer <ms> list <ms> resolution <ms> regime <ms> actor <ms> network <ms> search <ms>; API detail <ms>
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import urllib.request

import soak
from api_bench import run_wrk, sample_references, serve, transfers_in

SEARCHES = ["artillery", "diesel", "Russia", "KN-23", "customs"]


def sample_actors(env, count):
    script = (
        "from apps.actors.models import Actor\n"
        f"step = max(1, Actor.objects.count() // {count})\n"
        "ids = list(Actor.objects.order_by('pk').values_list('pk', flat=True)[::step])\n"
        "import json; print(json.dumps(list(Actor.objects.filter(pk__in=ids).values_list('slug', flat=True))))\n"
    )
    return json.loads(soak.run_manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


def warm(base, urls):
    for url in urls:
        with urllib.request.urlopen(base + url, timeout=600) as response:
            response.read()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/bench")
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    port = soak.free_port()
    env = soak.production_env(
        args.database_url, GUNICORN_ACCESSLOG="", REDIS_URL=args.redis_url, CACHE_KEY_PREFIX=f"pages-bench-{port}"
    )
    soak.run_manage(env, "migrate", "--no-input", "-v", "0")
    count = transfers_in(env)
    subprocess.run(["psql", args.database_url, "-qc", "ANALYZE"], check=True)
    references = sample_references(env, 500)
    actors = sample_actors(env, 500)
    pages = {
        "reference": [f"/api/v1/transfers/{ref}/" for ref in references],
        "home": ["/"],
        "country": ["/countries/KP/", "/countries/RU/"],
        "transfer": [f"/transfers/{ref}/" for ref in references],
        "list": ["/transfers/?supplier=KP", "/transfers/?country=RU&category=arms"],
        "resolution": ["/resolutions/1718/", "/resolutions/S-2024-255/"],
        "regime": ["/regimes/UN-1718/"],
        "actor": [f"/actors/{slug}/" for slug in actors],
        "network": ["/network/"],
        "search": [f"/search/?q={term}" for term in SEARCHES],
    }
    server = serve("sanctionsdb.wsgi:application", port, args.workers, env)
    base = f"http://127.0.0.1:{port}"
    results = {}
    try:
        for urls in pages.values():
            # Every worker builds its per-process state; the cached answers (in Redis, shared
            # by the workers as in production) are built once.
            warm(base, urls[:20] * args.workers)
        with tempfile.TemporaryDirectory() as script_dir:
            for name, urls in pages.items():
                results[name] = r = run_wrk(base, urls, args, script_dir)
                ratio = r["p95"] / max(results["reference"]["p95"], 0.1)
                print(
                    f"{name:12} {r['rps']:8.1f} rps  p50 {r['p50']:8.1f} ms  p95 {r['p95']:8.1f} ms "
                    f"({ratio:4.1f}x the API detail)  non-2xx {r['bad']}",
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    p95 = " ".join(f"{name} {results[name]['p95']:.0f}" for name in pages if name != "reference")
    print(f"pages N={count}: p95 ms {p95}; API detail {results['reference']['p95']:.0f}")


if __name__ == "__main__":
    sys.exit(main())

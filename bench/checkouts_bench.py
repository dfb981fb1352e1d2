"""The filtered list of this checkout's API and of another checkout's (an earlier commit, in a
git worktree), against the raw-SQL reference (``bench/raw_list.py``), in turns.

    git worktree add /tmp/base <commit> && ln -s "$PWD/.venv" /tmp/base/.venv
    .venv/bin/python bench/checkouts_bench.py --other /tmp/base --database-url postgres://root@127.0.0.1:5432/bench_100k

The three are served as ``bench/api_bench.py`` serves them (gunicorn, the production settings,
``--workers`` each), on a database holding ``bench/datagen.py``'s data set. ``wrk`` then sends
the first page of ``/api/v1/transfers/?supplier=KP`` to each in turn, ``--rounds`` times
``--duration`` seconds (after a short warm-up), the order rotated every round, so that the
load of other processes on a shared machine falls on the three alike. It prints each round's
requests per second, then per server the median over the rounds and its share of the raw
reference's.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import types
import urllib.request
from pathlib import Path

import api_bench
import soak

PATH = "/api/v1/transfers/?supplier=KP"


def serve_checkout(checkout, port, workers, env):
    """The API of ``checkout`` with its own code and its own gunicorn settings."""
    process = subprocess.Popen(
        [str(Path(checkout) / ".venv/bin/gunicorn"), "--config", str(Path(checkout) / "gunicorn.conf.py")]
        + ["sanctionsdb.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
        + ["--max-requests", "0"],
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(240):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.25)
    return process


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--other", required=True, help="the other checkout (its .venv holds gunicorn)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="seconds per server and round")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/bench")
    )
    args = parser.parse_args()
    ports = {name: soak.free_port() for name in ("raw", "this", "other")}
    env = soak.production_env(
        args.database_url, RAW_API_BASE=f"http://127.0.0.1:{ports['this']}", GUNICORN_ACCESSLOG=""
    )
    servers = {
        "raw": api_bench.serve(
            "bench.raw_list:application", ports["raw"], args.workers, {**env, "PYTHONPATH": str(api_bench.ROOT)}
        ),
        "this": api_bench.serve("sanctionsdb.wsgi:application", ports["this"], args.workers, env),
        "other": serve_checkout(args.other, ports["other"], args.workers, env),
    }
    paths = {"raw": "/?supplier=KP", "this": PATH, "other": PATH}
    rps = {name: [] for name in servers}
    wrk = types.SimpleNamespace(duration=args.duration, connections=args.connections)
    try:
        this = api_bench.fetch(f"http://127.0.0.1:{ports['this']}{PATH}")
        if not api_bench.same_page(this, api_bench.fetch(f"http://127.0.0.1:{ports['raw']}{paths['raw']}")):
            sys.exit("the raw reference does not serve the API's page; fix bench/raw_list.py")
        names = list(servers)
        with tempfile.TemporaryDirectory() as script_dir:
            for number in range(args.rounds):
                for name in names[number % 3 :] + names[: number % 3]:
                    result = api_bench.run_wrk(f"http://127.0.0.1:{ports[name]}", [paths[name]], wrk, script_dir)
                    rps[name].append(result["rps"])
                print(f"round {number + 1}: " + ", ".join(f"{n} {v[-1]:.1f} rps" for n, v in rps.items()), flush=True)
    finally:
        for process in servers.values():
            process.terminate()
            process.wait(timeout=30)
    raw = statistics.median(rps["raw"])
    for name, values in rps.items():
        median = statistics.median(values)
        print(f"{name:6} median {median:7.1f} rps = {100 * median / raw:3.0f}% of raw")


if __name__ == "__main__":
    main()

"""The API's read paths under load, against a raw-SQL ceiling measured in the same run.

    .venv/bin/python bench/api_bench.py --transfers 1000000 --duration 20

The database (``--database-url``) must hold ``bench/datagen.py``'s data set of that size; it
is generated and loaded first when it holds fewer transfers. gunicorn serves the API with the
production settings (``gunicorn.conf.py``, ``--workers`` processes, throttling off), and
``wrk`` (Debian's package) sends ``--connections`` concurrent clients on loopback for
``--duration`` seconds to each path, one after the other:

- list: ``/api/v1/transfers/?supplier=KP``, the first page of the filtered list;
- raw: the same page from ``bench/raw_list.py`` (one hand-written query and orjson, no
  Django) under the same gunicorn settings: the ceiling. Its JSON is checked to be the API's.
  It reads its rows as text, psycopg's default; ``raw-binary`` (printed, not in the ratio)
  is the same reference reading them in the binary format the API's compiled reads use;
- detail and contraventions of transfers taken across the data set (a different one on each
  request), the KP profile, the graph, a page of the change feed since before the load, and
  ``?q=`` searches of the transfer list, ranked: of words many transfers name and of words
  few do.

Each line gives requests per second, p50 and p95 in ms and the count of non-2xx answers; the
last line reads

    api N=<n>: list <rps> rps = <pct>% of raw <rps> rps; p95 ms list <ms> detail <ms> contraventions <ms> profile <ms> graph <ms> changes <ms> search-common <ms> search-rare <ms>
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import soak

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
# Ranked searches (apps/common/search.py): words many transfers name (a tenth of the data set
# names artillery or diesel) and words few do.
SEARCHES_COMMON = ["artillery", "diesel"]
SEARCHES_RARE = ["submarine", "customs"]

LUA = """
local paths = {%s}
local i = math.random(#paths)
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH rps=%%.1f p50=%%d p95=%%d bad=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def transfers_in(env):
    script = "from apps.transfers.models import Transfer; print(Transfer.objects.count())"
    return int(soak.run_manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


def sample_references(env, count):
    """Published transfers spread across the data set (their ids evenly spaced)."""
    script = (
        "from apps.transfers.models import Transfer\n"
        f"ids = list(Transfer.objects.published().order_by('pk').values_list('pk', flat=True)[::max(1, "
        f"Transfer.objects.count() // {count})])\n"
        "import json; print(json.dumps(list(Transfer.objects.filter(pk__in=ids).values_list('reference', flat=True))))\n"
    )
    return json.loads(soak.run_manage(env, "shell", "--no-imports", "-c", script).strip().splitlines()[-1])


def serve(app, port, workers, env):
    process = subprocess.Popen(
        [GUNICORN, "--config", str(ROOT / "gunicorn.conf.py"), app]
        + ["--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--max-requests", "0"],
        cwd=ROOT,
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


def fetch(url):
    with urllib.request.urlopen(url, timeout=120) as response:
        return json.loads(response.read())


def same_page(api, raw):
    """The raw reference serves the API's page (the count compared when both are exact)."""
    if api["count_exact"] or raw["count_exact"]:
        return api == raw
    return {**api, "count": None} == {**raw, "count": None}


def run_wrk(base, paths, args, script_dir):
    script = Path(script_dir) / f"paths-{secrets.token_hex(4)}.lua"
    script.write_text(LUA % ", ".join(json.dumps(path) for path in paths))
    # A short warm-up, then the measured run.
    for duration in (max(2, args.duration // 5), args.duration):
        result = subprocess.run(
            [
                "wrk",
                f"-t{min(2, args.connections)}",
                f"-c{args.connections}",
                f"-d{duration}s",
                "--timeout",
                "30s",
                "-s",
                str(script),
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    match = re.search(r"BENCH rps=([\d.]+) p50=(\d+) p95=(\d+) bad=(\d+)", result.stdout)
    return {
        "rps": float(match[1]),
        "p50": int(match[2]) / 1000,
        "p95": int(match[3]) / 1000,
        "bad": int(match[4]),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per path")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", "postgres://root@127.0.0.1:5432/bench")
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")

    soak.ensure_database(args.database_url)
    api_port, raw_port = soak.free_port(), soak.free_port()
    # No access log: writing it would be part of what is measured.
    env = soak.production_env(args.database_url, RAW_API_BASE=f"http://127.0.0.1:{api_port}", GUNICORN_ACCESSLOG="")
    soak.run_manage(env, "migrate", "--no-input", "-v", "0")
    if transfers_in(env) < args.transfers:
        # The demo data, then the synthetic set, through our own loader.
        subprocess.run(
            [PYTHON, str(ROOT / "bench" / "datagen.py"), "--transfers", str(args.transfers)],
            cwd=ROOT,
            env=env,
            check=True,
        )
    soak.run_manage(env, "migrate", "--no-input", "-v", "0")
    subprocess.run(["psql", args.database_url, "-qc", "VACUUM ANALYZE"], check=True)
    references = sample_references(env, 2000)
    since = "2000-01-01T00:00:00Z"

    api = serve("sanctionsdb.wsgi:application", api_port, args.workers, env)
    raw = serve("bench.raw_list:application", raw_port, args.workers, {**env, "PYTHONPATH": str(ROOT)})
    binary_port = soak.free_port()
    raw_binary = serve(
        "bench.raw_list:application", binary_port, args.workers, {**env, "PYTHONPATH": str(ROOT), "RAW_BINARY": "1"}
    )
    api_base, raw_base = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{raw_port}"
    results = {}
    try:
        api_page = fetch(f"{api_base}/api/v1/transfers/?supplier=KP")
        raw_page = fetch(f"{raw_base}/?supplier=KP")
        binary_page = fetch(f"http://127.0.0.1:{binary_port}/?supplier=KP")
        if not same_page(api_page, raw_page) or not same_page(api_page, binary_page):
            sys.exit("the raw reference does not serve the API's page; fix bench/raw_list.py")
        print(
            f"list page checked: {len(api_page['results'])} records, count {api_page['count']} (exact: {api_page['count_exact']})"
        )
        paths = {
            "raw": (raw_base, ["/?supplier=KP"]),
            "raw-binary": (f"http://127.0.0.1:{binary_port}", ["/?supplier=KP"]),
            "list": (api_base, ["/api/v1/transfers/?supplier=KP"]),
            "detail": (api_base, [f"/api/v1/transfers/{ref}/" for ref in references]),
            "contraventions": (api_base, [f"/api/v1/transfers/{ref}/contraventions/" for ref in references]),
            "profile": (api_base, ["/api/v1/countries/KP/profile/"]),
            "graph": (api_base, ["/api/v1/graph/"]),
            "changes": (api_base, [f"/api/v1/changes/?since={since}"]),
            "search-common": (api_base, [f"/api/v1/transfers/?q={term}" for term in SEARCHES_COMMON]),
            "search-rare": (api_base, [f"/api/v1/transfers/?q={term}" for term in SEARCHES_RARE]),
        }
        with tempfile.TemporaryDirectory() as script_dir:
            for name, (base, urls) in paths.items():
                results[name] = run_wrk(base, urls, args, script_dir)
                r = results[name]
                print(
                    f"{name:15} {r['rps']:8.1f} rps  p50 {r['p50']:8.1f} ms  p95 {r['p95']:8.1f} ms  non-2xx {r['bad']}",
                    flush=True,
                )
    finally:
        for process in (api, raw, raw_binary):
            process.terminate()
            process.wait(timeout=30)

    pct = 100 * results["list"]["rps"] / results["raw"]["rps"]
    p95 = " ".join(
        f"{name} {results[name]['p95']:.0f}"
        for name in ("list", "detail", "contraventions", "profile", "graph", "changes", "search-common", "search-rare")
    )
    print(
        f"api N={args.transfers}: list {results['list']['rps']:.0f} rps = {pct:.0f}% of raw "
        f"{results['raw']['rps']:.0f} rps; p95 ms {p95}"
    )


if __name__ == "__main__":
    main()

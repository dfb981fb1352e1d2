#!/usr/bin/env python3
"""Mutation testing of the core modules: does the test suite notice when the code is wrong?

mutmut (pinned in requirements-dev.txt, installed by this script when missing) changes one
thing at a time in a module (a ``<`` to ``<=``, a constant, a dropped call), runs a bounded
selection of the tests that exercise that module, and counts the mutants the tests killed
and those that survived. A survivor is either equivalent (the change makes no difference)
or a missing test. docs/mutation-testing.md records the last results.

    python3 tools/mutation.py contraventions caps             # apps/transfers/services.py, caps.py
    python3 tools/mutation.py un ofac                         # the official-list importers
    python3 tools/mutation.py --path apps/common/models.py --tests tests/test_common.py
    python3 tools/mutation.py --path apps/ingest/loader/apply.py \\
        --tests tests/ingest/test_import_data.py tests/ingest/test_import_choices.py
    python3 tools/mutation.py contraventions --results        # the last run's survivors again
    python3 tools/mutation.py contraventions --resume         # go on where an interrupted run stopped

Modules that are being moved (the visibility rule, the loader) are given by ``--path`` with
their tests. Each run works in a copy of the working tree in ``var/mutation/<name>/``, so
the files you edit are never mutated, on SQLite unless ``DATABASE_URL`` says otherwise;
with PostgreSQL (``DATABASE_URL=postgres://...``) the test database is kept between mutants
(``--reuse-db``), which saves the migrations of every run.
mutmut 2 is used because it runs the tests as a command (``--runner``): mutmut 3 runs them
in-process with forking, which pytest-django's test database does not survive. Run it when
nothing else is running tests: every mutant is a pytest run.
"""

import argparse
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin")
PYTHON = VENV_BIN / ("python.exe" if os.name == "nt" else "python")
MUTMUT = VENV_BIN / "mutmut"
REQUIREMENTS = ROOT / "requirements-dev.txt"
WORK = ROOT / "var" / "mutation"

# The period rule's tests in tests/test_common.py (the file's other tests are the registry's,
# the visibility rule's and the CSV cells').
PERIOD_TESTS = [
    f"tests/test_common.py::{test}"
    for test in (
        "test_periods_meet_on_a_shared_day_and_not_across_a_gap",
        "test_precision_widens_a_transfer_and_an_open_end_runs_to_today",
        "test_the_first_start_on_or_after_a_boundary_day",
        "test_the_first_start_on_or_after_every_day_of_two_years_is_as_defined",
        "test_the_query_and_the_memory_forms_of_the_standing_rule_agree",
        "test_the_query_and_the_memory_forms_of_the_transfer_rule_agree",
        "test_the_query_and_the_memory_forms_of_the_transfer_rule_agree_at_the_ends_of_the_calendar",
        "test_an_ongoing_transfer_meets_a_later_period_only_if_its_widened_start_reaches_it",
        "test_a_period_reads_as_its_dates_with_an_ellipsis_for_an_open_side",
        "test_a_period_is_a_value_equal_by_its_dates_hashable_and_unchangeable",
        "test_every_ongoing_transfer_meets_a_period_that_starts_today",
    )
]
# The cached answers (profile, graph) and the answers kept in the process.
CACHE_TESTS = [
    "tests/api/test_answer_cache.py",
    *(
        f"tests/api/test_compiled_reads.py::{test}"
        for test in (
            "test_an_answer_kept_in_process_is_the_same_object_until_a_write",
            "test_a_new_data_version_drops_the_pages_and_answers_of_older_ones",
            "test_statements_plans_and_answers_share_one_budget",
        )
    ),
]
# The compiled pages and details, without the thousand filter URLs (about 20 s on its own;
# it measures the store's budget, not the statements).
COMPILED_READ_TESTS = [
    f"tests/api/test_compiled_reads.py::{test}"
    for test in (
        "test_a_write_shows_in_the_next_page",
        "test_a_key_resolved_when_compiled_is_resolved_again_after_a_write",
        "test_a_page_past_the_last_is_still_a_404",
        "test_the_page_size_and_count_limit_in_force_are_part_of_the_kept_page",
        "test_a_page_kept_yesterday_is_compiled_again_today",
        "test_one_detail_statement_serves_every_record_with_its_etag",
        "test_a_detail_is_kept_per_audience",
        "test_a_page_is_one_prepared_statement_on_postgresql",
        "test_a_count_is_worked_out_once_per_kept_page",
        "test_an_empty_first_page_counts_zero_exactly",
        "test_a_new_data_version_drops_the_pages_and_answers_of_older_ones",
        "test_request_values_are_parameters_never_written_into_the_statement",
    )
]

# Every resource's list rows and detail read through the kept statements, equal to the
# serializer's (the rows' converters, JSON columns in PostgreSQL's binary format), the relation
# filters (a DISTINCT's extra columns), a transfer's findings, and the readings' sizes.
STATEMENT_TESTS = [
    "tests/api/test_list_rows.py",
    "tests/api/test_detail_rows.py",
    "tests/api/test_relation_filters.py",
    "tests/api/test_contravention_reads.py",
    "tests/api/test_compiled_reads.py::test_a_statement_that_can_match_nothing_is_kept_as_none_and_not_compiled_again",
    "tests/api/test_compiled_reads.py::test_a_readings_estimated_size_grows_with_its_statement",
]
# The engine's rules: the findings, their wording, scope, exemptions, notification duties and
# parts of a whole, and a file written against the contract.
FINDINGS_TESTS = [
    "tests/test_findings.py",
    "tests/test_findings_wording.py",
    "tests/test_rules_scope_exemptions.py",
    "tests/api/test_findings_contract.py",
]

# name: (module to mutate, the tests that exercise it)
TARGETS = {
    "contraventions": ("apps/transfers/services.py", FINDINGS_TESTS),
    "caps": ("apps/transfers/caps.py", FINDINGS_TESTS),
    "un": ("apps/ingest/services/un.py", ["tests/ingest/test_un_list.py"]),
    "ofac": ("apps/ingest/services/ofac.py", ["tests/ingest/test_ofac.py"]),
    "periods": ("apps/common/periods.py", PERIOD_TESTS),
    "cache": ("apps/common/cache.py", CACHE_TESTS),
    "compiled-api": ("apps/common/api/compiled.py", COMPILED_READ_TESTS),
    "compiled": ("apps/common/compiled.py", COMPILED_READ_TESTS + STATEMENT_TESTS),
}

STATUSES = {
    "ok_killed": "killed",
    "bad_survived": "survived",
    "bad_timeout": "timed out",
    "ok_suspicious": "suspicious (slow)",
    "skipped": "skipped",
    "untested": "not run",
}


def ensure_mutmut():
    if not PYTHON.exists():
        subprocess.run([sys.executable, str(ROOT / "dev.py"), "setup"], check=True)
    if not MUTMUT.exists():
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)


def copy_working_tree(name):
    """The tracked and untracked (not ignored) files of the working tree, copied to
    ``var/mutation/<name>/`` with the virtual environment linked in."""
    target = WORK / name
    if target.exists():
        shutil.rmtree(target)
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    for relative in filter(None, listed):
        source = ROOT / relative
        if source.is_file():
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / relative)
    (target / ".venv").symlink_to(ROOT / ".venv", target_is_directory=True)
    return target


def flushing_tests(tests):
    """The tests of a selection that are transactional and so empty the database when they end
    (pytest-django's ``transaction=True``, Django's ``TransactionTestCase``, a live server):
    a whole file if any of its tests is, a test named by id if its decorators say so (the
    whole file when its definition is not found, to be safe)."""
    markers = ("transaction=True", "TransactionTestCase", "live_server")
    found = []
    for test in tests:
        file, _, name = test.partition("::")
        text = (ROOT / file).read_text()
        # A test's own name, without its class or its parameters' id (``Class::test_x[a]``).
        definition = f"def {name.rsplit('::', 1)[-1].split('[', 1)[0]}("
        if name and definition in text:
            before, after = text.split(definition, 1)
            # Its decorators (the lines since the blank line above it) and its signature.
            text = before.rsplit("\n\n", 1)[-1] + definition + after.split("\n", 1)[0]
        if any(marker in text for marker in markers):
            found.append(test)
    return found


def run(name, path, tests, *, resume=False):
    workdir = WORK / name if resume and (WORK / name / ".mutmut-cache").exists() else copy_working_tree(name)
    database = os.environ.get("DATABASE_URL", f"sqlite:///{workdir / 'mutation.sqlite3'}")
    # PostgreSQL keeps the test database between runs (SQLite's is in memory): no migrations per mutant.
    reuse = ["--reuse-db"] if database.startswith("postgres") else []
    flushing = flushing_tests(tests)
    if reuse and flushing:
        # A transactional test empties every table when it ends, the migrations' rows (the
        # countries) included, so the next run over a kept database would fail every test.
        print(f"   not keeping the test database: {', '.join(flushing)} flush it", flush=True)
        reuse = []
    runner = " ".join([str(PYTHON), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *reuse, *tests])
    if os.name != "nt":
        # mutmut 2 counts a mutant killed only when the tests exit with status 1; one that breaks
        # an import makes pytest exit with 2 or 4, which it would count as survived.
        runner = "sh -c " + shlex.quote(f"{runner} || exit 1")
    print(f"== {name}: mutating {path} against {' '.join(tests)}", flush=True)
    command = [str(MUTMUT), "run", "--paths-to-mutate", path, "--runner", runner, "--tests-dir", "tests"]
    # A generous time limit: on a busy machine a slow run is not a killed mutant.
    command += ["--test-time-base", "120", "--test-time-multiplier", "10", "--no-progress", "--simple-output"]
    subprocess.run(command, cwd=workdir, env={**os.environ, "DATABASE_URL": database}, check=False)
    report(name)


def report(name):
    """Counts by status, then every surviving mutant as file:line and its diff. Read the cache
    only when mutmut has stopped: its cache does not bear a second reader while it runs."""
    workdir = WORK / name
    cache = workdir / ".mutmut-cache"
    if not cache.exists():
        sys.exit(f"no results for {name}: run it first")
    with sqlite3.connect(f"file:{cache}?mode=ro", uri=True) as db:
        rows = db.execute(
            "SELECT mutant.id, mutant.status, sourcefile.filename, line.line_number + 1 "
            "FROM mutant JOIN line ON mutant.line = line.id JOIN sourcefile ON line.sourcefile = sourcefile.id "
            "ORDER BY line.line_number, mutant.id"
        ).fetchall()
    counts = {}
    for _id, status, _file, _line in rows:
        counts[status] = counts.get(status, 0) + 1
    print(f"\n== {name}: {len(rows)} mutants")
    for status, label in STATUSES.items():
        if counts.get(status):
            print(f"   {label}: {counts[status]}")
    for mutant_id, status, filename, line in rows:
        if status in ("bad_survived", "bad_timeout", "ok_suspicious"):
            shown = subprocess.run(
                [str(MUTMUT), "show", str(mutant_id)], cwd=workdir, capture_output=True, text=True
            ).stdout
            diff = [
                text for text in shown.splitlines() if text.startswith(("-", "+")) and text[:3] not in ("---", "+++")
            ]
            print(f"\n#{mutant_id} {STATUSES[status]} {filename}:{line}")
            print("\n".join(f"    {text}" for text in diff))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=f"one of {', '.join(TARGETS)}")
    parser.add_argument("--path", help="a module to mutate instead of a named target")
    parser.add_argument("--tests", nargs="+", help="the tests to run against --path")
    parser.add_argument("--name", help="the name of a --path run (default: the module's file name)")
    parser.add_argument("--results", action="store_true", help="print the last run's results and run nothing")
    parser.add_argument("--resume", action="store_true", help="go on with the last run's copy and untested mutants")
    options = parser.parse_args()

    unknown = [target for target in options.targets if target not in TARGETS]
    if unknown:
        parser.error(f"unknown target {', '.join(unknown)}: choose from {', '.join(TARGETS)}")
    jobs = [(target, *TARGETS[target]) for target in options.targets]
    if options.path:
        if not options.tests:
            parser.error("--path needs --tests: the tests that exercise that module")
        jobs.append((options.name or Path(options.path).stem, options.path, options.tests))
    if not jobs:
        parser.error("name a target or give --path and --tests")
    os.chdir(ROOT)
    if not options.results:
        ensure_mutmut()
    for name, path, tests in jobs:
        if options.results:
            report(name)
        else:
            run(name, path, tests, resume=options.resume)


if __name__ == "__main__":
    main()

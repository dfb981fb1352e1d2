"""Shared pytest fixtures."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

# Excerpts of the public UN and OFAC lists in their publishers' own layouts, shipped with the
# tests so that they run in any clone (what each holds and where it was cut from:
# tests/data/README.md).
LIST_SAMPLES = Path(__file__).resolve().parent / "data"
UN_SAMPLE = LIST_SAMPLES / "un" / "UN_consolidated_2026-02-27_excerpt.xml"
OFAC_SAMPLE = LIST_SAMPLES / "ofac"


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hasher():
    """MD5 instead of PBKDF2 for the passwords the tests set: each PBKDF2 hash takes about half
    a second, and hundreds of tests create users with a password. No test is about the hash
    itself (tests/security/test_login_lockout.py already used MD5 for its logins); a test that
    needs the production hasher overrides PASSWORD_HASHERS again."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Every test starts with no rate-limit counts (``CACHES["limits"]`` in memory, never a
    shared Redis), as it did when they lived in the default cache the tests clear."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["limits"], LocMemCache):
        caches["limits"].clear()


@pytest.fixture(scope="session")
def scratch_template(tmp_path_factory):
    """A scratch database migrated once by a ``manage.py migrate`` process, which every
    ``ScratchDatabase`` of the session copies (tests/scratch.py); dropped at the end."""
    from tests.scratch import ScratchDatabase

    template = ScratchDatabase(tmp_path_factory.mktemp("scratch-template"))
    try:
        migrated = template.manage("migrate", "--no-input", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr
        yield template
    finally:
        template.drop()


@pytest.fixture
def demo_data(db):
    """The shipped demo data set, loaded as the quickstart loads it."""
    call_command("load_demo", verbosity=0)


@pytest.fixture(scope="module")
def demo_data_module(django_db_setup, django_db_blocker):
    """The demo data loaded once for a module of read-only tests, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", verbosity=0)
        yield
        transaction.set_rollback(True)

"""Fixtures for the security tests: a fresh cache around every test (rate-limit counts live
there), rates chosen by each test, and Redis when it answers."""

import os
import uuid

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Empty the in-memory cache before and after each test (never a shared Redis database)."""
    if isinstance(caches["default"], LocMemCache):
        cache.clear()
    yield
    if isinstance(caches["default"], LocMemCache):
        cache.clear()


@pytest.fixture
def rates(settings):
    """Set API_THROTTLE_RATES for one test: rates(anon="3/minute"); the others off."""

    def set_rates(**chosen):
        settings.API_THROTTLE_RATES = {"anon": None, "user": None, "failed_auth": None, **chosen}

    return set_rates


@pytest.fixture
def num_proxies(settings):
    """Set DRF's NUM_PROXIES (as the NUM_PROXIES variable does) for one test."""

    def set_num_proxies(value):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": value}

    return set_num_proxies


@pytest.fixture
def redis_cache(settings):
    """The caches on Redis (database 15, key prefixes of this test's own), as ``REDIS_URL``
    sets them; the environment a second process needs for the same caches.
    Skips, naming the URL, when Redis does not answer, except under CI=true."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"Redis does not answer at {REDIS_TEST_URL} ({error}); CI must run the shared-cache tests")
        pytest.skip(f"Redis does not answer at {REDIS_TEST_URL}")
    prefix = f"sanctionsdb-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": key_prefix,
        }
        for alias, key_prefix in (("default", prefix), ("limits", f"{prefix}-limits"))  # as settings.py names them
    }
    yield {"REDIS_URL": REDIS_TEST_URL, "CACHE_KEY_PREFIX": prefix}
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()

"""With REDIS_URL the rate-limit counts live in Redis, shared by every process of the
deployment: a second, separate process (``manage.py shell``) sees the counts of this one
and this one sees its counts. Without Redis the test skips, naming the URL (CI must run it)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
ADDRESS = "192.0.2.41"


def second_process(cache_env, script, **env):
    """Run ``script`` in ``manage.py shell`` with the same cache; return what it printed."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", script],
        cwd=ROOT,
        env={**os.environ, **cache_env, "ALLOWED_HOSTS": "testserver", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def requests_from(address, count, token=None):
    """A script that makes ``count`` API requests from ``address`` and prints the codes."""
    headers = f"HTTP_AUTHORIZATION='Token {token}'" if token else ""
    return (
        "from django.test import Client\n"
        f"client = Client(REMOTE_ADDR={address!r})\n"
        f"print(' '.join(str(client.get('/api/v1/', {headers}).status_code) for _ in range({count})))\n"
    )


def test_redis_url_puts_the_cache_in_redis(redis_cache):
    script = "from django.core.cache import caches\nprint(type(caches['default']).__name__)\n"
    assert second_process(redis_cache, script) == "RedisCache"
    assert second_process({"REDIS_URL": ""}, script) == "LocMemCache"


def test_a_second_process_uses_up_the_anonymous_limit_of_this_one(redis_cache, rates, client):
    rates(anon="4/minute")
    codes = second_process(redis_cache, requests_from(ADDRESS, 4), API_THROTTLE_ANON="4/minute")
    assert codes == "200 200 200 200"
    assert client.get("/api/v1/", REMOTE_ADDR=ADDRESS).status_code == 429
    assert client.get("/api/v1/", REMOTE_ADDR="192.0.2.42").status_code == 200


def test_failed_tokens_here_block_the_address_in_a_second_process(redis_cache, rates, client):
    rates(failed_auth="3/minute")
    for _ in range(3):
        assert client.get("/api/v1/", REMOTE_ADDR=ADDRESS, HTTP_AUTHORIZATION="Token " + "0" * 40).status_code == 401
    codes = second_process(
        redis_cache,
        requests_from(ADDRESS, 2, token="1" * 40),
        API_THROTTLE_FAILED_AUTH="3/minute",
        API_THROTTLE_ANON="off",
    )
    assert codes == "429 429"


def test_the_counts_are_kept_apart_from_the_answers_in_redis(redis_cache, rates, client):
    """In Redis the counts have a key prefix of their own: every answer gone (evicted, or the
    answers' keys deleted) leaves them, and the next bad token is still refused."""
    import redis

    rates(failed_auth="3/minute")
    for _ in range(3):
        assert client.get("/api/v1/", REMOTE_ADDR=ADDRESS, HTTP_AUTHORIZATION="Token " + "0" * 40).status_code == 401
    server = redis.Redis.from_url(redis_cache["REDIS_URL"])
    prefix = redis_cache["CACHE_KEY_PREFIX"]
    counts = [key.decode() for key in server.scan_iter(f"{prefix}-limits:*")]
    assert any("throttle_failed_auth" in key for key in counts)
    answers = list(server.scan_iter(f"{prefix}:*"))
    assert not [key for key in answers if b"throttle" in key]
    if answers:
        server.delete(*answers)
    server.close()
    assert client.get("/api/v1/", REMOTE_ADDR=ADDRESS, HTTP_AUTHORIZATION="Token " + "1" * 40).status_code == 429

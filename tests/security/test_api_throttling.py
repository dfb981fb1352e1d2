"""Brute force on the API: wrong tokens are counted per client address and, past the
failed-authentication limit, answered 429 with Retry-After before any token is tried again;
the anonymous limit counts the connection's address, not a forgeable X-Forwarded-For."""

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from apps.common.api import throttling

pytestmark = pytest.mark.django_db

PATH = "/api/v1/countries/KP/"


def with_token(key, address="127.0.0.1"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_wrong_tokens_get_429_with_retry_after_once_the_default_limit_is_passed(django_user_model):
    """The configured default (20/minute): twenty 401s, then 429 — for the right token too."""
    limit, duration = SimpleRateThrottle.parse_rate(None, django_settings.API_THROTTLE_RATES["failed_auth"])
    assert (limit, duration) == (20, 60)
    right = Token.objects.create(user=django_user_model.objects.create_user("client"))
    for attempt in range(limit):
        assert with_token(f"{attempt:040x}").get(PATH).status_code == 401
    refused = with_token("f" * 40).get(PATH)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= duration
    assert "failed authentications" in refused.json()["detail"]
    # Not authenticated again while blocked: the right token is refused the same way.
    assert with_token(right.key).get(PATH).status_code == 429
    # Another address is not affected.
    assert with_token(right.key, address="192.0.2.10").get(PATH).status_code == 200


def test_no_credentials_and_right_tokens_are_not_counted(rates, django_user_model):
    rates(failed_auth="2/minute")
    right = Token.objects.create(user=django_user_model.objects.create_user("client"))
    for _ in range(5):
        assert APIClient().get(PATH).status_code == 200
        assert with_token(right.key).get(PATH).status_code == 200
    # An anonymous write is refused (401) but presents no credentials: not a failed login.
    for _ in range(3):
        assert APIClient().post("/api/v1/sources/", {}, format="json").status_code == 401
    assert with_token(right.key).get(PATH).status_code == 200


def test_the_failure_limit_follows_its_setting(rates):
    rates(failed_auth="3/minute")
    for _ in range(3):
        assert with_token("0" * 40).get(PATH).status_code == 401
    assert with_token("0" * 40).get(PATH).status_code == 429


class Clock:
    """Stands in for the ``time`` module of the throttling code."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now


def test_the_window_opens_with_the_first_failure_not_on_the_clock(rates, monkeypatch):
    """Failures either side of a whole minute count in the same window."""
    rates(failed_auth="3/minute")
    clock = Clock(1_800_000_019.0)  # 41 s before a whole minute of the epoch
    monkeypatch.setattr(throttling, "time", clock)
    for moment in (1_800_000_019.0, 1_800_000_059.5, 1_800_000_060.5):
        clock.now = moment
        assert with_token("0" * 40).get(PATH).status_code == 401
    clock.now = 1_800_000_061.0
    refused = with_token("0" * 40).get(PATH)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "18"  # 60 s after the first failure


def test_a_rotating_forwarded_for_does_not_escape_the_failure_limit(rates):
    rates(failed_auth="3/minute")
    codes = [with_token("0" * 40).get(PATH, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_a_rotating_forwarded_for_does_not_escape_the_anonymous_limit(rates):
    """With the default NUM_PROXIES (0)."""
    rates(anon="3/minute")
    client = APIClient()
    codes = [client.get(PATH, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_default_ignores_forwarded_for(settings):
    assert settings.NUM_PROXIES == 0
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


def test_behind_one_proxy_the_address_it_appended_is_the_client(rates, num_proxies):
    rates(anon="3/minute")
    num_proxies(1)
    client = APIClient(REMOTE_ADDR="10.0.0.2")  # the proxy
    # What the client put in the header is not what counts ...
    forged = [client.get(PATH, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 198.51.100.7").status_code for n in range(4)]
    assert forged == [200, 200, 200, 429]
    # ... the address the proxy appended is: each of these is a client of its own.
    assert {client.get(PATH, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(20, 25)} == {200}
    # A value that is no address falls back to the proxy's connection.
    assert client.get(PATH, HTTP_X_FORWARDED_FOR="not-an-address").status_code == 200


def fill_and_clear_the_answer_cache():
    """What a flood of pages does to the default cache: past its bound (LocMem culls a third
    of its entries at a time), then emptied altogether."""
    answers = caches["default"]
    for number in range(2 * django_settings.ANSWER_CACHE_MAX_ENTRIES):
        answers.set(f"answer:page:flood-{number}", b"x" * 1000)
    answers.clear()


def test_a_full_answer_cache_loses_no_failed_token_count():
    """The counts live in CACHES["limits"]: answers filling the default cache never evict them."""
    limit, _ = SimpleRateThrottle.parse_rate(None, django_settings.API_THROTTLE_RATES["failed_auth"])
    for attempt in range(limit):
        assert with_token(f"{attempt:040x}").get(PATH).status_code == 401
    fill_and_clear_the_answer_cache()
    assert with_token("f" * 40).get(PATH).status_code == 429  # the 21st bad token


def test_a_full_answer_cache_loses_no_anonymous_count(rates):
    rates(anon="3/minute")
    client = APIClient()
    assert [client.get(PATH).status_code for _ in range(3)] == [200, 200, 200]
    fill_and_clear_the_answer_cache()
    assert client.get(PATH).status_code == 429

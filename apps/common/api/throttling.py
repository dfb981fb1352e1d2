"""Rate limits of the API, read from settings at request time (``API_THROTTLE_RATES``, set
from the environment) so that tests and deployments choose them; a rate of ``None`` turns a
limit off.

Every limit counts per client address (``client_address``): the connection's own address,
or behind ``NUM_PROXIES`` reverse proxies the address the nearest of them saw, so that a
client cannot choose its own bucket with ``X-Forwarded-For``. The counts live in a cache of
their own (``CACHES["limits"]``), apart from the answers of the default cache, so that pages
and answers filling that one never push a count out; both are shared between processes when
``REDIS_URL`` is set.

``failed_auth`` counts wrong credentials (a bad token): DRF authenticates before it
throttles, so the authentication classes below refuse a client past that limit with 429
before authenticating it again, and count each of its failures.
"""

import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

# The cache of the rate-limit counts (``CACHES["limits"]``), looked up on each use as
# ``django.core.cache.cache`` is, so that a test's CACHES is the one counted in.
limits = ConnectionProxy(caches, "limits")


def _valid_address(value):
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request):
    """The client's address. With ``NUM_PROXIES = 0`` (the default) ``X-Forwarded-For`` is
    ignored: anyone can send it. With N proxies, the N-th address from the right of the
    header is the one our outermost proxy saw (each proxy appends the address it was
    reached from); a value that is not an address falls back to the connection's.
    Also django-axes' ``AXES_CLIENT_IP_CALLABLE``: the login lockout sees the same client."""
    remote = request.META.get("REMOTE_ADDR") or ""
    num_proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if num_proxies > 0 and forwarded:
        addresses = forwarded.split(",")
        address = _valid_address(addresses[-min(num_proxies, len(addresses))])
        if address:
            return address
    return remote


class SettingsRateMixin:
    cache = limits

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        # The rate is re-read on every request, not fixed when the class is imported.
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class AnonThrottle(SettingsRateMixin, AnonRateThrottle):
    pass


class UserThrottle(SettingsRateMixin, UserRateThrottle):
    pass


class FailedAuthentications:
    """Wrong credentials per client address. A window opens with the client's first failure
    and lasts the rate's duration (the cache entry expires with it); failures are counted with
    the cache's atomic increment, so that concurrent attempts from many processes all count."""

    scope = "failed_auth"

    def __init__(self, request):
        rate = settings.API_THROTTLE_RATES.get(self.scope)
        self.enabled = rate is not None
        if not self.enabled:
            return
        self.limit, self.duration = SimpleRateThrottle.parse_rate(None, rate)
        self.key = f"throttle_{self.scope}_{client_address(request)}"
        self.opened_key = f"{self.key}_opened"

    def wait(self):
        """Seconds until this client may authenticate again, or None when it may now."""
        if not self.enabled:
            return None
        seen = limits.get_many([self.key, self.opened_key])
        if seen.get(self.key, 0) < self.limit:
            return None
        opened = seen.get(self.opened_key, time.time())
        return max(1, math.ceil(opened + self.duration - time.time()))

    def record(self):
        if not self.enabled:
            return
        if limits.add(self.key, 0, self.duration):
            limits.set(self.opened_key, time.time(), self.duration)
        try:
            limits.incr(self.key)
        except ValueError:  # the window closed between add and incr: this failure opens the next
            limits.set_many({self.key: 1, self.opened_key: time.time()}, self.duration)


class GuardedAuthenticationMixin:
    """Refuse a client past the failed-authentication limit (429 with Retry-After) before
    trying its credentials; count every credential this class rejects."""

    def authenticate(self, request):
        failures = getattr(request, "_failed_authentications", None)
        if failures is None:
            failures = request._failed_authentications = FailedAuthentications(request)
            wait = failures.wait()
            if wait is not None:
                raise Throttled(wait=wait, detail="Too many failed authentications from this address.")
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            failures.record()
            raise


class GuardedTokenAuthentication(GuardedAuthenticationMixin, TokenAuthentication):
    pass


class GuardedSessionAuthentication(GuardedAuthenticationMixin, SessionAuthentication):
    pass


class GuardedSessionScheme(SessionScheme):
    """The OpenAPI schema's cookie authentication, for the guarded class."""

    target_class = GuardedSessionAuthentication

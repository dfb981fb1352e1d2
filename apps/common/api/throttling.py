"""Rate limits for anonymous and signed-in clients, read from settings at request time
(``API_THROTTLE_RATES``, set from the environment) so that tests and deployments choose
them; a rate of ``None`` turns a limit off."""

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class SettingsRateMixin:
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

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

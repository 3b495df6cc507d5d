"""Rate limits per API token (or per user, for session requests).

The rates come from ``settings.API_THROTTLE_RATES`` at each request, so a
deployment (``API_RATE_BURST``, ``API_RATE_DAILY``) and the tests can set
them. Keys use the token's random prefix, never a database id that a
restored or test database could hand out again.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from .models import ApiToken


class _TokenRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        return settings.API_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token:{request.auth.prefix}"
        elif request.user and request.user.is_authenticated:
            ident = f"user:{request.user.pk}:{request.user.username}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class BurstRateThrottle(_TokenRateThrottle):
    scope = "burst"


class SustainedRateThrottle(_TokenRateThrottle):
    scope = "sustained"

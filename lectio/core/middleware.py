import zoneinfo

from django.conf import settings
from django.utils import timezone


class TimezoneMiddleware:
    """Shows times in the institution's time zone (stored in UTC)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = zoneinfo.ZoneInfo(settings.LECTIO_DEFAULT_TIME_ZONE)

    def __call__(self, request):
        timezone.activate(self.zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

import zoneinfo

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone

from lectio.core.requests import SignInRequired


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


class SignInRequiredMiddleware:
    """Turns `SignInRequired`, raised by a view, into a redirect to the login page
    that remembers where the guest was going."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, SignInRequired):
            return redirect_to_login(request.get_full_path())
        return None

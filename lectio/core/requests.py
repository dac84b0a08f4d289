"""Request types for views behind login_required: `request.user` is a User there."""

from django.http import HttpRequest

from lectio.accounts.models import User


class AuthedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from lectio.accounts.models import IdentityProvider


class LoginView(auth_views.LoginView):
    """Django's login page, with a button for each identity provider."""

    template_name = "accounts/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["providers"] = list(
            IdentityProvider.objects.filter(active=True).only("pk", "name")
        )
        return context


def home(request: HttpRequest) -> HttpResponse:
    """Everyone starts at their own page: authors at their lists, readers at courses."""
    user = request.user
    if not user.is_authenticated:
        return redirect("login")
    if user.is_library_staff:  # type: ignore[union-attr]
        return redirect("workflow:home")
    if user.can_author_lists:  # type: ignore[union-attr]
        return redirect("lists:mine")
    return redirect("lists:reader_home")

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


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

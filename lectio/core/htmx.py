"""htmx helpers: one URL serves the full page and its fragment."""

from django.http import HttpRequest, HttpResponse


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    existing = response.get("Vary")
    response["Vary"] = f"{existing}, HX-Request" if existing else "HX-Request"
    return response


def wants_json(request: HttpRequest) -> bool:
    """The page's script asked for JSON (progressive enhancement of a form post)."""
    return "application/json" in request.headers.get("Accept", "")

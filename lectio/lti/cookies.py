"""Partitioned cookies (CHIPS) for Lectio inside an LMS's iframe.

Browsers that block third-party cookies (Chrome's default is moving there) still
keep a cookie marked `Partitioned` for a site framed by another, in a jar of that
top-level site only. Python's `http.cookies` learns the attribute in 3.14; until then
a Morsel subclass writes it. Every `SameSite=None; Secure` cookie Lectio sets (the
session, the CSRF token, the LTI browser binding) is exactly the kind that is only
useful in a frame, so all of them are partitioned.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import Morsel

from django.http import HttpRequest, HttpResponse


class PartitionedMorsel(Morsel):  # type: ignore[type-arg]
    def OutputString(self, attrs: list[str] | None = None) -> str:  # noqa: N802
        return super().OutputString(attrs) + "; Partitioned"


def partition(response: HttpResponse) -> HttpResponse:
    for key, morsel in list(response.cookies.items()):
        if (
            str(morsel.get("samesite", "")).lower() == "none"
            and morsel.get("secure")
            and not isinstance(morsel, PartitionedMorsel)
        ):
            marked = PartitionedMorsel()
            marked.set(morsel.key, morsel.value, morsel.coded_value)
            marked.update(morsel)
            dict.__setitem__(response.cookies, key, marked)
    return response


def partitioned_cookies(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Middleware: marks SameSite=None; Secure cookies Partitioned. Put it before
    the session and CSRF middleware, so it sees the cookies they set."""

    def middleware(request: HttpRequest) -> HttpResponse:
        return partition(get_response(request))

    return middleware

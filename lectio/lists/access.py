"""Reads for the pages a guest may reach by link (a list open to anyone, one of its
citations or files): the reader selectors, except that where they refuse a guest
the guest is sent to log in (`SignInRequired`), since signing in may show them
what they asked for. People who are signed in get the selectors' 404 or 403.
The API answers with its own status codes and calls the selectors directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from lectio.core.requests import SignInRequired
from lectio.lists import files, selectors
from lectio.lists.models import Citation, CitationFile, ReadingList
from lectio.lists.permissions import Right


@contextmanager
def _guest_signs_in(
    request: HttpRequest, refusals: tuple[type[Exception], ...] = (Http404,)
) -> Iterator[None]:
    try:
        yield
    except refusals:
        if not request.user.is_authenticated:
            raise SignInRequired from None
        raise


def reading_list_for_reader_or_login(
    request: HttpRequest, *, list_id: int
) -> tuple[ReadingList, Right]:
    """`selectors.reading_list_get_for_reader`; a guest it refuses signs in."""
    with _guest_signs_in(request):
        return selectors.reading_list_get_for_reader(user=request.user, list_id=list_id)


def citation_for_reader_or_login(
    request: HttpRequest, *, citation_id: int
) -> tuple[Citation, Right]:
    """`selectors.citation_get_for_reader`; a guest it refuses signs in."""
    with _guest_signs_in(request):
        return selectors.citation_get_for_reader(
            user=request.user, citation_id=citation_id
        )


def file_for_reader_or_login(
    request: HttpRequest, *, file_id: int
) -> tuple[CitationFile, Right]:
    """`files.file_get_for_reader`; a guest it refuses (404, or 403 for material
    kept for the course's students) signs in."""
    with _guest_signs_in(request, (Http404, PermissionDenied)):
        return files.file_get_for_reader(user=request.user, file_id=file_id)

"""Helpers for tests that build one world per module (the URL x role matrices)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

T = TypeVar("T")


def rolled_back_world(django_db_blocker: Any, build: Callable[[], T]) -> Iterator[T]:
    """Like TestCase.setUpTestData for a module-scoped fixture: `build()` runs once
    in a transaction that is rolled back after the module; each test runs in a
    savepoint of its own. Use as `yield from rolled_back_world(blocker, build)`."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        with django_db_blocker.unblock():
            built = build()
        yield built
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def session_keys(users: dict[str, Any]) -> dict[str, str]:
    """A logged-in session cookie value for each user, by the same keys."""
    keys = {}
    for key, user in users.items():
        login = Client()
        login.force_login(user)
        keys[key] = login.cookies[settings.SESSION_COOKIE_NAME].value
    return keys


# The expected "status" of a request that must be sent to log in (a 302 there).
LOGIN = "login"


def assert_status(response: Any, expected: int | str) -> None:
    """The response has the expected status; LOGIN means a redirect to the login
    page that remembers where the person was going."""
    got = (response.status_code, response.get("Location"))
    if expected == LOGIN:
        assert response.status_code == 302, f"expected a redirect to log in, got {got}"
        assert response["Location"].startswith(reverse("login") + "?next="), got
    else:
        assert response.status_code == expected, f"expected {expected}, got {got}"


def assert_unchanged(
    baseline: dict[str, Any], after: dict[str, Any], expected: int | str
) -> None:
    """A request that should change nothing left every counted table as it was."""
    changed = [key for key in after if after[key] != baseline[key]]
    assert not changed, f"{expected} but the database changed: {changed}"

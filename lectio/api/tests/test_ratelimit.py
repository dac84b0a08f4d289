"""Every API operation counts against its caller's bucket: over the limit the answer
is 429 with Retry-After, for keys and sessions alike, and one caller's burst does
not slow another."""

from __future__ import annotations

import pytest

from lectio.accounts.services import api_key_create


@pytest.fixture
def tight(settings):
    settings.LECTIO_API_RATE = 0.01  # a token every 100 s: the bucket stays empty
    settings.LECTIO_API_BURST = 2


def key(user, name: str) -> dict[str, str]:
    _key, secret = api_key_create(
        actor=None, name=name, scopes=["courses:read"], user=user
    )
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def test_key_over_the_limit_gets_429_with_retry_after(client, admin, tight):
    headers = key(admin, "script")
    assert [client.get("/api/v1/courses", **headers).status_code for _ in range(2)] == [
        200,
        200,
    ]
    response = client.get("/api/v1/courses", **headers)
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many requests."}
    assert 1 <= int(response["Retry-After"]) <= 100


def test_buckets_are_per_caller(client, admin, librarian, tight):
    first, second = key(admin, "one"), key(librarian, "two")
    for _ in range(2):
        client.get("/api/v1/courses", **first)
    assert client.get("/api/v1/courses", **first).status_code == 429
    assert client.get("/api/v1/courses", **second).status_code == 200


def test_sessions_are_limited_too_and_every_operation_counts(client, librarian, tight):
    client.force_login(librarian)
    assert client.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/library/tasks").status_code == 200
    response = client.get("/api/v1/lists")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_rate_zero_turns_limiting_off(client, admin, settings):
    settings.LECTIO_API_RATE = 0
    headers = key(admin, "free")
    assert {client.get("/api/v1/me", **headers).status_code for _ in range(60)} == {200}

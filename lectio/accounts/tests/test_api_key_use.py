"""An API key records when it was last used, to the minute, without a write on
every request."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts import services
from lectio.accounts.models import ApiKey, User


@pytest.fixture
def secret(admin: User, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(services, "LAST_USED_EVERY", datetime.timedelta(minutes=1))
    _key, secret = services.api_key_create(
        actor=None, name="script", scopes=["courses:read"], user=admin
    )
    return secret


def writes(secret: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert services.api_key_authenticate(secret) is not None
    return sum(q["sql"].lstrip().upper().startswith("UPDATE") for q in queries)


def test_first_use_is_recorded_then_not_again_within_the_minute(secret: str) -> None:
    assert writes(secret) == 1
    first = ApiKey.objects.get().last_used_at
    assert first is not None

    assert writes(secret) == 0
    assert ApiKey.objects.get().last_used_at == first


def test_use_after_the_minute_is_recorded_again(secret: str) -> None:
    writes(secret)
    ApiKey.objects.update(
        last_used_at=ApiKey.objects.get().last_used_at - datetime.timedelta(minutes=2)
    )

    assert writes(secret) == 1

"""/healthz: what load balancers and uptime checks call."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_answers_200_with_json_naming_the_database(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": connection.vendor}


@pytest.mark.django_db
def test_healthz_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_refuses_post(client):
    response = client.post("/healthz")

    assert response.status_code == 405


def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    class DownConnection:
        vendor = "postgresql"

        def cursor(self):
            raise OSError("connection refused")

    monkeypatch.setattr("lectio.core.views.connection", DownConnection())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unreachable"}

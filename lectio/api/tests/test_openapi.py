"""The committed OpenAPI document is the API's contract: it must match the code."""

import json
from pathlib import Path

from lectio.api.v1 import api

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
REGENERATE = (
    "lectio export_openapi_schema --api lectio.api.v1.api --output docs/openapi.json "
    "--indent 1 --sorted"
)


def test_committed_openapi_document_matches_the_code():
    committed = json.loads(COMMITTED.read_text())
    current = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    assert current == committed, f"The API changed: regenerate with `{REGENERATE}`"


def test_openapi_document_is_served(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Lectio API"
    assert "/api/v1/library/tasks" in response.json()["paths"]

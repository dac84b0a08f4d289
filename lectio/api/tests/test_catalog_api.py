"""The catalog API: search, suggestions and one record, for a browser session and
for an API key with catalog:read."""

from __future__ import annotations

import datetime
import itertools

import pytest

from lectio.accounts.services import api_key_create
from lectio.catalog.availability import refresh
from lectio.catalog.models import Item, Portfolio, Record, RecordIdentifier
from lectio.catalog.search import index_records

pytestmark = pytest.mark.django_db
_NAMES = itertools.count()


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.LECTIO_API_RATE = 0


@pytest.fixture
def records():
    origin = Record.objects.create(
        control_number="a1",
        title="On the origin of species",
        author="Darwin, Charles",
        contributors=[{"name": "Darwin, Charles", "role": "author"}],
        year=1859,
        language="eng",
        isbns=["9780140432053"],
        subjects=["Evolution"],
    )
    beagle = Record.objects.create(
        control_number="a2",
        title="The voyage of the Beagle",
        author="Darwin, Charles",
        year=1839,
        language="eng",
        format="ebook",
    )
    RecordIdentifier.objects.create(record=origin, kind="isbn", value="9780140432053")
    Item.objects.create(
        record=origin, barcode="B1", location="Stacks", call_number="QH365"
    )
    Item.objects.create(
        record=origin,
        barcode="B2",
        status="on_loan",
        due_date=datetime.date(2026, 12, 12),
    )
    Portfolio.objects.create(
        record=beagle,
        external_id="P1",
        url="https://example.org/beagle",
        open_access=True,
    )
    refresh([origin.pk, beagle.pk])
    index_records([origin.pk, beagle.pk])
    return origin, beagle


def _key(user, scopes=("catalog:read",)):
    name = f"k{next(_NAMES)}"
    _k, secret = api_key_create(actor=None, name=name, scopes=list(scopes), user=user)
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def test_search_for_a_session(client, student, records):
    origin, beagle = records
    client.force_login(student)
    answer = client.get("/api/v1/catalog/search", {"q": "darwin"})
    assert answer.status_code == 200
    body = answer.json()
    assert body["total"] == 2 and body["message"] == ""
    assert [r["id"] for r in body["results"]] == [origin.pk, beagle.pk]
    first = body["results"][0]
    assert first["title"] == "On the origin of species"
    assert first["authors"] == ["Darwin, Charles"]
    assert first["isbns"] == ["9780140432053"]
    assert first["format"] == "book" and first["format_label"] == "Book"
    assert first["availability"]["status"] == "available"
    assert first["availability"]["label"].startswith("Available (1 of 2")
    assert body["results"][1]["availability"]["status"] == "online"
    formats = {f["value"]: f["count"] for f in body["facets"]["format"]}
    assert formats == {"book": 1, "ebook": 1}
    assert body["facets"]["available_now"][0]["count"] == 2
    assert body["facets_partial"] is False and body["total_capped"] is False


def test_search_with_a_key_filters_and_pages(client, admin, records):
    origin, beagle = records
    headers = _key(admin)
    answer = client.get(
        "/api/v1/catalog/search?q=darwin&format=ebook&format=book&limit=1", **headers
    )
    body = answer.json()
    assert answer.status_code == 200
    assert [r["id"] for r in body["results"]] == [origin.pk]
    assert "offset=1" in body["next"] and body["previous"] is None
    answer = client.get(
        "/api/v1/catalog/search",
        {"q": "darwin", "format": "ebook", "year_to": 1850},
        **headers,
    )
    assert [r["id"] for r in answer.json()["results"]] == [beagle.pk]


def test_identifier_search(client, student, records):
    client.force_login(student)
    body = client.get("/api/v1/catalog/search", {"q": "0-14-043205-1"}).json()
    assert body["identifier"] == {"kind": "isbn", "value": "9780140432053"}
    assert [r["title"] for r in body["results"]] == ["On the origin of species"]


@pytest.mark.parametrize(
    "q", ["", "the of", "!!!", '"', "NEAR(a", "x" * 3000, "\x00", "title:* ^"]
)
def test_bad_queries_are_answered(client, student, records, q):
    client.force_login(student)
    answer = client.get("/api/v1/catalog/search", {"q": q})
    assert answer.status_code == 200
    body = answer.json()
    assert body["results"] == [] or body["message"] == "" or body["results"]
    assert isinstance(body["message"], str)


def test_bad_parameters_name_their_field(client, student, records):
    client.force_login(student)
    answer = client.get("/api/v1/catalog/search", {"q": "darwin", "format": "vinyl"})
    assert answer.status_code == 400 and "format" in str(answer.json())
    answer = client.get("/api/v1/catalog/search", {"q": "darwin", "limit": 101})
    assert answer.status_code == 400
    answer = client.get("/api/v1/catalog/search", {"q": "darwin", "year_from": "x"})
    assert answer.status_code == 400


def test_suggest(client, student, records):
    client.force_login(student)
    body = client.get("/api/v1/catalog/suggest", {"q": "the voy"}).json()
    assert body == {"suggestions": ["The voyage of the Beagle"]}


def test_record_with_items_and_portfolios(client, admin, records):
    origin, beagle = records
    answer = client.get(f"/api/v1/catalog/records/{origin.pk}", **_key(admin))
    body = answer.json()
    assert answer.status_code == 200
    assert body["control_number"] == "a1"
    assert [i["barcode"] for i in body["items"]] == ["B2", "B1"] or [
        i["barcode"] for i in body["items"]
    ] == ["B1", "B2"]
    assert body["availability"]["items_total"] == 2
    assert body["subjects"] == ["Evolution"]
    body = client.get(f"/api/v1/catalog/records/{beagle.pk}", **_key(admin)).json()
    assert body["portfolios"][0]["url"] == "https://example.org/beagle"
    assert body["availability"]["status"] == "online"
    assert (
        client.get("/api/v1/catalog/records/999999", **_key(admin)).status_code == 404
    )


def test_scope_and_sign_in_are_needed(client, admin, records):
    assert client.get("/api/v1/catalog/search?q=darwin").status_code == 401
    answer = client.get(
        "/api/v1/catalog/search?q=darwin", **_key(admin, ("lists:read",))
    )
    assert answer.status_code == 403

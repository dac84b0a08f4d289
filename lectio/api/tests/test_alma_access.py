"""Who may use the Alma-compatible API: every URL and method against no key, a key
without the area, a read key, a write key, and a key of someone who is not library
staff; a browser session gives nothing; revoked keys stop at once; the rate limit
answers 429 with Retry-After; every refusal has Alma's error body."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from lectio.accounts.models import Role
from lectio.accounts.services import api_key_create, api_key_revoke
from lectio.core.factories import UserFactory
from lectio.courses.models import Course

BASE = "/almaws/v1"


@pytest.fixture
def world(course, reading_list, instructor, librarian) -> dict[str, Any]:
    UserFactory.create(username="second", primary_id="P-2", role=Role.INSTRUCTOR)
    citation = reading_list.citations.order_by("pk").first()
    list_path = f"{BASE}/courses/{course.pk}/reading-lists/{reading_list.pk}"
    return {
        "course": f"{BASE}/courses/{course.pk}",
        "list": list_path,
        "citation": f"{list_path}/citations/{citation.pk}",
        "owner": f"{list_path}/owners/instructor",
    }


ENDPOINTS: list[tuple[str, str, str, dict[str, Any] | None]] = [
    # (method, path template, area, body)
    ("GET", "/courses", "courses", None),
    (
        "POST",
        "/courses",
        "courses",
        {"code": "NEW1", "name": "New", "processing_department": "LIT"},
    ),
    ("GET", "{course}", "courses", None),
    (
        "PUT",
        "{course}",
        "courses",
        {"code": "LIT101", "name": "Renamed", "processing_department": "LIT"},
    ),
    ("DELETE", "{course}", "courses", None),
    ("GET", "{course}/reading-lists", "lists", None),
    ("POST", "{course}/reading-lists", "lists", {"name": "Another list"}),
    ("GET", "{list}", "lists", None),
    ("PUT", "{list}", "lists", {"name": "Renamed list"}),
    ("DELETE", "{list}", "lists", None),
    ("GET", "{list}/citations", "lists", None),
    ("POST", "{list}/citations", "lists", {"metadata": {"title": "New item"}}),
    ("GET", "{citation}", "lists", None),
    ("PUT", "{citation}", "lists", {"metadata": {"title": "Edited item"}}),
    ("DELETE", "{citation}", "lists", None),
    ("GET", "{citation}/tags", "lists", None),
    ("PUT", "{citation}/tags", "lists", {"citation_tag": []}),
    ("GET", "{list}/owners", "lists", None),
    ("POST", "{list}/owners", "lists", {"primary_id": "P-2"}),
    ("GET", "{owner}", "lists", None),
    ("PUT", "{owner}", "lists", {"access_rights": "EDIT"}),
    ("DELETE", "{owner}", "lists", None),
]
OTHER_AREA = {"courses": "lists", "lists": "courses"}


def path_of(template: str, world: dict[str, Any]) -> str:
    if template.startswith("/"):
        return BASE + template
    return template.format(**world)


def call(
    client: Any,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    **headers: Any,
) -> Any:
    return client.generic(
        method,
        path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        **headers,
    )


def key_for(user: Any, *scopes: str) -> dict[str, str]:
    _key, secret = api_key_create(
        actor=None,
        name=f"key-{user.username}-{len(scopes)}",
        scopes=list(scopes),
        user=user,
    )
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def assert_alma_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status
    body = response.json()["web_service_result"]
    assert body["errorsExist"] is True
    [error] = body["errorList"]["error"]
    assert error["errorCode"] == code
    assert error["trackingId"]
    return error


PERSONAS = ["no key", "other area", "read", "write", "not library staff"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "template", "area", "body"),
    ENDPOINTS,
    ids=[f"{m} {t}" for m, t, _a, _b in ENDPOINTS],
)
def test_scope_matrix(
    client, world, librarian, instructor, persona, method, template, area, body
):
    write = method != "GET"
    headers: dict[str, str] = {}
    if persona == "other area":
        headers = key_for(librarian, f"{OTHER_AREA[area]}:write", "workflow:write")
    elif persona == "read":
        headers = key_for(librarian, "courses:read", "lists:read")
    elif persona == "write":
        headers = key_for(librarian, "courses:write", "lists:write")
    elif persona == "not library staff":
        headers = key_for(instructor, "courses:write", "lists:write")
    courses_before = Course.objects.count()

    response = call(client, method, path_of(template, world), body, **headers)

    if persona == "no key":
        assert_alma_error(response, 401, "UNAUTHORIZED")
    elif persona in ("other area", "not library staff") or (
        persona == "read" and write
    ):
        assert_alma_error(response, 403, "FORBIDDEN")
    else:
        assert response.status_code == (204 if method == "DELETE" else 200), (
            response.content
        )
    if response.status_code in (401, 403):
        assert Course.objects.count() == courses_before


def test_browser_session_gives_no_access(client, world, librarian, course):
    client.force_login(librarian)

    assert_alma_error(
        client.get(f"{BASE}/courses", HTTP_ACCEPT="application/json"),
        401,
        "UNAUTHORIZED",
    )
    response = call(client, "PUT", world["course"], {"code": "X", "name": "Y"})
    assert_alma_error(response, 401, "UNAUTHORIZED")
    course.refresh_from_db()
    assert course.code == "LIT101"


def test_key_by_parameter_and_header(client, world, librarian):
    headers = key_for(librarian, "courses:read")
    secret = headers["HTTP_AUTHORIZATION"].split(" ", 1)[1]

    assert client.get(f"{BASE}/courses", {"apikey": secret}).status_code == 200
    assert client.get(f"{BASE}/courses", **headers).status_code == 200
    assert (
        client.get(f"{BASE}/courses", HTTP_AUTHORIZATION=f"APIKEY {secret}").status_code
        == 200
    )


def test_wrong_or_revoked_key_is_401_in_xml_by_default(client, world, librarian):
    headers = key_for(librarian, "courses:read")
    assert client.get(f"{BASE}/courses", **headers).status_code == 200
    api_key_revoke(actor=None, name=f"key-{librarian.username}-1")

    response = client.get(f"{BASE}/courses", **headers)

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    ns = "{http://com/exlibris/urm/general/xmlbeans}"
    assert root.tag == f"{ns}web_service_result"
    assert root.findtext(f"{ns}errorsExist") == "true"
    assert root.findtext(f"{ns}errorList/{ns}error/{ns}errorCode") == "UNAUTHORIZED"
    assert client.get(f"{BASE}/courses", {"apikey": "lk_nonsense"}).status_code == 401


def test_bearer_is_not_almas_scheme(client, world, librarian):
    secret = key_for(librarian, "courses:read")["HTTP_AUTHORIZATION"].split(" ", 1)[1]
    response = client.get(f"{BASE}/courses", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_rate_limit_is_429_with_retry_after(client, world, librarian, settings):
    settings.LECTIO_API_RATE = 0.01
    settings.LECTIO_API_BURST = 2
    headers = key_for(librarian, "courses:read")

    statuses = [
        client.get(f"{BASE}/courses", {"format": "json"}, **headers).status_code
        for _ in range(3)
    ]
    response = client.get(f"{BASE}/courses", {"format": "json"}, **headers)

    assert statuses == [200, 200, 429]
    error = assert_alma_error(response, 429, "PER_SECOND_THRESHOLD")
    assert "per second" in error["errorMessage"]
    assert int(response["Retry-After"]) >= 1


def test_unknown_url_and_method_answer_almas_body(client, world, librarian):
    headers = key_for(librarian, "courses:write")
    assert_alma_error(
        client.get(f"{BASE}/nothing-here", HTTP_ACCEPT="application/json", **headers),
        404,
        "NOT_FOUND",
    )
    response = call(client, "PATCH", world["course"], {}, **headers)
    assert_alma_error(response, 405, "METHOD_NOT_ALLOWED")
    assert response["Allow"] == "DELETE, GET, PUT"


def test_writes_need_no_csrf_token(world, librarian):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    headers = key_for(librarian, "courses:write")
    response = call(
        strict,
        "POST",
        f"{BASE}/courses",
        {"code": "NEW2", "name": "New", "processing_department": "LIT"},
        **headers,
    )
    assert response.status_code == 200

"""The library's API: keys and scopes, the task list, taking lists, statuses and
requests, answering bad input with 400 and conflicts with 409."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from lectio.accounts.models import ApiKey
from lectio.accounts.services import api_key_create, api_key_revoke
from lectio.core.models import Event
from lectio.lists import services
from lectio.lists.models import Citation, ReadingList
from lectio.workflow.models import ProcessingRequest

TASKS = "/api/v1/library/tasks"


@pytest.fixture
def sent_list(reading_list, instructor):
    services.reading_list_send_to_library(actor=instructor, reading_list=reading_list)
    reading_list.refresh_from_db()
    return reading_list


@pytest.fixture
def key(librarian):
    _key, secret = api_key_create(
        actor=None, name="library-script", scopes=["workflow:write"], user=librarian
    )
    return secret


@pytest.fixture
def read_key(librarian):
    _key, secret = api_key_create(
        actor=None, name="reporting", scopes=["workflow:read"], user=librarian
    )
    return secret


def auth(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def test_no_credentials_is_401(client, sent_list):
    assert client.get(TASKS).status_code == 401


def test_key_lists_the_task_list_with_tab_counts(client, key, sent_list):
    response = client.get(TASKS, {"tab": "unassigned"}, **auth(key))

    assert response.status_code == 200
    body = response.json()
    assert body["counts"] == {"all": 1, "mine": 0, "unassigned": 1, "others": 0}
    assert body["total"] == 1
    [row] = body["results"]
    assert row["code"] == sent_list.code
    assert row["status"] == "ReadyForProcessing"
    assert row["assigned_librarian"] is None
    assert row["courses"][0]["code"] == "LIT101"
    assert sum(row["item_counts"].values()) == 4


def test_bearer_scheme_works_too(client, key, sent_list):
    response = client.get(TASKS, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_revoked_key_stops_at_once(client, key, sent_list):
    assert client.get(TASKS, **auth(key)).status_code == 200
    api_key_revoke(actor=None, name="library-script")
    assert client.get(TASKS, **auth(key)).status_code == 401


def test_read_scope_cannot_write(client, read_key, sent_list):
    response = client.post(f"/api/v1/lists/{sent_list.pk}/take", **auth(read_key))

    assert response.status_code == 403
    assert response.json()["detail"] == "This API key lacks the scope workflow:write."
    assert ReadingList.objects.get(pk=sent_list.pk).assigned_librarian is None


def test_key_of_a_student_cannot_see_the_task_list(client, student, sent_list):
    _k, secret = api_key_create(
        actor=None, name="student-key", scopes=["workflow:write"], user=student
    )
    assert client.get(TASKS, **auth(secret)).status_code == 403


def test_take_then_second_taker_gets_409_naming_the_holder(
    client, key, sent_list, admin
):
    response = client.post(f"/api/v1/lists/{sent_list.pk}/take", **auth(key))
    assert response.status_code == 200
    assert response.json()["assigned_librarian"] == "librarian"

    _k, other = api_key_create(
        actor=None, name="admin-key", scopes=["workflow:write"], user=admin
    )
    events = Event.objects.count()
    response = client.post(f"/api/v1/lists/{sent_list.pk}/take", **auth(other))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Lia Librarian has already taken this list.",
        "assigned_to": "librarian",
    }
    assert ReadingList.objects.get(pk=sent_list.pk).assigned_librarian.username == (
        "librarian"
    )
    assert Event.objects.count() == events


def test_bad_input_is_400_naming_the_field(client, key, sent_list):
    response = client.post(
        f"/api/v1/lists/{sent_list.pk}/citations/status",
        {"citation_ids": [], "status": "Nope"},
        content_type="application/json",
        **auth(key),
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"citation_ids", "status"}


def test_illegal_bulk_change_names_the_item_and_changes_nothing(client, key, sent_list):
    ids = list(
        Citation.objects.filter(reading_list=sent_list).values_list("pk", flat=True)
    )
    before = dict(Citation.objects.filter(pk__in=ids).values_list("pk", "status"))

    response = client.post(
        f"/api/v1/lists/{sent_list.pk}/citations/status",
        {"citation_ids": ids, "status": "ReadyForProcessing"},
        content_type="application/json",
        **auth(key),
    )

    assert response.status_code == 400
    assert "Cannot change citation status from" in response.json()["detail"]
    assert (
        dict(Citation.objects.filter(pk__in=ids).values_list("pk", "status")) == before
    )


def test_decline_needs_a_reason_then_works(client, key, sent_list):
    citation = Citation.objects.get(
        reading_list=sent_list, title="Reading Against the Grain"
    )
    url = f"/api/v1/lists/{sent_list.pk}/citations/status"
    payload = {"citation_ids": [citation.pk], "status": "Declined"}

    refused = client.post(url, payload, content_type="application/json", **auth(key))
    assert refused.status_code == 400
    assert Citation.objects.get(pk=citation.pk).status == "ReadyForProcessing"

    payload["reason"] = "Out of print; we hold the second edition."
    done = client.post(url, payload, content_type="application/json", **auth(key))
    assert done.status_code == 200
    assert done.json() == {"changed": 1}
    stored = Citation.objects.get(pk=citation.pk)
    assert (stored.status, stored.decline_reason) == (
        "Declined",
        "Out of print; we hold the second edition.",
    )
    assert ReadingList.objects.get(pk=sent_list.pk).status == "BeingProcessed"


def test_requests_create_duplicate_and_state(client, key, sent_list):
    citation = Citation.objects.get(reading_list=sent_list, title="On Anthologies")
    url = f"/api/v1/citations/{citation.pk}/requests"
    payload = {"kind": "digitization", "page_ranges": "12-30", "total_pages": 400}

    created = client.post(url, payload, content_type="application/json", **auth(key))
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["state"], body["page_ranges"]) == (
        "digitization",
        "New",
        "12-30",
    )

    again = client.post(url, payload, content_type="application/json", **auth(key))
    assert again.status_code == 400
    assert (
        again.json()["detail"] == "This item already has an open digitization request."
    )
    assert ProcessingRequest.objects.count() == 1

    moved = client.post(
        f"/api/v1/requests/{body['id']}/state",
        {"state": "Rejected"},
        content_type="application/json",
        **auth(key),
    )
    assert moved.status_code == 400
    done = client.post(
        f"/api/v1/requests/{body['id']}/state",
        {"state": "Done"},
        content_type="application/json",
        **auth(key),
    )
    assert done.status_code == 200
    assert done.json()["state"] == "Done"
    queue = client.get(
        "/api/v1/requests", {"kind": "digitization", "state": "closed"}, **auth(key)
    )
    assert queue.json()["total"] == 1


def test_session_writes_need_the_csrf_token(librarian, sent_list):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(librarian)
    assert browser.get(TASKS).status_code == 200
    response = browser.post(f"/api/v1/lists/{sent_list.pk}/take")
    assert response.status_code == 403
    assert ReadingList.objects.get(pk=sent_list.pk).assigned_librarian is None


def test_api_key_command_creates_and_revokes(capsys, admin):
    call_command("api_key", "create", "--name", "cli", "--scope", "workflow:read")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("lk_")
    key = ApiKey.objects.get(name="cli")
    assert key.user == admin
    assert key.scopes == ["workflow:read"]
    assert key.key_hash != secret

    call_command("api_key", "revoke", "cli")
    assert ApiKey.objects.get(name="cli").revoked_at is not None


def test_api_key_command_takes_several_scopes_either_way(capsys, admin):
    call_command(
        "api_key", "create", "--name", "sis", "--scope", "courses:write", "users:read"
    )
    call_command(
        "api_key",
        "create",
        "--name",
        "lists",
        "--scope",
        "lists:read",
        "--scope",
        "loaders:write",
    )
    assert ApiKey.objects.get(name="sis").scopes == ["courses:write", "users:read"]
    assert ApiKey.objects.get(name="lists").scopes == ["lists:read", "loaders:write"]


def test_api_key_command_refuses_unknown_scope(admin):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown scope"):
        call_command("api_key", "create", "--name", "x", "--scope", "everything")
    assert not ApiKey.objects.exists()

"""Files on citations through the API: the browser's checks and rules, 413 over
the institution's limit, 400 with a code for a refused file, constant queries."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.models import InstitutionSettings
from lectio.accounts.services import api_key_create
from lectio.core.tests import file_samples as samples
from lectio.lists.models import Citation, CitationFile
from lectio.lists.statuses import CopyrightStatus
from lectio.workflow.models import ProcessingRequest

pytestmark = pytest.mark.django_db


def key(user, *scopes: str) -> dict[str, str]:
    _key, secret = api_key_create(
        actor=None, name=f"k-{user.username}", scopes=list(scopes), user=user
    )
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def complete(reading_list) -> Citation:
    return reading_list.citations.get(title="The Canon and Its Critics")


def upload(client, citation, headers, data=None, name="reading.pdf", **extra):
    return client.post(
        f"/api/v1/citations/{citation.pk}/files",
        {
            "file": SimpleUploadedFile(name, samples.pdf() if data is None else data),
            "copyright": extra.get("copyright", "self_declared"),
        },
        **headers,
    )


def test_an_instructor_uploads_lists_downloads_and_removes_a_file(
    client, published_list, instructor, student
):
    citation = complete(published_list)
    headers = key(instructor, "lists:write")
    response = upload(client, citation, headers, name="Week 1.pdf")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["name"], body["kind"], body["content_type"], body["size"]) == (
        "Week 1.pdf",
        "pdf",
        "application/pdf",
        len(samples.pdf()),
    )
    assert body["uploaded_by"] == "instructor"
    assert body["download"] == f"http://testserver/api/v1/files/{body['id']}"

    reader = key(student, "lists:read")
    listed = client.get(f"/api/v1/citations/{citation.pk}/files", **reader).json()
    assert [f["id"] for f in listed["results"]] == [body["id"]]
    assert listed["total"] == 1
    got = client.get(f"/api/v1/files/{body['id']}", **reader)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == samples.pdf()
    assert got["Content-Type"] == "application/pdf"
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Disposition"].startswith('attachment; filename="Week 1.pdf"')

    gone = client.delete(f"/api/v1/files/{body['id']}", **headers)
    assert gone.status_code == 204
    assert not CitationFile.objects.exists()


def test_a_refused_file_is_a_400_with_its_reason(client, published_list, instructor):
    headers = key(instructor, "lists:write")
    response = upload(
        client, complete(published_list), headers, samples.pdf_with_embedded_file()
    )
    assert response.status_code == 400
    assert response.json()["code"] == "pdf_embedded_file"
    assert "carries other files" in response.json()["detail"]
    renamed = upload(client, complete(published_list), headers, samples.exe())
    assert (renamed.status_code, renamed.json()["code"]) == (400, "unknown_type")
    assert not CitationFile.objects.exists()


def test_an_upload_over_the_limit_is_a_413(client, published_list, instructor):
    row = InstitutionSettings.current()
    row.max_upload_mb = 1
    row.save()
    InstitutionSettings.forget_cached()
    big = samples.png() + b"\0" * (1024 * 1024 + 1)
    response = upload(
        client, complete(published_list), key(instructor, "lists:write"), big, "b.png"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert not CitationFile.objects.exists()


def test_students_cannot_upload(client, published_list, student):
    response = upload(client, complete(published_list), key(student, "lists:write"))
    assert response.status_code == 403
    assert not CitationFile.objects.exists()


def test_files_waiting_for_clearance_are_hidden_from_readers(
    client, published_list, instructor, student
):
    citation = complete(published_list)
    response = upload(
        client,
        citation,
        key(instructor, "lists:write"),
        copyright="needs_clearance",
    )
    assert response.status_code == 201
    assert ProcessingRequest.objects.get().kind == "copyright"
    reader = key(student, "lists:read")
    listed = client.get(f"/api/v1/citations/{citation.pk}/files", **reader).json()
    assert listed["results"] == []
    file_id = response.json()["id"]
    assert client.get(f"/api/v1/files/{file_id}", **reader).status_code == 403
    Citation.objects.filter(pk=citation.pk).update(
        copyright_status=CopyrightStatus.APPROVED
    )
    assert client.get(f"/api/v1/files/{file_id}", **reader).status_code == 200


def test_listing_files_costs_the_same_for_one_or_many(
    client, published_list, instructor
):
    citation = complete(published_list)
    headers = key(instructor, "lists:write")
    url = f"/api/v1/citations/{citation.pk}/files"
    upload(client, citation, headers)
    client.get(url, **headers)
    with CaptureQueriesContext(connection) as one:
        client.get(url, **headers)
    for n in range(4):
        upload(client, citation, headers, name=f"more {n}.pdf")
    with CaptureQueriesContext(connection) as five:
        answer = client.get(url, **headers)
    assert answer.json()["total"] == 5
    assert len(five.captured_queries) == len(one.captured_queries)

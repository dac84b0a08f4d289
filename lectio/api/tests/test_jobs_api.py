"""Loaders over the API: upload a file (202 with the job), poll the job, list jobs;
administrators only; bad input named by field."""

from __future__ import annotations

import importlib.util

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.services import api_key_create
from lectio.core import loading
from lectio.core.jobs import job_create, job_execute
from lectio.core.loading import LoadOptions, LoadResult
from lectio.core.models import Job
from lectio.courses.models import Course

JOBS = "/api/v1/jobs"
SEEN: list[LoadOptions] = []


def fake_load(data: bytes, options: LoadOptions) -> LoadResult:
    """A loader for the plumbing: one row per line; lines saying "bad" are rejected."""
    SEEN.append(options)
    result = LoadResult()
    lines = data.decode().splitlines()
    options.progress(0, len(lines))
    for number, line in enumerate(lines, start=1):
        if "bad" in line:
            result.reject(number, "this row is bad", key=line)
        else:
            result.counts["created"] += 1
    options.progress(len(lines), len(lines))
    result.applied = not options.dry_run and (
        options.mode == "valid_only" or not result.rejects
    )
    return result


@pytest.fixture
def fake_loader(monkeypatch):
    SEEN.clear()
    monkeypatch.setitem(loading.LOADERS, "courses", f"{__name__}.fake_load")


def key(user, *scopes: str) -> dict[str, str]:
    name = f"k-{user.username}-{'-'.join(scopes)}"
    _key, secret = api_key_create(actor=None, name=name, scopes=list(scopes), user=user)
    return {"HTTP_AUTHORIZATION": f"apikey {secret}"}


def upload(client, headers, content=b"one\ntwo\nbad three\n", **fields):
    data = {"kind": "courses", **fields}
    if content is not None:
        data["file"] = SimpleUploadedFile("courses.txt", content)
    return client.post(JOBS, data, **headers)


def test_upload_answers_202_with_the_queued_job(client, admin, fake_loader):
    response = upload(
        client, key(admin, "loaders:write", "courses:write"), mode="valid_only"
    )

    assert response.status_code == 202, response.json()
    body = response.json()
    job = Job.objects.get()
    assert body["id"] == job.pk
    assert (body["kind"], body["state"], body["file_name"]) == (
        "courses",
        "queued",
        "courses.txt",
    )
    assert body["options"] == {
        "mode": "valid_only",
        "dry_run": False,
        "date_format": "",
    }
    assert body["progress"] == {"done": 0, "total": 0, "percent": 0}
    assert body["links"]["self"] == f"http://testserver/api/v1/jobs/{job.pk}"
    assert body["links"]["html"] == f"http://testserver/institution/jobs/{job.pk}/"
    assert body["created_by"] == "admin"
    assert job.file.read() == b"one\ntwo\nbad three\n"


def test_poll_reports_counts_and_rejects_once_run(client, admin, fake_loader):
    headers = key(admin, "loaders:write", "courses:write")
    job_id = upload(client, headers, mode="valid_only", dry_run="true").json()["id"]
    job_execute(Job.objects.get(pk=job_id))

    body = client.get(f"{JOBS}/{job_id}", **headers).json()

    assert body["state"] == "done"
    assert body["counts"] == {"created": 2, "rejected": 1}
    assert body["rejects"] == [
        {"line": 3, "key": "bad three", "reason": "this row is bad"}
    ]
    assert body["rejects_total"] == 1
    assert body["progress"] == {"done": 3, "total": 3, "percent": 100}
    assert body["links"]["rejects"] == (
        f"http://testserver/institution/jobs/{job_id}/rejects.txt"
    )
    [options] = SEEN
    assert (options.mode, options.dry_run, options.actor) == ("valid_only", True, admin)


def test_date_format_reaches_the_loader(client, admin, fake_loader):
    headers = key(admin, "loaders:write", "courses:write")
    job_id = upload(client, headers, date_format="%d/%m/%Y").json()["id"]
    job_execute(Job.objects.get(pk=job_id))
    assert SEEN[0].date_format == "%d/%m/%Y"


@pytest.mark.parametrize(
    ("fields", "content", "field"),
    [
        ({"kind": "everything"}, b"x\n", "kind"),
        ({"mode": "sometimes"}, b"x\n", "mode"),
        ({"date_format": "dd/mm/yyyy"}, b"x\n", "date_format"),
        ({}, None, "file"),
        ({}, b"", "file"),
    ],
)
def test_bad_upload_is_400_naming_the_field(
    client, admin, fake_loader, fields, content, field
):
    response = upload(
        client, key(admin, "loaders:write", "courses:write"), content=content, **fields
    )
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not Job.objects.exists()


def test_file_over_the_limit_is_refused(client, admin, fake_loader, settings):
    settings.LECTIO_LOADER_MAX_BYTES = 10
    response = upload(
        client, key(admin, "loaders:write", "courses:write"), content=b"x" * 11
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert not Job.objects.exists()


@pytest.mark.parametrize("persona", ["librarian", "instructor", "student"])
def test_only_administrators_start_or_poll_jobs(client, request, persona, admin):
    user = request.getfixturevalue(persona)
    job = job_create(kind="courses", actor=admin, data=b"x", enqueue=False)
    client.force_login(user)
    assert upload(client, {}).status_code == 403
    assert client.get(f"{JOBS}/{job.pk}").status_code == 403
    assert client.get(JOBS).status_code == 403
    assert Job.objects.count() == 1


def test_read_scope_polls_but_cannot_start(client, admin, fake_loader):
    job = job_create(kind="courses", actor=admin, data=b"x", enqueue=False)
    headers = key(admin, "loaders:read")
    assert client.get(f"{JOBS}/{job.pk}", **headers).status_code == 200
    response = upload(client, headers)
    assert response.status_code == 403
    assert response.json()["detail"] == "This API key lacks the scope loaders:write."
    assert Job.objects.count() == 1


def test_job_list_newest_first_with_filters_and_constant_queries(client, admin):
    headers = key(admin, "loaders:read")
    job_create(kind="users", actor=admin, data=b"x", enqueue=False)
    with CaptureQueriesContext(connection) as one:
        assert client.get(JOBS, **headers).json()["total"] == 1
    for n in range(25):
        job_create(
            kind="courses" if n % 2 else "lists", actor=admin, data=b"x", enqueue=False
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(JOBS, **headers).json()
    assert body["total"] == 26
    assert len(body["results"]) == 20
    assert body["results"][0]["id"] > body["results"][1]["id"]
    assert "rejects" not in body["results"][0]
    assert len(many) == len(one) <= 5
    courses = client.get(JOBS, {"kind": "courses"}, **headers).json()
    assert courses["total"] == 12


@pytest.mark.skipif(
    importlib.util.find_spec("lectio.courses.loader") is None,
    reason="the course loader is not there yet",
)
def test_a_course_file_loads_through_the_api(client, admin):
    from lectio.courses.loader import COLUMNS

    cells = {
        "COURSE_CODE": "API101",
        "COURSE_TITLE": "Loaded by a script",
        "SECTION_ID": "01",
        "ACAD_DEPT": "HIST",
        "PROC_DEPT": "LIB",
        "TERM1": "AUT26",
        "START_DATE": "2026-09-28",
        "END_DATE": "2026-12-11",
    }
    text = (
        "\t".join(COLUMNS) + "\n" + "\t".join(cells.get(c, "") for c in COLUMNS) + "\n"
    )
    headers = key(admin, "loaders:write", "courses:write")
    job_id = upload(client, headers, content=text.encode()).json()["id"]
    job_execute(Job.objects.get(pk=job_id))

    body = client.get(f"{JOBS}/{job_id}", **headers).json()
    assert body["state"] == "done", body["message"]
    assert body["counts"]["created"] == 1
    assert body["counts"]["rejected"] == 0
    assert Course.objects.get(code="API101", section="01").name == "Loaded by a script"


@pytest.mark.django_db
def test_a_loader_key_needs_write_access_to_the_area_it_loads(client, admin):
    # A key for course files cannot make administrators through a user file.
    headers = key(admin, "loaders:write", "courses:write")
    response = upload(client, headers, kind="users")
    assert response.status_code == 403
    assert "users:write" in response.json()["detail"]
    assert not Job.objects.exists()

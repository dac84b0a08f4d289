"""The institution data pages: uploading a loader file, a job's page (progress, counts,
rejects, the reject report), and API keys.

Loaders are swapped for a small one defined here (`fake_load`), registered through
LOADERS, so these tests see the pages, not a loader's rules; the end-to-end test at the
bottom runs the real course loader.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import ApiKey, InstitutionSettings, Role, User
from lectio.accounts.services import api_key_authenticate
from lectio.core import loading
from lectio.core.factories import UserFactory
from lectio.core.jobs import job_create, job_execute
from lectio.core.loading import LoadOptions, LoadResult, Throttle, decode, read_rows
from lectio.core.models import Event, Job, JobState


def loader_columns_of(module: str) -> tuple[str, ...]:
    from importlib import import_module

    return tuple(import_module(module).COLUMNS)


pytestmark = pytest.mark.django_db

COURSE_COLUMNS = loader_columns_of("lectio.courses.loader")

FAKE = "lectio.courses.tests.test_views.fake_load"
DATA_URL = reverse("courses:data")
KEYS_URL = reverse("courses:api_keys")


def fake_load(data: bytes, options: LoadOptions) -> LoadResult:
    """Rows "KEY<TAB>anything"; a key starting with "bad" is rejected. Records the
    options it was given on the result, so tests can see them."""
    result = LoadResult()
    rows = list(read_rows(decode(data), delimiter="\t"))[1:]
    tick = Throttle(options.progress, len(rows), seconds=0)
    for n, (line, cells) in enumerate(rows, 1):
        if cells[0].startswith("bad"):
            result.reject(line, "this row is bad", key=cells[0])
        else:
            result.counts["created"] += 1
        tick(n)
    result.counts["date_format_" + (options.date_format or "none")] = 0
    result.applied = not options.dry_run and not result.rejects
    return result


@pytest.fixture(autouse=True)
def fake_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    for kind in ("courses", "users", "enrolments", "lists"):
        monkeypatch.setitem(loading.LOADERS, kind, FAKE)


def login(client: Client, role: str, username: str | None = None) -> User:
    user = UserFactory.create(username=username or role, role=role)
    client.force_login(user)
    return user


@pytest.fixture
def admin_client(client: Client) -> Client:
    login(client, Role.ADMIN)
    return client


def upload(name: str, body: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, body, content_type="text/tab-separated-values")


def post_upload(client: Client, body: bytes, **extra: Any) -> Any:
    data = {
        "kind": "courses",
        "mode": "all_or_nothing",
        "date_format": "%Y-%m-%d",
        "file": upload("courses.tsv", body),
        **extra,
    }
    return client.post(DATA_URL, data)


GOOD_FILE = b"CODE\tNAME\nLIT101\tReading\nHIS201\tHistory\n"
MIXED_FILE = b"CODE\tNAME\nLIT101\tReading\nbad-one\tX\nHIS201\tHistory\nbad-two\tY\n"


def make_job(user: User | None, body: bytes = MIXED_FILE, **options: Any) -> Job:
    return job_create(
        kind="courses",
        actor=user,
        data=body,
        file_name="autumn.tsv",
        options={"mode": "valid_only", **options},
        enqueue=False,
    )


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode()).strip()


# --- the job page ---------------------------------------------------------------------


def test_queued_job_page_polls_and_says_it_waits(admin_client: Client) -> None:
    job = make_job(User.objects.get(username="admin"))

    response = admin_client.get(reverse("courses:job", kwargs={"pk": job.pk}))

    assert response.status_code == 200
    page = text(response)
    assert f"Courses job {job.pk}</h1>" in page
    assert "autumn.tsv" in page
    assert (
        'role="status" aria-live="polite" class="job-status"><strong>Waiting to start.'
        in page
    )
    assert '<label for="job-bar">Rows done</label>' in page
    assert '<progress id="job-bar" max="100" value="0">0%</progress>' in page
    assert (
        f'hx-get="/institution/jobs/{job.pk}/?seen=queued-" hx-trigger="every 2s"'
        in page
    )
    assert "Counts" not in page
    assert response["Cache-Control"] == "no-store"
    assert "HX-Request" in response["Vary"]


def test_finished_job_page_shows_counts_and_rejects_and_stops_polling(
    admin_client: Client,
) -> None:
    job = job_execute(make_job(User.objects.get(username="admin")))
    assert job.state == JobState.DONE

    page = text(admin_client.get(reverse("courses:job", kwargs={"pk": job.pk})))

    assert "hx-trigger" not in page
    assert "<strong>Finished.</strong>" in page
    assert '<progress id="job-bar" max="4" value="4">100%</progress>' in page
    assert "4 of 4 (100%)" in page
    counts = dict(re.findall(r'data-count="(\w+)"><span class="n">(\d+)</span>', page))
    assert counts == {
        "created": "2",
        "updated": "0",
        "unchanged": "0",
        "deleted": "0",
        "rolled_over": "0",
        "rejected": "2",
        "date_format_none": "0",
    }
    rows = re.findall(r"<tr><td>(\w+)</td><td>([\w-]*)</td><td>([^<]*)</td></tr>", page)
    assert rows == [
        ("3", "bad-one", "this row is bad"),
        ("5", "bad-two", "this row is bad"),
    ]
    assert f'href="/institution/jobs/{job.pk}/rejects.txt" download' in page
    assert "Download the reject report (2 lines)" in page


def test_job_without_rejects_says_so(admin_client: Client) -> None:
    job = job_execute(make_job(User.objects.get(username="admin"), GOOD_FILE))

    page = text(admin_client.get(reverse("courses:job", kwargs={"pk": job.pk})))

    assert "No rows were rejected." in page
    assert "rejects.txt" not in page


def test_failed_job_shows_why(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(data: bytes, options: LoadOptions) -> LoadResult:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(
        "lectio.courses.tests.test_views.fake_load", broken, raising=True
    )
    job = job_execute(make_job(User.objects.get(username="admin")))

    page = text(admin_client.get(reverse("courses:job", kwargs={"pk": job.pk})))

    assert job.state == JobState.FAILED
    assert "<strong>Failed.</strong>" in page
    assert "The job failed: RuntimeError: disk on fire" in page
    assert "hx-trigger" not in page


def test_poll_returns_the_live_part_and_the_status_only_when_it_changed(
    admin_client: Client,
) -> None:
    job = make_job(User.objects.get(username="admin"))
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, progress_done=45, progress_total=100
    )
    url = reverse("courses:job", kwargs={"pk": job.pk})

    first = text(admin_client.get(url + "?seen=queued-", HTTP_HX_REQUEST="true"))
    again = text(admin_client.get(url + "?seen=running-4", HTTP_HX_REQUEST="true"))

    assert first.startswith('<div id="job-live" hx-get=')
    assert "<h1>" not in first
    assert '<progress id="job-bar" max="100" value="45">45%</progress>' in first
    assert (
        '<p id="job-status" hx-swap-oob="innerHTML"><strong>Running: 40% done.' in first
    )
    assert "?seen=running-4" in first
    assert "hx-swap-oob" not in again
    assert "hx-trigger" in again


def test_poll_of_a_finished_job_stops_and_brings_the_counts(
    admin_client: Client,
) -> None:
    job = job_execute(make_job(User.objects.get(username="admin")))

    part = text(
        admin_client.get(
            reverse("courses:job", kwargs={"pk": job.pk}) + "?seen=running-9",
            HTTP_HX_REQUEST="true",
        )
    )

    assert part.startswith('<div id="job-live">')
    assert 'data-count="rejected"><span class="n">2</span>' in part
    assert "<strong>Finished.</strong></p>" in part


def test_reject_report_is_a_text_file_in_line_order(admin_client: Client) -> None:
    job = make_job(User.objects.get(username="admin"))
    Job.objects.filter(pk=job.pk).update(
        state=JobState.DONE,
        rejects=[
            {"line": 9, "key": "B", "reason": "later"},
            {"line": 0, "key": "", "reason": "the file is odd"},
            {"line": 2, "key": "A", "reason": "first"},
        ],
    )

    response = admin_client.get(reverse("courses:job_rejects", kwargs={"pk": job.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="courses-job-{job.pk}-rejects.txt"'
    )
    assert response.content.decode() == (
        "file: the file is odd\nline 2 (A): first\nline 9 (B): later\n"
    )


def test_many_rejects_are_cut_on_the_page_and_whole_in_the_report(
    admin_client: Client,
) -> None:
    job = make_job(User.objects.get(username="admin"))
    rejects = [{"line": n, "key": f"K{n}", "reason": "no"} for n in range(2, 603)]
    Job.objects.filter(pk=job.pk).update(state=JobState.DONE, rejects=rejects)

    page = text(admin_client.get(reverse("courses:job", kwargs={"pk": job.pk})))
    report = admin_client.get(reverse("courses:job_rejects", kwargs={"pk": job.pk}))

    assert page.count("<td>no</td>") == 500
    assert "And 101 more in the report." in page
    assert len(report.content.decode().splitlines()) == 601


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.LIBRARIAN])
def test_loader_jobs_are_for_administrators(client: Client, role: str) -> None:
    job = make_job(UserFactory.create(username="boss", role=Role.ADMIN))
    login(client, role)

    for name in ("courses:job", "courses:job_rejects"):
        assert client.get(reverse(name, kwargs={"pk": job.pk})).status_code == 403


def test_rollover_jobs_are_seen_by_library_staff_not_instructors(
    client: Client,
) -> None:
    starter = UserFactory.create(username="lib1", role=Role.LIBRARIAN)
    job = job_create(
        kind="rollover",
        actor=starter,
        options={"from_term": "AUT26", "to_term": "AUT27"},
        enqueue=False,
    )
    url = reverse("courses:job", kwargs={"pk": job.pk})

    client.force_login(starter)
    page = text(client.get(url))
    assert "Rollover job" in page
    assert "AUT26 → AUT27" in page
    # No link to the admins' data page for a librarian.
    assert 'href="/institution/data/"' not in page
    login(client, Role.LIBRARIAN, "lib2")
    assert client.get(url).status_code == 200
    login(client, Role.INSTRUCTOR)
    assert client.get(url).status_code == 403


def test_a_librarian_sees_a_loader_job_they_started(client: Client) -> None:
    user = login(client, Role.LIBRARIAN)
    job = make_job(user)

    assert client.get(reverse("courses:job", kwargs={"pk": job.pk})).status_code == 200


def test_unknown_job_is_404(admin_client: Client) -> None:
    for name in ("courses:job", "courses:job_rejects"):
        assert admin_client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


# --- uploading --------------------------------------------------------------------------


def test_upload_page_offers_every_loader_with_the_institution_date_format(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The help lists the columns the real course loader reads.
    monkeypatch.setitem(loading.LOADERS, "courses", "lectio.courses.loader.load")
    InstitutionSettings.objects.filter(pk=InstitutionSettings.current().pk).update(
        loader_date_format="%d/%m/%Y"
    )

    page = text(admin_client.get(DATA_URL))

    assert re.findall(r'name="kind" value="(\w+)"', page) == [
        "courses",
        "users",
        "enrolments",
        "lists",
    ]
    assert 'name="date_format" value="%d/%m/%Y"' in page
    assert 'enctype="multipart/form-data"' in page
    columns = re.search(r'<h3 id="help-courses">.*?class="columns">(.*?)</p>', page)
    assert columns is not None
    assert columns.group(1).removeprefix(
        '<span class="visually-hidden">Columns: </span>'
    ).split(", ") == [*COURSE_COLUMNS]
    assert "<code>examples/courses.tsv</code>" in page
    assert 'aria-current="page">Institution data</a>' in page


def test_course_help_has_the_34_columns_of_the_alma_course_loader() -> None:
    assert len(COURSE_COLUMNS) == 34
    assert COURSE_COLUMNS[:5] == (
        "COURSE_CODE",
        "COURSE_TITLE",
        "SECTION_ID",
        "ACAD_DEPT",
        "PROC_DEPT",
    )
    assert COURSE_COLUMNS[17:28] == (
        *[f"INSTR{n}" for n in range(1, 11)],
        "ALL_INSTRUCTORS",
    )
    assert COURSE_COLUMNS[-1] == "READING_LIST_NAME"


def test_upload_queues_a_job_with_the_options_and_goes_to_its_page(
    admin_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = post_upload(
            admin_client,
            MIXED_FILE,
            mode="valid_only",
            dry_run="on",
            date_format="%d.%m.%Y",
        )

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/institution/jobs/{job.pk}/"
    assert (job.kind, job.state, job.file_name, job.created_by.username) == (  # type: ignore[union-attr]
        "courses",
        JobState.QUEUED,
        "courses.tsv",
        "admin",
    )
    assert job.options == {
        "mode": "valid_only",
        "dry_run": True,
        "date_format": "%d.%m.%Y",
    }
    assert job.file.read() == MIXED_FILE
    # Queued for the worker once the upload has committed.
    assert len(callbacks) == 1

    done = job_execute(Job.objects.get())
    assert done.counts == {"created": 2, "date_format_%d.%m.%Y": 0, "rejected": 2}


def test_upload_runs_to_the_end_through_the_job(admin_client: Client) -> None:
    post_upload(admin_client, GOOD_FILE)
    job = job_execute(Job.objects.get())

    page = text(admin_client.get(reverse("courses:job", kwargs={"pk": job.pk})))

    assert 'data-count="created"><span class="n">2</span>' in page
    assert "<strong>Finished.</strong>" in page


def test_empty_file_is_refused_and_nothing_is_queued(admin_client: Client) -> None:
    response = post_upload(admin_client, b"")

    page = text(response)
    assert response.status_code == 200
    assert Job.objects.count() == 0
    assert 'role="alert"' in page
    assert '<a href="#id_file">File: The file is empty.</a>' in page


def test_file_over_the_limit_is_refused_and_nothing_is_queued(
    admin_client: Client, settings: Any
) -> None:
    settings.LECTIO_LOADER_MAX_BYTES = 2 * 1_048_576
    response = post_upload(admin_client, b"x" * (3 * 1_048_576))

    page = text(response)
    assert Job.objects.count() == 0
    assert (
        "File: The file is 3 MB; files up to 2 MB are accepted. Split it into "
        "smaller files." in page
    )
    assert "Files up to 2 MB." in page


@pytest.mark.parametrize("fmt", ["", "YYYY-MM-DD", "%Y", "%H:%M", "%Q"])
def test_bad_date_format_is_refused(admin_client: Client, fmt: str) -> None:
    response = post_upload(admin_client, GOOD_FILE, date_format=fmt)

    assert response.status_code == 200
    assert Job.objects.count() == 0
    assert '<a href="#id_date_format">Date format in the file:' in text(response)


def test_unknown_kind_and_missing_choices_are_refused(admin_client: Client) -> None:
    response = post_upload(admin_client, GOOD_FILE, kind="teleports", mode="maybe")

    page = text(response)
    assert Job.objects.count() == 0
    assert '<a href="#id_kind_0">What the file holds: Select a valid choice.' in page
    assert '<a href="#id_mode_0">When some rows are rejected: Select a valid' in page


def test_recent_jobs_are_listed_in_few_queries(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    admin = User.objects.get(username="admin")
    for n in range(25):
        job_execute(make_job(admin if n % 2 else None, GOOD_FILE))
    InstitutionSettings.current()

    # Session, user, settings, jobs with their starters.
    with django_assert_max_num_queries(4):
        page = text(admin_client.get(DATA_URL))

    links = re.findall(r'href="/institution/jobs/(\d+)/">Courses job', page)
    newest = list(Job.objects.values_list("pk", flat=True)[:20])
    assert [int(pk) for pk in links] == newest
    assert "Created: 2, Rejected: 0" not in page  # zero counts left out
    assert "Created: 2</span>" in page


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.LIBRARIAN])
def test_only_administrators_upload(client: Client, role: str) -> None:
    login(client, role)

    assert client.get(DATA_URL).status_code == 403
    assert post_upload(client, GOOD_FILE).status_code == 403
    assert Job.objects.count() == 0


def test_navigation_shows_institution_data_to_administrators_only(
    client: Client,
) -> None:
    login(client, Role.LIBRARIAN)
    assert (
        "Institution data" not in client.get(reverse("workflow:home")).content.decode()
    )
    login(client, Role.ADMIN)
    assert (
        f'<a href="{DATA_URL}" >Institution data</a>'
        in client.get(reverse("workflow:home")).content.decode()
    )


# --- API keys ---------------------------------------------------------------------------


def key_data(name: str = "SIS feed", **scopes: str) -> dict[str, str]:
    return {"name": name, **{f"scope_{area}": mode for area, mode in scopes.items()}}


def test_new_key_is_shown_once_and_works(admin_client: Client) -> None:
    response = admin_client.post(KEYS_URL, key_data(courses="write", lists="read"))

    page = text(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r'id="new-key" class="secret" value="(lk_[\w-]+)"', page)
    assert secret is not None
    key = api_key_authenticate(secret.group(1))
    assert key is not None
    assert (key.name, key.scopes, key.user.username) == (
        "SIS feed",
        ["courses:write", "lists:read"],
        "admin",
    )
    assert Event.objects.filter(verb="apikey.create", target_id=key.pk).exists()
    # The form is empty again; the list shows the key without its secret.
    assert 'name="name" maxlength="100" required' in page
    listing = text(admin_client.get(KEYS_URL))
    assert secret.group(1) not in listing
    assert "Courses, terms and departments: read and write" in listing
    assert "Reading lists and citations: read" in listing
    # Used once, just now, by the check above.
    assert "never" not in listing


def test_revoking_a_key_refuses_it_at_once(admin_client: Client) -> None:
    admin_client.post(KEYS_URL, key_data(loaders="write"))
    key = ApiKey.objects.get()
    secret = re.search(
        r'value="(lk_[\w-]+)"',
        text(admin_client.post(KEYS_URL, key_data("Other", users="read"))),
    )
    assert secret is not None

    response = admin_client.post(
        reverse("courses:api_key_revoke", kwargs={"pk": key.pk}), follow=True
    )

    key.refresh_from_db()
    assert key.revoked_at is not None
    assert "The key SIS feed is revoked" in text(response)
    assert (
        api_key_authenticate(secret.group(1)) is not None
    )  # the other one still works
    again = admin_client.post(
        reverse("courses:api_key_revoke", kwargs={"pk": key.pk}), follow=True
    )
    assert "was revoked already" in text(again)
    assert Event.objects.filter(verb="apikey.revoke").count() == 1


def test_key_needs_a_unique_name_and_some_access(admin_client: Client) -> None:
    admin_client.post(KEYS_URL, key_data(courses="read"))

    duplicate = text(admin_client.post(KEYS_URL, key_data(courses="read")))
    no_scope = text(admin_client.post(KEYS_URL, key_data("Empty")))

    assert (
        '<a href="#id_name">Name: An API key named SIS feed exists already.'
        in duplicate
    )
    assert "Give the key access to at least one area." in no_scope
    assert ApiKey.objects.count() == 1
    assert "new-key" not in duplicate + no_scope


def test_unknown_scope_value_is_refused(admin_client: Client) -> None:
    page = text(admin_client.post(KEYS_URL, key_data(courses="admin")))

    assert ApiKey.objects.count() == 0
    assert "Select a valid choice." in page


@pytest.mark.parametrize("role", [Role.STUDENT, Role.INSTRUCTOR, Role.LIBRARIAN])
def test_only_administrators_manage_keys(client: Client, role: str) -> None:
    boss = UserFactory.create(username="boss", role=Role.ADMIN)
    from lectio.accounts.services import api_key_create

    key, _secret = api_key_create(
        actor=boss, name="Kept", scopes=["courses:read"], user=boss
    )
    login(client, role)

    assert client.get(KEYS_URL).status_code == 403
    assert client.post(KEYS_URL, key_data("Mine", courses="write")).status_code == 403
    revoke = reverse("courses:api_key_revoke", kwargs={"pk": key.pk})
    assert client.post(revoke).status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None
    assert list(ApiKey.objects.values_list("name", flat=True)) == ["Kept"]


def test_key_list_is_a_few_queries(
    admin_client: Client, django_assert_max_num_queries: Any
) -> None:
    from lectio.accounts.services import api_key_create

    boss = User.objects.get(username="admin")
    for n in range(15):
        api_key_create(actor=boss, name=f"k{n}", scopes=["lists:read"], user=boss)

    with django_assert_max_num_queries(5):
        response = admin_client.get(KEYS_URL)

    assert text(response).count("Revoke k") == 15


# --- end to end, with the real course loader ------------------------------------------


def course_line(**cells: str) -> str:
    return "\t".join(cells.get(name, "") for name in COURSE_COLUMNS) + "\n"


def course_file() -> bytes:
    common = {"TERM1": "AUT26", "START_DATE": "28/09/2026", "END_DATE": "11/12/2026"}
    return (
        "\t".join(COURSE_COLUMNS)
        + "\n"
        + course_line(
            COURSE_CODE="LIT101",
            COURSE_TITLE="Reading the Canon",
            SECTION_ID="01",
            ACAD_DEPT="LIT",
            PROC_DEPT="MAIN",
            NUM_OF_PARTICIPANTS="45",
            **common,
        )
        + course_line(
            COURSE_CODE="HIS201",
            COURSE_TITLE="Modern History",
            SECTION_ID="01",
            ACAD_DEPT="HIS",
            PROC_DEPT="MAIN",
            **common,
        )
        + course_line(
            COURSE_CODE="BAD301", COURSE_TITLE="No department", SECTION_ID="01"
        )
    ).encode()


def test_a_course_file_loads_through_the_page_and_again_changes_nothing(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lectio.courses.models import Course

    monkeypatch.setitem(loading.LOADERS, "courses", "lectio.courses.loader.load")
    runs = []
    for _run in range(2):
        response = post_upload(
            admin_client, course_file(), mode="valid_only", date_format="%d/%m/%Y"
        )
        job = job_execute(Job.objects.get(pk=response["Location"].split("/")[-2]))
        runs.append(text(admin_client.get(response["Location"])))
        assert job.state == JobState.DONE

    first, second = (
        dict(re.findall(r'data-count="(\w+)"><span class="n">(\d+)</span>', page))
        for page in runs
    )
    assert (first["created"], first["unchanged"], first["rejected"]) == ("2", "0", "1")
    assert (second["created"], second["unchanged"], second["rejected"]) == (
        "0",
        "2",
        "1",
    )
    assert re.search(
        r"<tr><td>4</td><td>BAD301[^<]*</td><td>[^<]*PROC_DEPT", runs[0]
    ), runs[0]
    assert sorted(Course.objects.values_list("code", "name", "participants")) == [
        ("HIS201", "Modern History", 0),
        ("LIT101", "Reading the Canon", 45),
    ]


def test_a_rollover_job_shows_its_own_counts_and_what_it_left_undone(
    client: Client,
) -> None:
    from lectio.core.factories import CourseFactory, TermFactory, make_list
    from lectio.lists.models import ReadingList as ReadingListModel

    autumn = TermFactory.create(code="AUT26")
    next_autumn = TermFactory.create(code="AUT27")
    librarian = login(client, Role.LIBRARIAN)
    old = CourseFactory.create(code="LIT101", section="01", terms=[autumn])
    CourseFactory.create(code="LIT101", section="02", terms=[next_autumn])
    lonely = CourseFactory.create(code="HIS201", section="01", terms=[autumn])
    make_list(owner=librarian, courses=[old], name="Canon", citations=[{"title": "A"}])
    make_list(owner=librarian, courses=[lonely], name="History", citations=[])
    job = job_execute(
        job_create(
            kind="rollover",
            actor=librarian,
            options={"from_term": "AUT26", "to_term": "AUT27"},
            enqueue=False,
        )
    )
    assert job.state == JobState.DONE, job.message

    page = text(client.get(reverse("courses:job", kwargs={"pk": job.pk})))
    report = client.get(reverse("courses:job_rejects", kwargs={"pk": job.pk}))

    counts = dict(re.findall(r'data-count="(\w+)"><span class="n">(\d+)</span>', page))
    assert counts == {
        "rolled_over": "1",
        "already": "0",
        "citations": "1",
        "unmatched": "1",
    }
    assert "Lists with no matching course</li>" in page
    assert '<h2 id="rejects-heading">Not done</h2>' in page
    assert '<th scope="col">Line</th>' not in page
    history = ReadingListModel.objects.get(name="History")
    assert (
        f"<tr><td>{history.code}</td><td>HIS201-01: No course with the code HIS201"
        in page
    )
    assert report.content.decode().startswith(
        f"{history.code}: HIS201-01: No course with the code HIS201"
    )

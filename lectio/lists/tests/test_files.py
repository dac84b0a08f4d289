"""Files on citations: uploading (checked, limited, kept atomically), opening (the
list's material-access rule, safe headers, counted), removing (after commit, safe
when shared by a rolled-over copy), the copyright declaration, and where readers
see the links."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from lectio.accounts.models import InstitutionSettings, User
from lectio.analytics.models import UsageEvent
from lectio.core import usage
from lectio.core.models import Event
from lectio.core.tests import file_samples as samples
from lectio.lists import files, services
from lectio.lists.models import (
    Availability,
    Citation,
    CitationFile,
    CitationStatusRule,
    FileCopyright,
    ReadingList,
)
from lectio.lists.rollover import rollover_list
from lectio.lists.services import ServiceError
from lectio.lists.statuses import CitationStatus, CopyrightStatus, MaterialAccess
from lectio.workflow.models import ProcessingRequest, RequestKind

pytestmark = pytest.mark.django_db

SELF = FileCopyright.SELF_DECLARED


def complete_citation(reading_list: ReadingList) -> Citation:
    return reading_list.citations.get(title="The Canon and Its Critics")


def add(
    actor: User,
    citation: Citation,
    data: bytes | None = None,
    name: str = "reading.pdf",
    copyright: str = SELF,
) -> CitationFile:
    upload = ContentFile(samples.pdf() if data is None else data, name=name)
    return files.citation_file_add(
        actor=actor, citation=citation, upload=upload, name=name, copyright=copyright
    )


def stored_files() -> list[str]:
    root = Path(storages["citation_files"].location)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def post_file(
    client: Any,
    citation: Citation,
    data: bytes,
    name: str = "reading.pdf",
    copyright: str = SELF,
) -> Any:
    return client.post(
        reverse("files:citation_files", args=[citation.pk]),
        {"file": SimpleUploadedFile(name, data), "copyright": copyright},
    )


# --- keeping a file -----------------------------------------------------------------


def test_an_upload_is_kept_under_a_generated_name_outside_the_web_root(
    settings: Any, published_list: ReadingList, instructor: User
) -> None:
    citation = complete_citation(published_list)
    row = add(instructor, citation, name="../../etc/Week 1 — scan.pdf")
    assert (row.name, row.kind, row.content_type, row.copyright) == (
        "Week 1 — scan.pdf",
        "pdf",
        "application/pdf",
        SELF,
    )
    assert row.size == len(samples.pdf())
    stored = row.file.name
    assert "scan" not in stored and stored.endswith(".pdf")
    assert stored_files() == [stored]
    root = Path(storages["citation_files"].location)
    assert root == Path(settings.MEDIA_ROOT) / "private"
    assert (root / stored).read_bytes() == samples.pdf()
    assert not (Path(settings.STATIC_ROOT) / stored).exists()
    with pytest.raises(ValueError, match="no URL"):
        storages["citation_files"].url(stored)
    citation.refresh_from_db()
    assert citation.copyright_status == CopyrightStatus.SELF_DECLARED
    event = Event.objects.filter(verb="citation.file_add").get()
    assert event.params["file"] == row.pk


def test_an_upload_changes_what_readers_see(
    published_list: ReadingList, instructor: User
) -> None:
    before = published_list.content_version
    add(instructor, complete_citation(published_list))
    published_list.refresh_from_db()
    assert published_list.content_version == before + 1


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (samples.pdf_with_javascript(), "reading.pdf", "pdf_javascript"),
        (samples.pdf_with_embedded_file(), "reading.pdf", "pdf_embedded_file"),
        (samples.exe(), "reading.pdf", "unknown_type"),
        (samples.png(), "reading.pdf", "type_mismatch"),
        (samples.pdf()[:200], "reading.pdf", "broken"),
    ],
)
def test_a_refused_file_keeps_nothing(
    published_list: ReadingList, instructor: User, data: bytes, name: str, code: str
) -> None:
    citation = complete_citation(published_list)
    with pytest.raises(files.FileRefused) as caught:
        add(instructor, citation, data, name)
    assert (caught.value.code, caught.value.status) == (code, 400)
    assert not CitationFile.objects.exists()
    assert stored_files() == []
    citation.refresh_from_db()
    assert citation.copyright_status == CopyrightStatus.NOT_DETERMINED


def test_the_institution_limit_refuses_larger_files(
    published_list: ReadingList, instructor: User
) -> None:
    row = InstitutionSettings.current()
    row.max_upload_mb = 1
    row.save()
    InstitutionSettings.forget_cached()
    big = samples.png() + b"\0" * (1024 * 1024)
    with pytest.raises(files.FileRefused) as caught:
        add(instructor, complete_citation(published_list), big, "big.png")
    assert (caught.value.code, caught.value.status) == ("too_large", 413)
    assert "1 MB" in str(caught.value)
    assert stored_files() == []
    # Just under the limit is fine.
    add(instructor, complete_citation(published_list), big[: 1024 * 1024], "ok.png")
    assert CitationFile.objects.count() == 1


def test_students_cannot_upload(published_list: ReadingList, student: User) -> None:
    with pytest.raises(ServiceError):
        add(student, complete_citation(published_list))
    assert not CitationFile.objects.exists()
    assert stored_files() == []


def test_a_failed_transaction_removes_the_stored_file(
    published_list: ReadingList, instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(files, "event_record", fail)
    with pytest.raises(RuntimeError):
        add(instructor, complete_citation(published_list))
    assert not CitationFile.objects.exists()
    assert stored_files() == []


def test_the_sweep_removes_files_an_outer_rollback_left(
    published_list: ReadingList, instructor: User
) -> None:
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        add(instructor, complete_citation(published_list))
        raise Undo
    assert not CitationFile.objects.exists()
    [left] = stored_files()
    # Young files are left alone (an upload may be on its way to commit).
    assert files.sweep_stored_files() == []
    kept = add(instructor, complete_citation(published_list))
    assert files.sweep_stored_files(older_than_seconds=0) == [left]
    assert stored_files() == [kept.file.name]


def test_a_partly_written_file_never_appears_under_its_name(
    published_list: ReadingList, instructor: User
) -> None:
    class Broken(ContentFile):
        def chunks(self, chunk_size: int | None = None) -> Any:
            yield b"%PDF-1.4 first part"
            raise OSError("disk full")

    storage = storages["citation_files"]
    with pytest.raises(OSError, match="disk full"):
        storage.save("ab/partial.pdf", Broken(b"x", name="x.pdf"))
    assert stored_files() == []


# --- copyright --------------------------------------------------------------------


def test_creative_commons_is_recorded_on_the_citation(
    published_list: ReadingList, instructor: User
) -> None:
    citation = complete_citation(published_list)
    add(instructor, citation, copyright=FileCopyright.CREATIVE_COMMONS)
    citation.refresh_from_db()
    assert citation.copyright_status == CopyrightStatus.CREATIVE_COMMONS
    assert not ProcessingRequest.objects.exists()


def test_needs_clearance_puts_a_request_in_front_of_the_library(
    published_list: ReadingList, instructor: User
) -> None:
    citation = complete_citation(published_list)
    add(instructor, citation, copyright=FileCopyright.NEEDS_CLEARANCE)
    citation.refresh_from_db()
    assert citation.copyright_status == CopyrightStatus.WAITING
    request = ProcessingRequest.objects.get()
    assert (request.kind, request.state, request.citation_id) == (
        RequestKind.COPYRIGHT,
        "New",
        citation.pk,
    )
    assert "reading.pdf" in request.details
    # A second such file does not open a second request.
    add(instructor, citation, name="more.pdf", copyright=FileCopyright.NEEDS_CLEARANCE)
    assert ProcessingRequest.objects.count() == 1


def test_a_library_decision_is_not_overwritten_by_a_declaration(
    published_list: ReadingList, instructor: User
) -> None:
    citation = complete_citation(published_list)
    Citation.objects.filter(pk=citation.pk).update(
        copyright_status=CopyrightStatus.APPROVED
    )
    citation.refresh_from_db()
    add(instructor, citation, copyright=FileCopyright.SELF_DECLARED)
    citation.refresh_from_db()
    assert citation.copyright_status == CopyrightStatus.APPROVED


@pytest.fixture
def file_rule(db: None) -> CitationStatusRule:
    """The institution's rule: an article with an uploaded file needs no library work."""
    CitationStatusRule.objects.all().delete()
    return CitationStatusRule.objects.create(
        position=0,
        material_type="article",
        availability=Availability.FILE,
        status=CitationStatus.COMPLETE,
    )


def test_a_file_runs_the_status_rules_while_the_library_has_not_started(
    published_list: ReadingList, instructor: User, file_rule: CitationStatusRule
) -> None:
    citation = published_list.citations.get(title="Reading Against the Grain")
    assert citation.status == CitationStatus.BEING_PREPARED
    add(instructor, citation)
    citation.refresh_from_db()
    assert citation.status == CitationStatus.COMPLETE
    assert Event.objects.filter(
        verb="citation.status", target_id=citation.pk, params__to="Complete"
    ).exists()
    # Removing the file changes no status.
    files.citation_file_delete(actor=instructor, row=citation.files.get())
    citation.refresh_from_db()
    assert citation.status == CitationStatus.COMPLETE


def test_a_file_sent_to_the_library_is_still_decided_by_the_rules(
    published_list: ReadingList, instructor: User, file_rule: CitationStatusRule
) -> None:
    citation = published_list.citations.get(title="Reading Against the Grain")
    Citation.objects.filter(pk=citation.pk).update(
        status=CitationStatus.READY_FOR_PROCESSING
    )
    add(instructor, citation)
    citation.refresh_from_db()
    assert citation.status == CitationStatus.COMPLETE


@pytest.mark.parametrize("status", [CitationStatus.IN_PROCESS, CitationStatus.DECLINED])
def test_a_file_does_not_move_an_item_the_library_works_on_or_decided(
    published_list: ReadingList,
    instructor: User,
    file_rule: CitationStatusRule,
    status: str,
) -> None:
    citation = published_list.citations.get(title="Reading Against the Grain")
    Citation.objects.filter(pk=citation.pk).update(status=status)
    add(instructor, citation)
    citation.refresh_from_db()
    assert citation.status == status


def test_a_file_needing_clearance_leaves_the_status_to_the_clearance(
    published_list: ReadingList, instructor: User, file_rule: CitationStatusRule
) -> None:
    citation = published_list.citations.get(title="Reading Against the Grain")
    add(instructor, citation, copyright=FileCopyright.NEEDS_CLEARANCE)
    citation.refresh_from_db()
    assert citation.status == CitationStatus.BEING_PREPARED


def test_a_file_matching_no_rule_changes_no_status(
    published_list: ReadingList, instructor: User
) -> None:
    CitationStatusRule.objects.all().delete()
    citation = published_list.citations.get(title="Reading Against the Grain")
    add(instructor, citation)
    citation.refresh_from_db()
    assert citation.status == CitationStatus.BEING_PREPARED


# --- opening ----------------------------------------------------------------------


def test_opening_a_pdf_sends_it_inline_with_safe_headers(
    client_for: Any, published_list: ReadingList, instructor: User, student: User
) -> None:
    row = add(instructor, complete_citation(published_list), name="Lektüre «1».pdf")
    response = client_for(student).get(reverse("files:open", args=[row.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == samples.pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(samples.pdf()))
    assert response["Content-Disposition"] == (
        'inline; filename="Lekture 1.pdf"; '
        "filename*=UTF-8''Lekt%C3%BCre%20%C2%AB1%C2%BB.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'self'"
    )
    assert response["Cache-Control"] == "private, no-store"


def test_images_show_sandboxed_and_documents_download(
    client_for: Any, published_list: ReadingList, instructor: User, student: User
) -> None:
    citation = complete_citation(published_list)
    image = add(instructor, citation, samples.png(), "figure.png")
    book = add(instructor, citation, samples.epub(), 'novel"; x=.epub')
    client = client_for(student)
    shown = client.get(reverse("files:open", args=[image.pk]))
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith('inline; filename="figure.png"')
    assert shown["Content-Security-Policy"].endswith("; sandbox")
    saved = client.get(reverse("files:open", args=[book.pk]))
    assert saved["Content-Type"] == "application/epub+zip"
    assert saved["Content-Disposition"] == (
        'attachment; filename="novel_ x_.epub"; '
        "filename*=UTF-8''novel%22%3B%20x%3D.epub"
    )
    assert saved["Content-Security-Policy"] == (
        "default-src 'none'; frame-ancestors 'none'; sandbox"
    )
    forced = client.get(reverse("files:open", args=[image.pk]), {"download": "1"})
    assert forced["Content-Disposition"].startswith("attachment;")


def test_opening_a_file_counts_as_opening_the_citation(
    usage_on: None,
    client_for: Any,
    published_list: ReadingList,
    instructor: User,
    student: User,
) -> None:
    citation = complete_citation(published_list)
    row = add(instructor, citation)
    client_for(student).get(reverse("files:open", args=[row.pk]))
    usage.flush()
    event = UsageEvent.objects.get()
    assert (event.kind, event.detail, event.citation_id, event.list_id) == (
        "citation_open",
        "file",
        citation.pk,
        published_list.pk,
    )
    assert event.role == "student"


def test_material_access_for_course_students_only(
    client_for: Any,
    published_list: ReadingList,
    instructor: User,
    student: User,
    other_student: User,
) -> None:
    ReadingList.objects.filter(pk=published_list.pk).update(
        visibility="institution", material_access=MaterialAccess.COURSE
    )
    row = add(instructor, complete_citation(published_list))
    url = reverse("files:open", args=[row.pk])
    assert client_for(other_student).get(url).status_code == 403
    assert client_for(student).get(url).status_code == 200
    assert client_for(instructor).get(url).status_code == 200


def test_a_file_waiting_for_clearance_reaches_students_once_approved(
    client_for: Any, published_list: ReadingList, instructor: User, student: User
) -> None:
    citation = complete_citation(published_list)
    row = add(instructor, citation, copyright=FileCopyright.NEEDS_CLEARANCE)
    url = reverse("files:open", args=[row.pk])
    assert client_for(student).get(url).status_code == 403
    assert client_for(instructor).get(url).status_code == 200
    page = client_for(student).get(reverse("lists:detail", args=[published_list.pk]))
    assert url.encode() not in page.content
    Citation.objects.filter(pk=citation.pk).update(
        copyright_status=CopyrightStatus.APPROVED
    )
    services._touch_content(published_list.pk)
    assert client_for(student).get(url).status_code == 200
    page = client_for(student).get(reverse("lists:detail", args=[published_list.pk]))
    assert url.encode() in page.content


def test_a_missing_stored_file_is_a_404_not_an_error(
    client_for: Any, published_list: ReadingList, instructor: User, student: User
) -> None:
    row = add(instructor, complete_citation(published_list))
    os.remove(storages["citation_files"].path(row.file.name))
    response = client_for(student).get(reverse("files:open", args=[row.pk]))
    assert response.status_code == 404


# --- where readers see files --------------------------------------------------------


def test_the_reading_view_and_the_citation_page_link_the_files(
    client_for: Any, published_list: ReadingList, instructor: User, student: User
) -> None:
    citation = complete_citation(published_list)
    row = add(instructor, citation, name="Chapter <1>.pdf")
    link = reverse("files:open", args=[row.pk]).encode()
    client = client_for(student)
    page = client.get(reverse("lists:detail", args=[published_list.pk]))
    assert link in page.content
    assert b"Chapter &lt;1&gt;.pdf" in page.content
    assert b"Chapter <1>" not in page.content
    detail = client.get(reverse("lists:citation_detail", args=[citation.pk]))
    assert link in detail.content
    assert reverse("files:citation_files", args=[citation.pk]).encode() not in (
        detail.content
    )
    editor = client_for(instructor).get(
        reverse("lists:detail", args=[published_list.pk])
    )
    assert b"1 file" in editor.content


def test_readers_without_material_access_see_no_links(
    client_for: Any,
    published_list: ReadingList,
    instructor: User,
    other_student: User,
) -> None:
    ReadingList.objects.filter(pk=published_list.pk).update(
        visibility="institution", material_access=MaterialAccess.COURSE
    )
    citation = complete_citation(published_list)
    row = add(instructor, citation)
    link = reverse("files:open", args=[row.pk]).encode()
    client = client_for(other_student)
    assert (
        link
        not in client.get(reverse("lists:detail", args=[published_list.pk])).content
    )
    assert link not in (
        client.get(reverse("lists:citation_detail", args=[citation.pk])).content
    )


# --- removing ---------------------------------------------------------------------


def test_removing_a_file_removes_the_stored_file_after_commit(
    django_capture_on_commit_callbacks: Any,
    published_list: ReadingList,
    instructor: User,
) -> None:
    row = add(instructor, complete_citation(published_list))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        files.citation_file_delete(actor=instructor, row=row)
    assert not CitationFile.objects.exists()
    assert stored_files() == [row.file.name]  # not before the commit
    for callback in callbacks:
        callback()
    assert stored_files() == []


def test_deleting_the_citation_or_the_list_removes_its_files(
    django_capture_on_commit_callbacks: Any,
    published_list: ReadingList,
    instructor: User,
) -> None:
    citation = complete_citation(published_list)
    add(instructor, citation)
    other = published_list.citations.get(title="Close Reading, Explained")
    add(instructor, other, samples.png(), "figure.png")
    with django_capture_on_commit_callbacks(execute=True):
        services.citation_delete(actor=instructor, citation=citation)
    assert len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.reading_list_delete(actor=instructor, reading_list=published_list)
    assert stored_files() == []


def test_rollover_copies_files_and_removal_is_safe_while_shared(
    django_capture_on_commit_callbacks: Any,
    published_list: ReadingList,
    instructor: User,
    other_course: Any,
    librarian: User,
) -> None:
    citation = complete_citation(published_list)
    row = add(instructor, citation)
    copy = rollover_list(published_list, other_course, actor=librarian)
    copied = CitationFile.objects.get(citation__reading_list=copy)
    assert (copied.file.name, copied.name, copied.sha256, copied.copyright) == (
        row.file.name,
        row.name,
        row.sha256,
        row.copyright,
    )
    assert copied.citation.title == citation.title
    with django_capture_on_commit_callbacks(execute=True):
        files.citation_file_delete(actor=instructor, row=row)
    # The copy still names the stored file: it stays, and still opens.
    assert stored_files() == [row.file.name]
    assert copied.file.open("rb").read() == samples.pdf()
    with django_capture_on_commit_callbacks(execute=True):
        files.citation_file_delete(actor=librarian, row=copied)
    assert stored_files() == []


# --- the upload page ----------------------------------------------------------------


def test_uploading_through_the_page(
    client_for: Any, published_list: ReadingList, instructor: User
) -> None:
    citation = complete_citation(published_list)
    client = client_for(instructor)
    page = client.get(reverse("files:citation_files", args=[citation.pk]))
    assert page.status_code == 200
    assert b'accept=".docx,.epub' in page.content
    response = post_file(client, citation, samples.docx(), "essay.docx")
    assert response.status_code == 302
    row = CitationFile.objects.get()
    assert (row.kind, row.name) == ("docx", "essay.docx")


def test_a_refusal_on_the_page_says_why(
    client_for: Any, published_list: ReadingList, instructor: User
) -> None:
    citation = complete_citation(published_list)
    response = post_file(
        client_for(instructor), citation, samples.pdf_with_javascript()
    )
    assert response.status_code == 400
    assert b"This PDF contains JavaScript" in response.content
    assert not CitationFile.objects.exists()


def test_an_upload_over_the_limit_is_a_413(
    client_for: Any, published_list: ReadingList, instructor: User
) -> None:
    row = InstitutionSettings.current()
    row.max_upload_mb = 1
    row.save()
    InstitutionSettings.forget_cached()
    big = samples.png() + b"\0" * (2 * 1024 * 1024)
    response = post_file(
        client_for(instructor), complete_citation(published_list), big, "big.png"
    )
    assert response.status_code == 413
    assert b"larger than 1 MB" in response.content
    assert not CitationFile.objects.exists()
    assert stored_files() == []


def test_the_upload_limit_handler_stops_reading_past_the_limit(rf: Any) -> None:
    from lectio.lists.views.files import LimitedUploadHandler, StopUpload

    handler = LimitedUploadHandler(rf.post("/"), limit=10)
    assert handler.receive_data_chunk(b"12345", 0) == b"12345"
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"1234567", 5)
    assert handler.exceeded


def test_uploads_are_checked_for_the_csrf_token(
    published_list: ReadingList, instructor: User
) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(instructor)
    response = post_file(client, complete_citation(published_list), samples.pdf())
    assert response.status_code == 403
    assert not CitationFile.objects.exists()


# --- query counts -------------------------------------------------------------------


@pytest.mark.parametrize(("sections", "citations"), [(2, 5), (10, 300)])
def test_files_cost_one_query_only_when_the_reading_view_is_assembled(
    django_assert_num_queries: Any,
    published_list: ReadingList,
    default_tags: Any,
    instructor: User,
    student: User,
    sections: int,
    citations: int,
) -> None:
    from lectio.lists.tests.test_query_counts import (
        EDITOR_COLD,
        EDITOR_WARM,
        READER_COLD,
        READER_WARM,
        grow,
        logged_in,
        measure,
    )

    grow(published_list, sections=sections, citations=citations)
    first = add(instructor, complete_citation(published_list))
    with_files = list(
        published_list.citations.filter(status="Complete").order_by("id")[::2]
    )
    CitationFile.objects.bulk_create(
        CitationFile(
            citation=c,
            file=first.file.name,
            name=f"Scan {c.pk}.pdf",
            kind="pdf",
            content_type="application/pdf",
            size=first.size,
            sha256=first.sha256,
            copyright=SELF,
        )
        for c in with_files
    )
    services._touch_content(published_list.pk)
    url = reverse("lists:detail", args=[published_list.pk])
    # Cold: + the files of the citations that have any; warm: nothing more.
    response = measure(
        django_assert_num_queries,
        logged_in(student),
        url,
        READER_COLD + 1,
        READER_WARM,
    )
    assert response.content.decode().count('href="/files/') == (
        CitationFile.objects.count()
    )
    # The editor counts files in the query it makes anyway.
    measure(
        django_assert_num_queries, logged_in(instructor), url, EDITOR_COLD, EDITOR_WARM
    )


def test_the_sweep_command_says_what_it_removed(
    published_list: ReadingList, instructor: User
) -> None:
    from io import StringIO

    from django.core.management import call_command

    kept = add(instructor, complete_citation(published_list))
    storages["citation_files"].save("zz/orphan.pdf", ContentFile(b"%PDF-1.4"))
    out = StringIO()
    call_command("sweep_files", "--older-than", "0", stdout=out)
    assert out.getvalue() == "removed zz/orphan.pdf\n1 stored files removed\n"
    assert stored_files() == [kept.file.name]


def test_a_duplicated_list_keeps_the_files(
    django_capture_on_commit_callbacks: Any,
    published_list: ReadingList,
    instructor: User,
) -> None:
    row = add(instructor, complete_citation(published_list))
    copy = services.reading_list_duplicate(
        actor=instructor, reading_list=published_list, name="Copy"
    )
    copied = CitationFile.objects.get(citation__reading_list=copy)
    assert (copied.file.name, copied.name, copied.citation.title) == (
        row.file.name,
        row.name,
        "The Canon and Its Critics",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reading_list_delete(actor=instructor, reading_list=published_list)
    assert stored_files() == [row.file.name]

"""Files on citations: list, upload, download, remove.

The browser's rules through the same selectors and services: people who may edit
the list upload and remove files (lists:write); readers list and download them when
the list's material access lets them open its material (lists:read), and not files
still waiting for copyright clearance. Uploads are checked as in the browser: kind
by content, no active PDFs, the institution's size limit (413 over it)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import reverse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from lectio.api.auth import caller
from lectio.api.paging import PageMeta, PageQuery, page
from lectio.lists import files, selectors
from lectio.lists.models import CitationFile, FileCopyright
from lectio.lists.permissions import Right, may_open_material
from lectio.lists.views.files import file_response

router = Router(tags=["files"])
AREA = "lists"


class FileOut(Schema):
    id: int
    citation_id: int
    name: str = Field(description="The name it was uploaded under")
    kind: str = Field(description="pdf, epub, png, jpeg, gif, webp, docx, ...")
    content_type: str = Field(description="Detected from the content")
    size: int = Field(description="Bytes")
    sha256: str
    copyright: FileCopyright
    uploaded_by: str | None
    uploaded_at: datetime.datetime
    download: str = Field(description="URL of the file's bytes")


class FilePage(PageMeta):
    results: list[FileOut]


class FileIn(Schema):
    copyright: FileCopyright = Field(
        description="self_declared, creative_commons or needs_clearance (the "
        "library gets a copyright-clearance request)"
    )


def file_out(request: HttpRequest, row: CitationFile) -> dict[str, Any]:
    return {
        "id": row.pk,
        "citation_id": row.citation_id,
        "name": row.name,
        "kind": row.kind,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "copyright": row.copyright,
        "uploaded_by": row.uploaded_by.username if row.uploaded_by else None,
        "uploaded_at": row.uploaded_at,
        "download": request.build_absolute_uri(
            reverse("api-v1:file_download", args=[row.pk])
        ),
    }


@router.get(
    "/citations/{citation_id}/files",
    response=FilePage,
    summary="The files of a citation the caller may open",
)
def file_list(
    request: HttpRequest, citation_id: int, query: Query[PageQuery]
) -> dict[str, Any]:
    user = caller(request, AREA)
    citation, right = selectors.citation_get_for_reader(
        user=user, citation_id=citation_id
    )
    if not may_open_material(user, citation.reading_list, right):
        raise HttpError(403, "The files of this list are for the course's students.")
    rows = CitationFile.objects.filter(citation=citation).select_related("uploaded_by")
    if right < Right.EDIT:
        visible = [r.pk for r in rows if files.readers_may_open(r, citation, right)]
        rows = rows.filter(pk__in=visible)
    answer = page(request, rows.order_by("uploaded_at", "id"), query)
    answer["results"] = [file_out(request, r) for r in answer["results"]]
    return answer


@router.post(
    "/citations/{citation_id}/files",
    response={201: FileOut},
    summary="Upload a file to a citation (multipart: file, copyright)",
)
def file_upload(
    request: HttpRequest,
    citation_id: int,
    body: Form[FileIn],
    file: File[UploadedFile],
) -> Status:
    """The body was streamed to a temporary file by the time this runs; over the
    institution's limit it is a 413 and nothing is kept."""
    user = caller(request, AREA, write=True)
    citation = selectors.citation_get_for_editor(user=user, citation_id=citation_id)
    row = files.citation_file_add(
        actor=user,
        citation=citation,
        upload=file,
        name=file.name or "",
        copyright=body.copyright,
    )
    row = CitationFile.objects.select_related("uploaded_by").get(pk=row.pk)
    return Status(201, file_out(request, row))


@router.get(
    "/files/{file_id}",
    summary="A file's bytes, with its detected type",
    url_name="file_download",
    response={200: None},
)
def file_download(request: HttpRequest, file_id: int) -> HttpResponseBase:
    user = caller(request, AREA)
    row, _right = files.file_get_for_reader(user=user, file_id=file_id)
    return file_response(row, download=True)


@router.delete("/files/{file_id}", response={204: None}, summary="Remove a file")
def file_delete(request: HttpRequest, file_id: int) -> Status:
    user = caller(request, AREA, write=True)
    row = files.file_get_for_editor(user=user, file_id=file_id)
    files.citation_file_delete(actor=user, row=row)
    return Status(204, None)

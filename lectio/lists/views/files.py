"""Files on citations: the editors' page (upload, remove) and opening a file."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from lectio.core import filetypes, usage
from lectio.core.requests import AuthedHttpRequest
from lectio.lists import files, selectors
from lectio.lists.access import file_for_reader_or_login
from lectio.lists.forms import CitationFileForm
from lectio.lists.models import CitationFile

log = logging.getLogger("lectio.files")

# Room for the multipart boundaries and the other fields of the form.
FORM_OVERHEAD = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of an upload as they arrive and stops reading past the
    limit (the file parts are already streamed to disk by Django's own handlers)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_upload(request: HttpRequest) -> LimitedUploadHandler | None:
    """Before the body is read: None if the declared length is over the limit
    already, else the handler that watches the bytes."""
    limit = files.upload_limit()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit + FORM_OVERHEAD:
        return None
    handler = LimitedUploadHandler(request, limit)
    request.upload_handlers = [handler, *request.upload_handlers]
    return handler


def _page(
    request: HttpRequest,
    citation: Any,
    form: CitationFileForm,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    return render(
        request,
        "lists/citation_files.html",
        {
            "citation": citation,
            "list": citation.reading_list,
            "files": list(citation.files.select_related("uploaded_by")),
            "form": form,
            "copyright_fields": [form["copyright"]],
            "error": error,
            "limit_mb": files.upload_limit() // (1024 * 1024),
            "nav": "lists",
        },
        status=status,
    )


# CSRF is checked inside, once the upload handlers are in place: the middleware's
# check would read the body (and so the whole upload) first.
@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def citation_files(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    citation = selectors.citation_get_for_editor(
        user=request.user, citation_id=citation_id
    )
    if request.method == "POST":
        handler = limit_upload(request)
        if handler is None:
            # Refused on the declared length, before a byte of the body is read.
            return _too_large(request, citation)
        return _upload(request, citation, handler)
    return _page(request, citation, CitationFileForm())


def _too_large(request: HttpRequest, citation: Any) -> HttpResponse:
    return _page(
        request, citation, CitationFileForm(), status=413, error=str(files.too_large())
    )


@csrf_protect
def _upload(
    request: AuthedHttpRequest, citation: Any, handler: LimitedUploadHandler
) -> HttpResponse:
    form = CitationFileForm(request.POST, request.FILES)
    if handler.exceeded:
        return _too_large(request, citation)
    if not form.is_valid():
        return _page(request, citation, form, status=400)
    upload = form.cleaned_data["file"]
    try:
        row = files.citation_file_add(
            actor=request.user,
            citation=citation,
            upload=upload,
            name=upload.name or "",
            copyright=form.cleaned_data["copyright"],
        )
    except files.FileRefused as refused:
        form.add_error("file", str(refused))
        return _page(request, citation, form, status=refused.status)
    messages.success(request, _("“%(name)s” is uploaded.") % {"name": row.name})
    return redirect("files:citation_files", citation_id=citation.pk)


@login_required
@require_POST
def file_delete(request: AuthedHttpRequest, file_id: int) -> HttpResponse:
    row = files.file_get_for_editor(user=request.user, file_id=file_id)
    citation_id = row.citation_id
    files.citation_file_delete(actor=request.user, row=row)
    messages.success(request, _("“%(name)s” is removed.") % {"name": row.name})
    return redirect("files:citation_files", citation_id=citation_id)


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline` or `attachment` with an ASCII filename and the real one (RFC 5987)."""
    kind = "inline" if inline else "attachment"
    fallback = files.ascii_name(name).replace('"', "")
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


# What an opened file may do in the browser: nothing. Images and PDFs show inline;
# the PDF viewer of Chromium-based browsers does not run in a sandboxed document, so
# PDFs (refused at upload if they carry scripts) get the policy without the sandbox.
CSP_INLINE_IMAGE = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; sandbox"
)
CSP_PDF = "default-src 'none'; frame-ancestors 'self'"
CSP_DOWNLOAD = "default-src 'none'; frame-ancestors 'none'; sandbox"


@require_safe
def file_open(request: HttpRequest, file_id: int) -> HttpResponseBase:
    """A file, for people who may open the list's material; counted as an open."""
    row, _right = file_for_reader_or_login(request, file_id=file_id)
    response = file_response(row, download=request.GET.get("download") is not None)
    usage.record(
        request,
        "citation_open",
        list_id=row.citation.reading_list_id,
        section_id=row.citation.section_id,
        citation_id=row.citation_id,
        detail="file",
    )
    return response


def file_response(row: CitationFile, *, download: bool = False) -> FileResponse:
    """The stored file with the headers that keep it inert: its detected type,
    nosniff, a policy that lets it run nothing, and a Content-Disposition naming it
    (inline for PDFs and images unless `download`). Http404 if the stored file is
    missing."""
    try:
        handle = row.file.open("rb")
    except OSError:
        log.warning("stored file missing for file %s: %s", row.pk, row.file.name)
        raise Http404("The stored file is missing") from None
    kind = filetypes.KINDS.get(row.kind)
    inline = bool(kind and kind.inline) and not download
    response = FileResponse(handle, content_type=row.content_type)
    response["Content-Length"] = str(row.size)
    response["Content-Disposition"] = content_disposition(row.name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        CSP_DOWNLOAD
        if not inline
        else CSP_PDF
        if row.kind == "pdf"
        else CSP_INLINE_IMAGE
    )
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response

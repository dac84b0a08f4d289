"""What an uploaded file is, read from its content; what is refused and why."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest

from lectio.core import filetypes
from lectio.core.tests import file_samples as samples


def inspect(data: bytes, name: str) -> str:
    return filetypes.inspect(io.BytesIO(data), name).key


def refusal(data: bytes, name: str) -> str:
    with pytest.raises(filetypes.Refused) as caught:
        filetypes.inspect(io.BytesIO(data), name)
    assert caught.value.message
    return caught.value.code


@pytest.mark.parametrize(
    ("make", "name", "kind", "content_type"),
    [
        (samples.pdf, "reading.pdf", "pdf", "application/pdf"),
        (samples.epub, "novel.epub", "epub", "application/epub+zip"),
        (
            samples.docx,
            "essay.docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (samples.odt, "essay.odt", "odt", "application/vnd.oasis.opendocument.text"),
        (samples.png, "figure.png", "png", "image/png"),
        (samples.jpeg, "photo.JPG", "jpeg", "image/jpeg"),
        (samples.jpeg, "photo.jpeg", "jpeg", "image/jpeg"),
    ],
)
def test_kinds_are_read_from_content(
    make: Callable[[], bytes], name: str, kind: str, content_type: str
) -> None:
    found = filetypes.inspect(io.BytesIO(make()), name)
    assert (found.key, found.content_type) == (kind, content_type)


def test_a_name_without_extension_is_taken_by_its_content() -> None:
    assert inspect(samples.pdf(), "scan") == "pdf"


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (samples.exe, "reading.pdf", "unknown_type"),
        (samples.exe, "setup.exe", "unknown_type"),
        (samples.png, "figure.pdf", "type_mismatch"),
        (samples.pdf, "reading.docx", "type_mismatch"),
        (samples.docx, "essay.epub", "type_mismatch"),
        (samples.plain_zip, "archive.zip", "unknown_type"),
        (samples.docm, "essay.docx", "macros"),
        (lambda: b"", "empty.pdf", "empty"),
        (lambda: b"<html><script>alert(1)</script>", "page.pdf", "unknown_type"),
        (lambda: b'<svg onload="alert(1)"/>', "drawing.png", "unknown_type"),
        (lambda: b"PK\x03\x04 not really a zip", "essay.docx", "broken"),
    ],
)
def test_refused_files_say_why(make: Callable[[], bytes], name: str, code: str) -> None:
    assert refusal(make(), name) == code


def test_a_renamed_program_is_named_in_the_refusal() -> None:
    with pytest.raises(filetypes.Refused) as caught:
        filetypes.inspect(io.BytesIO(samples.exe()), "reading.pdf")
    assert "Windows program" in caught.value.message


def test_a_mismatch_says_what_the_file_is() -> None:
    with pytest.raises(filetypes.Refused) as caught:
        filetypes.inspect(io.BytesIO(samples.png()), "figure.pdf")
    assert caught.value.message.startswith("The name says .pdf but the file is a PNG")


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (samples.pdf_with_javascript, "pdf_javascript"),
        (samples.pdf_with_hidden_javascript_name, "pdf_javascript"),
        (samples.pdf_with_embedded_file, "pdf_embedded_file"),
        (samples.pdf_with_launch_action, "pdf_launch"),
        (samples.pdf_with_page_actions, "pdf_actions"),
    ],
)
def test_active_pdfs_are_refused(make: Callable[[], bytes], code: str) -> None:
    assert refusal(make(), "reading.pdf") == code


@pytest.mark.parametrize(
    "data",
    [
        samples.pdf()[:150],  # truncated
        samples.pdf()[: len(samples.pdf()) // 2],
        b"%PDF-1.7\n" + bytes(range(256)) * 40,  # garbage after the header
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF",
        b"%PDF-1.4\n" + b"[" * 5000 + b"\n%%EOF",  # deep nesting
    ],
)
def test_broken_pdfs_are_refused_not_crashed(data: bytes) -> None:
    assert refusal(data, "reading.pdf") in ("broken", "pdf_encrypted")


def test_javascript_in_an_object_no_table_lists_is_still_found() -> None:
    """An object left out of the cross-reference table (a viewer that rebuilds the
    table would still find it): the byte scan catches it."""
    data = samples.pdf()
    at = data.index(b"xref")
    hidden = b"99 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"
    data = data[:at] + hidden + data[at:]
    start = re.search(rb"startxref\s+(\d+)", data)
    assert start is not None
    moved = str(int(start.group(1)) + len(hidden)).encode()
    data = data[: start.start(1)] + moved + data[start.end(1) :]
    assert refusal(data, "reading.pdf") == "pdf_javascript"


def test_accepted_extensions_cover_every_kind() -> None:
    assert filetypes.accepted_extensions() == [
        ".docx",
        ".epub",
        ".gif",
        ".jpeg",
        ".jpg",
        ".odp",
        ".ods",
        ".odt",
        ".pdf",
        ".png",
        ".pptx",
        ".webp",
        ".xlsx",
    ]

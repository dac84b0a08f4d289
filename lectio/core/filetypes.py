"""What an uploaded file is, read from its content, and whether Lectio may keep it.

`inspect(file, name)` reads the first bytes (and, for zip containers, the zip's
directory) to tell PDF, EPUB, images and Office documents apart, checks that the
name's extension agrees, and refuses PDFs that could run something when opened
(JavaScript, launch actions, embedded files) and Office files with macros. Pure: no
ORM, no storage; the caller hands a seekable binary file (an upload on disk).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    # Shown in the browser (inline) rather than downloaded.
    inline: bool = False


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("pdf", "PDF", "application/pdf", (".pdf",), inline=True),
        Kind("epub", "EPUB", "application/epub+zip", (".epub",)),
        Kind("png", _("PNG image"), "image/png", (".png",), inline=True),
        Kind("jpeg", _("JPEG image"), "image/jpeg", (".jpg", ".jpeg"), inline=True),
        Kind("gif", _("GIF image"), "image/gif", (".gif",), inline=True),
        Kind("webp", _("WebP image"), "image/webp", (".webp",), inline=True),
        Kind(
            "docx",
            _("Word document"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
        Kind(
            "xlsx",
            _("Excel workbook"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            (".xlsx",),
        ),
        Kind(
            "pptx",
            _("PowerPoint presentation"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            (".pptx",),
        ),
        Kind(
            "odt",
            _("OpenDocument text"),
            "application/vnd.oasis.opendocument.text",
            (".odt",),
        ),
        Kind(
            "ods",
            _("OpenDocument spreadsheet"),
            "application/vnd.oasis.opendocument.spreadsheet",
            (".ods",),
        ),
        Kind(
            "odp",
            _("OpenDocument presentation"),
            "application/vnd.oasis.opendocument.presentation",
            (".odp",),
        ),
    )
}

ODF_TYPES = {KINDS[k].content_type: k for k in ("odt", "ods", "odp")}
# The main part each OOXML kind must have.
OOXML_PARTS = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
# A zip with more entries than this is not a document anyone reads for a course.
MAX_ZIP_ENTRIES = 20_000
PDF_SCAN_CHUNK = 1 << 20


class Refused(Exception):
    """The file may not be kept; `code` for machines, the message for people."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


def accepted_extensions() -> list[str]:
    return sorted({ext for kind in KINDS.values() for ext in kind.extensions})


def _head_kind(head: bytes) -> str | None:
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def _what_it_is(head: bytes) -> str:
    """Names common things people upload by mistake, for the refusal message."""
    if head.startswith(b"MZ"):
        return _("a Windows program")
    if head.startswith(b"\x7fELF"):
        return _("a program")
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("an old-style (97-2003) Office file")
    if head.lstrip().lower().startswith((b"<!doctype html", b"<html")):
        return _("a web page")
    if head.lstrip().startswith(b"<svg") or b"<svg" in head[:512]:
        return _("an SVG drawing")
    return _("of a kind Lectio does not keep")


def _zip_kind(file: IO[bytes]) -> str:
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                raise Refused(
                    "too_many_parts", _("This archive has too many parts to check.")
                )
            names = {info.filename for info in infos}
            if "mimetype" in names:
                declared = _small_entry(archive, "mimetype").strip()
                if declared == b"application/epub+zip":
                    if "META-INF/container.xml" not in names:
                        raise Refused(
                            "broken",
                            _("This EPUB is incomplete (it has no container)."),
                        )
                    return "epub"
                key = ODF_TYPES.get(declared.decode("ascii", "replace"))
                if key:
                    if any(n.lower().startswith("basic/") for n in names):
                        raise Refused(
                            "macros", _("This document holds macros, which may run.")
                        )
                    return key
            if "[Content_Types].xml" in names:
                types = _small_entry(archive, "[Content_Types].xml").lower()
                if any(n.lower().endswith("vbaproject.bin") for n in names) or (
                    b"macroenabled" in types
                ):
                    raise Refused(
                        "macros", _("This document holds macros, which may run.")
                    )
                for part, key in OOXML_PARTS.items():
                    if part in names:
                        return key
    except zipfile.BadZipFile:
        raise Refused(
            "broken", _("This file looks like a zip archive but cannot be read.")
        ) from None
    raise Refused(
        "unknown_type",
        _(
            "This is a zip archive, not a document Lectio keeps "
            "(EPUB, Word, Excel, PowerPoint or OpenDocument)."
        ),
    )


def _small_entry(archive: zipfile.ZipFile, name: str, limit: int = 1 << 20) -> bytes:
    """An entry's bytes, read no further than `limit` (no zip bomb gets unpacked)."""
    try:
        with archive.open(name) as entry:
            return entry.read(limit)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        raise Refused(
            "broken",
            _("A part of this archive (%(name)s) cannot be read.") % {"name": name},
        ) from None


def detect(file: IO[bytes]) -> Kind:
    """The kind of the file, from its content alone."""
    file.seek(0)
    head = file.read(4096)
    file.seek(0)
    if not head:
        raise Refused("empty", _("The file is empty."))
    key = _head_kind(head)
    if key == "zip":
        key = _zip_kind(file)
        file.seek(0)
    if key is None:
        raise Refused(
            "unknown_type",
            _(
                "This file is %(what)s. Upload a PDF, an EPUB, an image (PNG, JPEG, "
                "GIF, WebP) or an Office document (Word, Excel, PowerPoint, "
                "OpenDocument)."
            )
            % {"what": _what_it_is(head)},
        )
    return KINDS[key]


def check_name(kind: Kind, name: str) -> None:
    """The name's extension must agree with the content (no extension is fine: the
    kind's own is used for downloads)."""
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in kind.extensions:
        raise Refused(
            "type_mismatch",
            _(
                "The name says %(suffix)s but the file is a %(kind)s. Rename it "
                "%(expected)s or upload the file you meant."
            )
            % {"suffix": suffix, "kind": kind.label, "expected": kind.extensions[0]},
        )


def inspect(file: IO[bytes], name: str) -> Kind:
    """The file's kind, or Refused with the reason it may not be kept."""
    kind = detect(file)
    check_name(kind, name)
    if kind.key == "pdf":
        check_pdf(file)
    file.seek(0)
    return kind


# --- PDFs ------------------------------------------------------------------------

# Names whose presence anywhere makes a PDF active: scripts, actions run on open or
# on events, programs launched, files carried inside.
_ACTIVE_KEYS = {
    "/JS": "javascript",
    "/JavaScript": "javascript",
    "/AA": "actions",
    "/EmbeddedFiles": "embedded_file",
    "/EmbeddedFile": "embedded_file",
    "/EF": "embedded_file",
    "/RichMedia": "embedded_file",
}
_ACTIVE_ACTIONS = {
    "/JavaScript": "javascript",
    "/Launch": "launch",
    "/ImportData": "launch",
    "/Rendition": "javascript",
}
_ACTIVE_TYPES = {"/EmbeddedFile": "embedded_file"}
_ACTIVE_SUBTYPES = {"/FileAttachment": "embedded_file", "/RichMedia": "embedded_file"}
# The long names again as raw bytes: a last look at objects the parser could not
# reach. Short ones (/JS, /AA) would turn up by chance in compressed data.
_RAW = re.compile(rb"/(JavaScript|Launch|EmbeddedFiles?)(?=[\s/<>\[\]()%])")
_RAW_REASON = {
    b"JavaScript": "javascript",
    b"Launch": "launch",
    b"EmbeddedFile": "embedded_file",
    b"EmbeddedFiles": "embedded_file",
}


def _pdf_refusal(reason: str) -> Refused:
    messages = {
        "javascript": _("This PDF contains JavaScript, which could run when it opens."),
        "actions": _(
            "This PDF runs actions automatically (on opening, on a page or a field)."
        ),
        "launch": _("This PDF can launch programs or import data when it opens."),
        "embedded_file": _(
            "This PDF carries other files inside it (attachments), which Lectio "
            "does not pass on."
        ),
    }
    return Refused(
        f"pdf_{reason}",
        messages[reason] + " " + _("Save it again without them (print to PDF) first."),
    )


def _raw_scan(file: IO[bytes]) -> None:
    file.seek(0)
    tail = b""
    while chunk := file.read(PDF_SCAN_CHUNK):
        window = tail + chunk
        found = _RAW.search(window)
        if found:
            raise _pdf_refusal(_RAW_REASON[found.group(1)])
        tail = window[-32:]


def _walk(value: Any, seen: set[int], depth: int = 0) -> None:
    """Looks through one object's direct content (indirect references are objects
    of their own, each looked at once by check_pdf)."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if depth > 64 or isinstance(value, IndirectObject):
        return
    if isinstance(value, DictionaryObject):
        if id(value) in seen:
            return
        seen.add(id(value))
        for key, item in value.items():
            reason = _ACTIVE_KEYS.get(str(key))
            if reason:
                raise _pdf_refusal(reason)
            text = str(item) if not isinstance(item, (DictionaryObject, list)) else ""
            if key == "/S" and text in _ACTIVE_ACTIONS:
                raise _pdf_refusal(_ACTIVE_ACTIONS[text])
            if key == "/Type" and text in _ACTIVE_TYPES:
                raise _pdf_refusal(_ACTIVE_TYPES[text])
            if key == "/Subtype" and text in _ACTIVE_SUBTYPES:
                raise _pdf_refusal(_ACTIVE_SUBTYPES[text])
            _walk(item, seen, depth + 1)
    elif isinstance(value, ArrayObject):
        for item in value:
            _walk(item, seen, depth + 1)


def check_pdf(file: IO[bytes]) -> None:
    """Refuses a PDF that is broken, encrypted beyond reading, or active."""
    import pypdf
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    broken = Refused(
        "broken",
        _("This PDF is damaged or incomplete and cannot be checked. Save it again."),
    )
    file.seek(0)
    try:
        reader = pypdf.PdfReader(file, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Refused(
                "pdf_encrypted",
                _("This PDF is password-protected; upload it without the password."),
            )
        numbers = set(reader.xref_objStm)
        for table in reader.xref.values():
            numbers.update(table)
        if not numbers or len(reader.pages) == 0:
            raise broken
        seen: set[int] = set()
        _walk(reader.trailer, seen)
        for number in sorted(numbers):
            try:
                obj = reader.get_object(number)
            except (PdfReadError, ValueError, KeyError, TypeError):
                continue
            _walk(obj, seen)
    except Refused:
        raise
    except FileNotDecryptedError:
        raise Refused(
            "pdf_encrypted",
            _("This PDF is password-protected; upload it without the password."),
        ) from None
    # A hostile file can make any parser fail in any way; each is "cannot be read".
    except Exception:  # noqa: BLE001
        raise broken from None
    _raw_scan(file)
    file.seek(0)

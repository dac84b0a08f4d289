"""Small real files of every kind an upload may be, made in memory for tests."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import DictionaryObject, NameObject, TextStringObject


def _pdf(change: object = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if callable(change):
        change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf() -> bytes:
    return _pdf()


def pdf_with_javascript() -> bytes:
    return _pdf(lambda w: w.add_open_action(JavaScript("app.alert('hi')")))


def pdf_with_embedded_file() -> bytes:
    return _pdf(lambda w: w.add_attachment("notes.txt", b"hello"))


def pdf_with_launch_action() -> bytes:
    def launch(writer: PdfWriter) -> None:
        action = DictionaryObject(
            {
                NameObject("/S"): NameObject("/Launch"),
                NameObject("/F"): TextStringObject("calc.exe"),
            }
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return _pdf(launch)


def pdf_with_page_actions() -> bytes:
    def actions(writer: PdfWriter) -> None:
        writer.pages[0][NameObject("/AA")] = DictionaryObject()

    return _pdf(actions)


def pdf_with_hidden_javascript_name() -> bytes:
    """/JavaScript written with #-escapes, which a byte search would miss."""
    return pdf_with_javascript().replace(b"/JavaScript", b"/J#61vaScript")


def _zip(entries: list[tuple[str, bytes]], *, stored_first: bool = True) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if index == 0 and stored_first else None
            archive.writestr(name, data, compress_type=method)
    return out.getvalue()


CONTAINER = (
    b'<?xml version="1.0"?><container version="1.0" '
    b'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    b'<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
    b"</rootfiles></container>"
)


def epub() -> bytes:
    return _zip(
        [
            ("mimetype", b"application/epub+zip"),
            ("META-INF/container.xml", CONTAINER),
            ("content.opf", b"<package/>"),
        ]
    )


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
    b'package/2006/content-types"><Default Extension="xml" '
    b'ContentType="application/xml"/></Types>'
)


def docx() -> bytes:
    return _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("word/document.xml", b"<w:document/>"),
        ],
        stored_first=False,
    )


def docm() -> bytes:
    """A Word document with macros, named like any other."""
    return _zip(
        [
            ("[Content_Types].xml", CONTENT_TYPES),
            ("word/document.xml", b"<w:document/>"),
            ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macros"),
        ],
        stored_first=False,
    )


def odt() -> bytes:
    return _zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ]
    )


def plain_zip() -> bytes:
    return _zip([("readme.txt", b"hello")], stored_first=False)


def png() -> bytes:
    """A 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    """The start of a JPEG (SOI, JFIF APP0) and its end."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 64
        + b"\xff\xd9"
    )


def exe() -> bytes:
    """The first bytes of a Windows program."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200

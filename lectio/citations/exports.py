"""Exporting a list, a section or a selection of citations: RIS, BibTeX, CSL-JSON,
Leganto's list CSV, and a bibliography grouped by section in HTML, DOCX or PDF in any
bundled CSL style.

Who sees what: readers (right READ) get the citations and sections the reading view
shows them (visible sections; Complete citations, or as the institution's setting
says); editors and library staff get the whole list. The caller has the list from a
selector (`reading_list_get_for_reader`) with the person's right on it.
"""

from __future__ import annotations

import html as html_lib
import io
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from lectio.accounts.models import InstitutionSettings
from lectio.citations import formats
from lectio.citations.formats import alma_csv
from lectio.citations.formats.common import Entry
from lectio.lists.models import Citation, ReadingList, Section
from lectio.lists.permissions import Right
from lectio.lists.rendering import STYLES, render_citation_html
from lectio.lists.services import ServiceError
from lectio.lists.statuses import CitationStatus

# format -> (label, content type, file extension)
EXPORT_FORMATS: dict[str, tuple[Any, str, str]] = {
    "ris": ("RIS", "application/x-research-info-systems", "ris"),
    "bibtex": ("BibTeX", "application/x-bibtex; charset=utf-8", "bib"),
    "csl-json": ("CSL-JSON", "application/vnd.citationstyles.csl+json", "json"),
    "csv": (_l("CSV (Leganto list export)"), "text/csv; charset=utf-8", "csv"),
    "html": (_l("HTML bibliography"), "text/html; charset=utf-8", "html"),
    "docx": (
        _l("Word (DOCX) bibliography"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
    ),
    "pdf": (_l("PDF bibliography"), "application/pdf", "pdf"),
}
BIBLIOGRAPHY_FORMATS = ("html", "docx", "pdf")
# Styles whose entries are numbered in the bibliography, and how.
NUMBERED = {"ieee": "[{n}]", "nature": "{n}.", "elsevier-vancouver": "{n}."}
FONTS = Path(__file__).parent / "data" / "fonts"


@dataclass
class ExportSection:
    section: Section
    citations: list[Citation] = field(default_factory=list)


@dataclass
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def export_sections(
    *,
    reading_list: ReadingList,
    right: Right,
    section_id: int | None = None,
    citation_ids: Collection[int] | None = None,
) -> list[ExportSection]:
    """The sections and citations to export, in the list's order (two queries).
    Unknown or hidden section or citation ids give nothing rather than an error."""
    sections = Section.objects.filter(reading_list=reading_list).order_by(
        "position", "id"
    )
    citations = Citation.objects.filter(reading_list=reading_list).order_by(
        "position", "id"
    )
    if right < Right.EDIT:
        sections = sections.filter(visible=True)
        if InstitutionSettings.cached().students_see_only_complete:
            citations = citations.filter(status=CitationStatus.COMPLETE)
        else:
            citations = citations.exclude(
                status__in=(CitationStatus.INACTIVE, CitationStatus.DECLINED)
            )
    if section_id is not None:
        sections = sections.filter(pk=section_id)
    if citation_ids is not None:
        citations = citations.filter(pk__in=list(citation_ids))
    groups = {s.pk: ExportSection(s) for s in sections}
    tagged = citations.prefetch_related("tags")
    for citation in tagged:
        group = groups.get(citation.section_id)
        if group is not None:
            group.citations.append(citation)
    return [g for g in groups.values() if g.citations]


def _entries(groups: list[ExportSection]) -> list[Entry]:
    return [
        Entry(material_type=c.material_type, csl=c.metadata or {})
        for g in groups
        for c in g.citations
    ]


def _filename(reading_list: ReadingList, extension: str, suffix: str = "") -> str:
    stem = slugify(reading_list.code) or "list"
    if suffix:
        stem += "-" + (slugify(suffix) or "part")
    return f"{stem[:80]}.{extension}"


def export_file(
    *,
    reading_list: ReadingList,
    right: Right,
    format: str,
    style: str | None = None,
    section_id: int | None = None,
    citation_ids: Collection[int] | None = None,
    base_url: str = "",
) -> ExportFile:
    """The export as a file to download. Refuses (ServiceError) an unknown format or
    style and an export with nothing in it."""
    if format not in EXPORT_FORMATS:
        raise ServiceError(_("Unknown export format."))
    style = style or InstitutionSettings.cached().citation_style
    if style not in STYLES:
        raise ServiceError(_("Unknown citation style."))
    groups = export_sections(
        reading_list=reading_list,
        right=right,
        section_id=section_id,
        citation_ids=citation_ids,
    )
    if not groups:
        raise ServiceError(_("There is nothing to export."))
    _label, content_type, extension = EXPORT_FORMATS[format]
    suffix = groups[0].section.name if section_id is not None else ""
    if format in formats.WRITERS:
        text = formats.dumps(_entries(groups), format)
        content = text.encode("utf-8")
    elif format == "csv":
        content = _csv(reading_list, groups, right, base_url).encode("utf-8-sig")
    else:
        bibliography = bibliography_entries(groups, style)
        title = reading_list.name
        if format == "html":
            content = bibliography_html(title, style, bibliography).encode("utf-8")
        elif format == "docx":
            content = bibliography_docx(title, style, bibliography)
        else:
            content = bibliography_pdf(title, style, bibliography)
        suffix = "-".join(p for p in (suffix, style) if p)
    return ExportFile(content, content_type, _filename(reading_list, extension, suffix))


# --- CSV ----------------------------------------------------------------------------


def _csv(
    reading_list: ReadingList, groups: list[ExportSection], right: Right, base: str
) -> str:
    from django.urls import reverse

    courses = ", ".join(c.label for c in reading_list.courses.all())
    preamble = [
        _("Reading list: %(name)s") % {"name": reading_list.name},
        _("Code: %(code)s") % {"code": reading_list.code},
    ]
    if courses:
        preamble.append(_("Courses: %(courses)s") % {"courses": courses})
    contexts = []
    for group in groups:
        section = group.section
        for citation in group.citations:
            tags = [
                t.name
                for t in citation.tags.all()
                if right >= Right.EDIT or t.kind == "public"
            ]
            contexts.append(
                alma_csv.RowContext(
                    section_name=section.name,
                    section_description=section.description,
                    section_start=section.start_date.isoformat()
                    if section.start_date
                    else "",
                    section_end=section.end_date.isoformat()
                    if section.end_date
                    else "",
                    section_tags=", ".join(str(t) for t in section.tags or []),
                    due_date=citation.due_date.isoformat() if citation.due_date else "",
                    tags=", ".join(tags),
                    public_note=citation.public_note,
                    permalink=base
                    + reverse("lists:citation_detail", args=[citation.pk]),
                )
            )
    return alma_csv.dumps(_entries(groups), contexts, preamble=preamble)


# --- bibliographies -------------------------------------------------------------------


@dataclass
class BibEntry:
    html: str  # safe HTML from the formatter
    label: str  # "[3]" for numbered styles, else ""


def bibliography_entries(
    groups: list[ExportSection], style: str
) -> list[tuple[str, list[BibEntry]]]:
    """(section name, entries) in the list's order; each citation formatted in
    `style` (the stored form when it is already in that style)."""
    pattern = NUMBERED.get(style)
    number = 0
    out = []
    for group in groups:
        entries = []
        for citation in group.citations:
            number += 1
            if citation.rendered_style == style and citation.rendered_html:
                text = citation.rendered_html
            else:
                text = render_citation_html(citation.metadata or {}, style)
            entries.append(BibEntry(text, pattern.format(n=number) if pattern else ""))
        out.append((group.section.name, entries))
    return out


def bibliography_html(
    title: str, style: str, sections: list[tuple[str, list[BibEntry]]]
) -> str:
    esc = html_lib.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>body{font-family:serif;max-width:48em;margin:2em auto;"
        "line-height:1.5}li{margin-bottom:.5em;padding-left:2em;text-indent:-2em}"
        "ol{list-style:none;padding:0}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(STYLES[style])}</p>",
    ]
    for name, entries in sections:
        parts.append(f"<section><h2>{esc(name)}</h2><ol>")
        for entry in entries:
            label = f"{esc(entry.label)} " if entry.label else ""
            parts.append(f"<li>{label}{entry.html}</li>")
        parts.append("</ol></section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    sup: bool = False
    sub: bool = False


class _Runs(HTMLParser):
    """The formatter's small HTML (i, b, em, strong, sup, sub, span) as runs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.runs: list[Run] = []
        self.open: dict[str, int] = {"b": 0, "i": 0, "sup": 0, "sub": 0}

    _KIND = {"b": "b", "strong": "b", "i": "i", "em": "i", "sup": "sup", "sub": "sub"}

    def handle_starttag(self, tag: str, attrs: object) -> None:
        kind = self._KIND.get(tag)
        if kind:
            self.open[kind] += 1

    def handle_endtag(self, tag: str) -> None:
        kind = self._KIND.get(tag)
        if kind and self.open[kind]:
            self.open[kind] -= 1

    def handle_data(self, data: str) -> None:
        if data:
            self.runs.append(
                Run(
                    data,
                    bold=bool(self.open["b"]),
                    italic=bool(self.open["i"]),
                    sup=bool(self.open["sup"]),
                    sub=bool(self.open["sub"]),
                )
            )


def html_runs(text: str) -> list[Run]:
    parser = _Runs()
    parser.feed(text)
    parser.close()
    return parser.runs


def bibliography_docx(
    title: str, style: str, sections: list[tuple[str, list[BibEntry]]]
) -> bytes:
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.core_properties.title = title
    document.add_heading(title, level=0)
    document.add_paragraph(STYLES[style])
    for name, entries in sections:
        document.add_heading(name, level=1)
        for entry in entries:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.left_indent = Cm(1.25)
            paragraph.paragraph_format.first_line_indent = Cm(-1.25)
            if entry.label:
                paragraph.add_run(entry.label + " ")
            for part in html_runs(entry.html):
                run = paragraph.add_run(part.text)
                run.bold = part.bold or None
                run.italic = part.italic or None
                if part.sup:
                    run.font.superscript = True
                if part.sub:
                    run.font.subscript = True
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


class _PdfWriter:
    """Bibliography entries on PDF pages with hanging indents. The lines are broken
    here, word by word over cached character widths: fpdf2's own breaking measures
    the whole line again for every character, seconds for a few hundred entries."""

    FAMILY = "DejaVuSerif"

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
        self.widths: dict[tuple[str, float], dict[str, float]] = {}

    def width(self, text: str, style: str, size: float) -> float:
        table = self.widths.setdefault((style, size), {})
        total = 0.0
        for char in text:
            w = table.get(char)
            if w is None:
                self.pdf.set_font(self.FAMILY, style, size)
                w = table[char] = self.pdf.get_string_width(char)
            total += w
        return total

    def entry(
        self, pieces: list[tuple[str, str, float]], height: float, indent: float
    ) -> None:
        """Writes (text, style, size) pieces as one paragraph."""
        full = self.pdf.epw
        lines: list[list[tuple[str, str, float, float]]] = [[]]
        used, avail = 0.0, full
        for text, style, size in pieces:
            for token in re.findall(r"\S+\s*|\s+", text):
                w = self.width(token, style, size)
                bare = self.width(token.rstrip(), style, size)
                if used + bare > avail and lines[-1]:
                    lines.append([])
                    used, avail = 0.0, full - indent
                    token = token.lstrip()
                    w = self.width(token, style, size)
                    if not token:
                        continue
                while self.width(token.rstrip(), style, size) > avail - used:
                    # A word longer than the line (an address): break inside it.
                    cut, acc = 0, 0.0
                    for char in token:
                        acc += self.width(char, style, size)
                        if used + acc > avail:
                            break
                        cut += 1
                    cut = max(cut, 1)
                    head, token = token[:cut], token[cut:]
                    lines[-1].append((head, style, size, self.width(head, style, size)))
                    lines.append([])
                    used, avail = 0.0, full - indent
                    w = self.width(token, style, size)
                if token:
                    lines[-1].append((token, style, size, w))
                    used += w
        for number, line in enumerate(lines):
            self.pdf.set_x(self.pdf.l_margin + (indent if number else 0))
            merged: list[list[Any]] = []
            for text, style, size, w in line:
                if merged and merged[-1][1:3] == [style, size]:
                    merged[-1][0] += text
                    merged[-1][3] += w
                else:
                    merged.append([text, style, size, w])
            for text, style, size, w in merged:
                self.pdf.set_font(self.FAMILY, style, size)
                self.pdf.cell(w, height, text)
            self.pdf.ln(height)


def bibliography_pdf(
    title: str, style: str, sections: list[tuple[str, list[BibEntry]]]
) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Lectio")
    family = _PdfWriter.FAMILY
    for font_style, name in (
        ("", "DejaVuSerif.ttf"),
        ("B", "DejaVuSerif-Bold.ttf"),
        ("I", "DejaVuSerif-Italic.ttf"),
        ("BI", "DejaVuSerif-BoldItalic.ttf"),
    ):
        pdf.add_font(family, font_style, str(FONTS / name))
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    writer = _PdfWriter(pdf)
    writer.entry([(title, "B", 16)], 8, 0)
    writer.entry([(STYLES[style], "", 9)], 6, 0)
    for name, entries in sections:
        pdf.ln(3)
        writer.entry([(name, "B", 13)], 7, 0)
        pdf.ln(1)
        for entry in entries:
            pieces: list[tuple[str, str, float]] = []
            if entry.label:
                pieces.append((entry.label + " ", "", 10.5))
            for part in html_runs(entry.html):
                font_style = ("B" if part.bold else "") + ("I" if part.italic else "")
                pieces.append(
                    (part.text, font_style, 7.5 if part.sup or part.sub else 10.5)
                )
            writer.entry(pieces, 5.5, 10)
            pdf.ln(2)
    return bytes(pdf.output())

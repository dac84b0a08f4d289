"""The export service: what each person gets, in which order, in every format; the
round trip RIS -> import -> same citations."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from lectio.citations import exports, imports
from lectio.citations.formats import parse
from lectio.core.factories import make_list
from lectio.lists.models import Citation, ReadingList
from lectio.lists.permissions import Right
from lectio.lists.rendering import STYLES
from lectio.lists.services import ServiceError

ALL_TITLES = [
    # Resources (the default section, first), then Week 1, each in position order.
    "Close Reading, Explained",
    "On Anthologies",
    "The Canon and Its Critics",
    "Reading Against the Grain",
]


def _titles(groups: list[exports.ExportSection]) -> list[tuple[str, list[str]]]:
    return [(g.section.name, [c.title for c in g.citations]) for g in groups]


def test_editors_export_the_whole_list_in_its_order(reading_list: ReadingList) -> None:
    groups = exports.export_sections(reading_list=reading_list, right=Right.EDIT)

    assert _titles(groups) == [
        ("Resources", ["Close Reading, Explained", "On Anthologies"]),
        ("Week 1", ["The Canon and Its Critics", "Reading Against the Grain"]),
    ]


def test_readers_export_only_what_the_reading_view_shows(
    published_list: ReadingList,
) -> None:
    hidden = published_list.sections.get(name="Week 1")
    hidden.visible = False
    hidden.save()

    groups = exports.export_sections(reading_list=published_list, right=Right.READ)

    assert _titles(groups) == [("Resources", ["Close Reading, Explained"])]


def test_a_section_or_a_selection(reading_list: ReadingList) -> None:
    week1 = reading_list.sections.get(name="Week 1")
    chosen = Citation.objects.filter(
        title__in=["On Anthologies", "Reading Against the Grain"]
    ).values_list("pk", flat=True)

    by_section = exports.export_sections(
        reading_list=reading_list, right=Right.EDIT, section_id=week1.pk
    )
    by_choice = exports.export_sections(
        reading_list=reading_list, right=Right.EDIT, citation_ids=list(chosen)
    )

    assert _titles(by_section) == [
        ("Week 1", ["The Canon and Its Critics", "Reading Against the Grain"])
    ]
    assert _titles(by_choice) == [
        ("Resources", ["On Anthologies"]),
        ("Week 1", ["Reading Against the Grain"]),
    ]


def test_citations_of_another_list_are_never_exported(
    reading_list: ReadingList, instructor: Any
) -> None:
    other = make_list(owner=instructor, citations=[{"title": "Elsewhere"}])
    foreign = other.citations.get().pk

    with pytest.raises(ServiceError, match="nothing to export"):
        exports.export_file(
            reading_list=reading_list,
            right=Right.EDIT,
            format="ris",
            citation_ids=[foreign],
        )


def test_ris_bibtex_and_csl_json_carry_every_citation(
    reading_list: ReadingList,
) -> None:
    for format in ("ris", "bibtex", "csl-json"):
        exported = exports.export_file(
            reading_list=reading_list, right=Right.EDIT, format=format
        )
        result = parse(exported.content.decode(), format)
        assert result.errors == []
        assert [e.csl["title"] for e in result.entries] == ALL_TITLES
        assert exported.filename == (
            f"{reading_list.code.lower()}.{exports.EXPORT_FORMATS[format][2]}"
        )
    csl = json.loads(
        exports.export_file(
            reading_list=reading_list, right=Right.EDIT, format="csl-json"
        ).content
    )
    assert [item["type"] for item in csl] == [
        "webpage",
        "chapter",
        "book",
        "article-journal",
    ]


def test_csv_has_leganto_columns_and_the_sections(reading_list: ReadingList) -> None:
    exported = exports.export_file(
        reading_list=reading_list,
        right=Right.EDIT,
        format="csv",
        base_url="https://lists.example.edu",
    )

    text = exported.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [f"Reading list: {reading_list.name}"]
    header = rows.index(list(exports.alma_csv.COLUMNS))
    body = [dict(zip(rows[header], r, strict=True)) for r in rows[header + 1 :]]
    assert [(r["Section Name"], r["Item Type"]) for r in body] == [
        ("Resources", "Website"),
        ("Resources", "Book chapter"),
        ("Week 1", "Book"),
        ("Week 1", "Article"),
    ]
    first = Citation.objects.get(title="Close Reading, Explained")
    assert body[0]["Permalink to Citation"] == (
        f"https://lists.example.edu/citations/{first.pk}/"
    )


def test_csv_cells_that_look_like_formulas_are_escaped(
    instructor: Any,
) -> None:
    rl = make_list(owner=instructor, citations=[{"title": "=HYPERLINK(1)"}])

    text = exports.export_file(reading_list=rl, right=Right.EDIT, format="csv").content

    assert b"'=HYPERLINK(1)" in text
    assert b",=HYPERLINK" not in text


@pytest.mark.parametrize("style", sorted(STYLES))
def test_html_bibliography_in_every_bundled_style(
    reading_list: ReadingList, style: str
) -> None:
    exported = exports.export_file(
        reading_list=reading_list, right=Right.EDIT, format="html", style=style
    )

    text = exported.content.decode()
    assert exported.filename == f"{reading_list.code.lower()}-{style}.html"
    assert text.index("<h2>Resources</h2>") < text.index("<h2>Week 1</h2>")
    positions = [text.index(t.replace(",", "")[:12]) for t in ALL_TITLES]
    assert positions == sorted(positions)
    assert STYLES[style] in text
    if style in exports.NUMBERED:
        assert exports.NUMBERED[style].format(n=4) in text


def test_styles_cover_the_ten_the_issue_names() -> None:
    assert len(STYLES) >= 10
    for needed in (
        "apa",
        "harvard-cite-them-right",
        "chicago-author-date",
        "chicago-notes-bibliography",
        "modern-language-association",
        "ieee",
        "elsevier-vancouver",
        "nature",
        "oscola",
        "turabian-author-date",
    ):
        assert needed in STYLES


def test_html_bibliography_escapes_names(instructor: Any) -> None:
    rl = make_list(
        owner=instructor,
        name="<script>x</script>",
        sections=["<b>Week</b>"],
        citations=[{"title": "<img src=x onerror=1>", "section": "<b>Week</b>"}],
    )

    text = exports.export_file(
        reading_list=rl, right=Right.EDIT, format="html", style="apa"
    ).content.decode()

    assert "<script>x" not in text and "<img" not in text and "<b>Week" not in text
    assert "&lt;script&gt;x&lt;/script&gt;" in text


def test_docx_bibliography_has_headings_and_entries(
    reading_list: ReadingList,
) -> None:
    exported = exports.export_file(
        reading_list=reading_list, right=Right.EDIT, format="docx", style="apa"
    )

    with zipfile.ZipFile(io.BytesIO(exported.content)) as docx:
        xml = docx.read("word/document.xml").decode()
    from docx import Document

    document = Document(io.BytesIO(exported.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == reading_list.name
    assert texts.index("Resources") < texts.index("Week 1")
    assert sum(1 for t in texts if "Canon and Its Critics" in t) == 1
    assert "<w:i/>" in xml  # the book's title in italics, as APA says


def test_pdf_bibliography_embeds_the_shipped_font(reading_list: ReadingList) -> None:
    exported = exports.export_file(
        reading_list=reading_list, right=Right.EDIT, format="pdf", style="apa"
    )

    assert exported.content.startswith(b"%PDF-")
    assert b"DejaVuSerif" in exported.content
    assert b"/FontFile2" in exported.content
    assert exported.filename == f"{reading_list.code.lower()}-apa.pdf"


def test_pdf_writes_any_script_and_long_addresses(instructor: Any) -> None:
    rl = make_list(
        owner=instructor,
        citations=[
            {
                "title": "Ἰλιάς — Война и мир — Ünïcödé",
                "metadata": {
                    "type": "webpage",
                    "title": "Ἰλιάς — Война и мир",
                    "URL": "https://example.org/" + "a" * 400,
                },
                "material_type": "website",
            }
        ],
    )

    content = exports.export_file(
        reading_list=rl, right=Right.EDIT, format="pdf", style="apa"
    ).content

    assert content.startswith(b"%PDF-")


def test_unknown_format_or_style_is_refused(reading_list: ReadingList) -> None:
    with pytest.raises(ServiceError, match="format"):
        exports.export_file(reading_list=reading_list, right=Right.EDIT, format="xls")
    with pytest.raises(ServiceError, match="style"):
        exports.export_file(
            reading_list=reading_list, right=Right.EDIT, format="pdf", style="nope"
        )


def test_html_runs_read_the_formatters_markup() -> None:
    runs = exports.html_runs("Smith, J. (2020). <i>A &amp; B</i>. <b>x</b><sup>2</sup>")

    assert [(r.text, r.italic, r.bold, r.sup) for r in runs] == [
        ("Smith, J. (2020). ", False, False, False),
        ("A & B", True, False, False),
        (". ", False, False, False),
        ("x", False, True, False),
        ("2", False, False, True),
    ]


# --- round trip -----------------------------------------------------------------------

STORED = (
    "type",
    "title",
    "author",
    "editor",
    "container-title",
    "volume",
    "issue",
    "page",
    "edition",
    "publisher",
    "publisher-place",
    "issued",
    "ISBN",
    "ISSN",
    "DOI",
    "URL",
)


def test_export_ris_then_import_gives_back_the_same_citations(
    reading_list: ReadingList, instructor: Any
) -> None:
    add = {"owner": instructor}
    richer = make_list(
        **add,
        sections=["Week 2"],
        citations=[
            {
                "title": "x",
                "material_type": "article",
                "section": "Week 2",
                "metadata": {
                    "type": "article-journal",
                    "title": "Ethnography after Écriture",
                    "author": [
                        {"family": "Clifford", "given": "James"},
                        {"literal": "Writing Culture Collective"},
                    ],
                    "container-title": "Cultural Anthropology",
                    "volume": "1",
                    "issue": "2",
                    "page": "118-146",
                    "issued": {"date-parts": [[1986, 5]]},
                    "ISSN": "0886-7356",
                    "DOI": "10.1525/can.1986.1.2.02a00020",
                },
            },
            {
                "title": "y",
                "material_type": "book_chapter",
                "metadata": {
                    "type": "chapter",
                    "title": "Thick Description",
                    "author": [{"family": "Geertz", "given": "Clifford"}],
                    "editor": [{"family": "Editor", "given": "Ed"}],
                    "container-title": "The Interpretation of Cultures",
                    "publisher": "Basic Books",
                    "publisher-place": "New York",
                    "page": "3-30",
                    "edition": "2",
                    "issued": {"date-parts": [[1973]]},
                    "ISBN": "9780465097197",
                    "URL": "https://example.org/geertz",
                },
            },
        ],
    )
    source = list(richer.citations.order_by("section__position", "position"))
    exported = exports.export_file(reading_list=richer, right=Right.EDIT, format="ris")
    target = make_list(**add, sections=["Imported"])
    section = target.sections.get(name="Imported")

    outcome = imports.import_confirm(
        actor=instructor,
        target=imports.SectionTarget(target, section),
        data=exported.content,
        reading_list=target,
    )

    back = list(Citation.objects.filter(pk__in=outcome.added).order_by("position"))
    assert [c.material_type for c in back] == [c.material_type for c in source]
    for before, after in zip(source, back, strict=True):
        assert {k: after.metadata.get(k) for k in STORED} == {
            k: before.metadata.get(k) for k in STORED
        }
        assert (after.title, after.author) == (before.title, before.author)

import csv
import io

from lectio.citations.formats import alma_csv
from lectio.citations.formats.common import Entry
from lectio.lists.models import MaterialType

CHAPTER = Entry(
    MaterialType.BOOK_CHAPTER,
    {
        "type": "chapter",
        "title": "Cultural studies and its theoretical legacies",
        "container-title": "Stuart Hall: Critical Dialogues",
        "author": [{"family": "Hall", "given": "Stuart"}],
        "editor": [
            {"family": "Morley", "given": "David"},
            {"family": "Chen", "given": "K"},
        ],
        "issued": {"date-parts": [[1996]]},
        "page": "262-275",
        "publisher": "Routledge",
        "publisher-place": "London",
        "ISBN": "978-0-415-08803-9",
        "lectio": {"OCLC": "33947290"},
    },
)
ARTICLE = Entry(
    MaterialType.ARTICLE,
    {
        "type": "article-journal",
        "title": '=HYPERLINK("http://x")',
        "container-title": "Augmentative and Alternative Communication",
        "author": [{"family": "Light", "given": "Janice"}],
        "volume": "30",
        "issue": "2",
        "DOI": "10.3109/07434618.2014.906498",
        "URL": "https://doi.org/10.3109/07434618.2014.906498",
    },
)


def _rows(text):
    lines = text.splitlines()
    start = lines.index(",".join(alma_csv.COLUMNS))
    return list(csv.DictReader(io.StringIO("\n".join(lines[start:]))))


def test_header_is_leganto_list_export_columns_after_the_preamble():
    text = alma_csv.dumps([CHAPTER], preamble=["Reading list: SOC101"])
    assert text.startswith(
        "Reading list: SOC101\r\n\r\nSection Name,Section Description,"
    )
    assert len(alma_csv.COLUMNS) == 34


def test_a_chapter_row_names_the_book_and_the_chapter_apart():
    context = alma_csv.RowContext(
        section_name="Week 1", tags="Essential", permalink="https://lectio.example/c/1"
    )
    [row] = _rows(alma_csv.dumps([CHAPTER], [context]))
    assert row["Section Name"] == "Week 1"
    assert row["Item Type"] == "Book chapter"
    assert row["Item Title"] == "Stuart Hall: Critical Dialogues"
    assert row["Item Chapter Title"] == "Cultural studies and its theoretical legacies"
    assert row["Item Chapter Author"] == "Hall, Stuart"
    assert row["Item Author"] == ""
    assert row["Item Editor"] == "Morley, David; Chen, K"
    assert (row["Item Pages"], row["Item Start page"], row["Item End page"]) == (
        "262-275",
        "262",
        "275",
    )
    assert row["Item OCLC Number"] == "33947290"
    assert row["Item Publication Date"] == "1996"
    assert row["Item Tags"] == "Essential"
    assert row["Permalink to Citation"] == "https://lectio.example/c/1"


def test_an_article_row_and_formula_cells_are_defused():
    [row] = _rows(alma_csv.dumps([ARTICLE]))
    assert row["Item Type"] == "Article"
    assert row["Item Journal Title"] == "Augmentative and Alternative Communication"
    assert row["Item Author"] == "Light, Janice"
    assert row["Item Source"] == "https://doi.org/10.3109/07434618.2014.906498"
    assert row["Item Title"] == '\'=HYPERLINK("http://x")'

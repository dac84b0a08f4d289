"""Writing entries out and reading them back keeps every field Lectio stores."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lectio.citations.formats import bibtex, csljson, ris
from lectio.citations.formats.common import Entry
from lectio.lists.models import MaterialType

# The fields of a citation's record Lectio shows, edits and formats.
STORED = (
    "type-material",
    "title",
    "author",
    "editor",
    "container-title",
    "volume",
    "issue",
    "page",
    "chapter-number",
    "edition",
    "publisher",
    "publisher-place",
    "issued",
    "ISBN",
    "ISSN",
    "DOI",
    "URL",
    "language",
    "abstract",
    "keyword",
    "note",
    "title-short",
    "collection-title",
    "collection-number",
    "number-of-volumes",
)
COMMON = {
    "author": [
        {"family": "Eliáš", "given": "Marek"},
        {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        {"literal": "World Health Organization"},
    ],
    "issued": {"date-parts": [[2013, 3, 14]]},
    "URL": "https://example.org/a_b?c=1&d=50%25",
    "language": "en",
    "abstract": "Braces {like these}, 50% & $5 -- and a back\\slash.",
    "keyword": ["Ramsey theory", "hypergraphs"],
    "note": "Read pp. 1--15 first",
}
ENTRIES = [
    Entry(
        MaterialType.ARTICLE,
        {
            "type": "article-journal",
            "title": "Higher-order Erdős–Szekeres theorems: {a} ~ b",
            "container-title": "Advances in Mathematics",
            "volume": "244",
            "issue": "3",
            "page": "1-15",
            "ISSN": "0001-8708",
            "DOI": "10.1016/j.aim.2013.04.020",
            **COMMON,
        },
    ),
    Entry(
        MaterialType.BOOK,
        {
            "type": "book",
            "title": "Eigentumsverfassung und Finanzkrise",
            "editor": [{"family": "Depenheuer", "given": "Otto"}],
            "edition": "2nd",
            "publisher": "Springer",
            "publisher-place": "Berlin, Heidelberg",
            "ISBN": "978-3-642-00230-4",
            "volume": "7",
            "title-short": "Eigentumsverfassung",
            "collection-title": "Bibliothek des Eigentums",
            "collection-number": "7",
            "number-of-volumes": "2",
            **COMMON,
        },
    ),
    Entry(
        MaterialType.BOOK_CHAPTER,
        {
            "type": "chapter",
            "title": "Cultural studies and its theoretical legacies",
            "container-title": "Stuart Hall: Critical Dialogues",
            "editor": [
                {"family": "Morley", "given": "David"},
                {"family": "Chen", "given": "Kuan-Hsing"},
            ],
            "page": "262-275",
            "chapter-number": "12",
            "publisher": "Routledge",
            "publisher-place": "London",
            "ISBN": "978-0-415-08803-9",
            **COMMON,
        },
    ),
    Entry(
        MaterialType.EBOOK,
        {"type": "book", "title": "An e-book", "publisher": "OUP", **COMMON},
    ),
    Entry(
        MaterialType.JOURNAL,
        {"type": "periodical", "title": "Nature", "ISSN": "0028-0836", **COMMON},
    ),
    Entry(
        MaterialType.WEBSITE,
        {"type": "webpage", "title": "Fact sheet", "container-title": "WHO", **COMMON},
    ),
    Entry(
        MaterialType.VIDEO,
        {"type": "motion_picture", "title": "A film", "publisher": "BBC", **COMMON},
    ),
    Entry(
        MaterialType.AUDIO,
        {"type": "song", "title": "A song", "publisher": "Decca", **COMMON},
    ),
    Entry(
        MaterialType.THESIS,
        {
            "type": "thesis",
            "title": "A thesis",
            "publisher": "University of Paderborn",
            **COMMON,
        },
    ),
    Entry(
        MaterialType.CONFERENCE_PAPER,
        {
            "type": "paper-conference",
            "title": "A paper",
            "container-title": "Proceedings of KDD '07",
            "page": "330-339",
            "publisher": "ACM",
            "publisher-place": "New York",
            **COMMON,
        },
    ),
    Entry(
        MaterialType.REPORT,
        {
            "type": "report",
            "title": "A report",
            "publisher": "IETF",
            "publisher-place": "Reston",
            **COMMON,
        },
    ),
    Entry(
        MaterialType.LEGAL_DOCUMENT,
        {
            "type": "legislation",
            "title": "Copyright Act",
            "container-title": "U.S. Code",
            "volume": "17",
            **COMMON,
        },
    ),
    Entry(
        MaterialType.OTHER,
        {"type": "document", "title": "Something else", "publisher": "Self", **COMMON},
    ),
]


def _stored(entry):
    values = {"type-material": entry.material_type}
    for key in STORED[1:]:
        if entry.csl.get(key):
            values[key] = entry.csl[key]
    return values


@pytest.mark.parametrize(
    ("name", "module"), [("ris", ris), ("bibtex", bibtex), ("csl-json", csljson)]
)
def test_written_entries_read_back_with_every_stored_field(name, module):
    entries = copy.deepcopy(ENTRIES)
    result = module.parse(module.dumps(entries))
    assert result.errors == []
    assert len(result.entries) == len(entries)
    for before, after in zip(entries, result.entries, strict=True):
        assert _stored(after) == _stored(before), before.material_type


@pytest.mark.parametrize("module", [ris, bibtex, csljson])
def test_writing_twice_gives_the_same_text(module):
    first = module.dumps(ENTRIES)
    again = module.dumps(module.parse(first).entries)
    assert again == first


SPECIALS = list("aZé\\{}~$%&#_^-'\"`,;.@=[]()|<>*+!?/ßøł")
WORD = st.text(alphabet=st.sampled_from(SPECIALS), min_size=1, max_size=8)
PHRASE = st.lists(WORD, min_size=1, max_size=5).map(" ".join)
NAME = st.builds(
    lambda family, given: {"family": family, "given": given},
    st.text(alphabet="aZéßø-'", min_size=1, max_size=6).filter(
        lambda w: w[0].isalpha()
    ),
    st.text(alphabet="aZé.-'", min_size=1, max_size=6).filter(lambda w: w[0].isalpha()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=PHRASE,
    container=PHRASE,
    publisher=PHRASE,
    note=PHRASE,
    authors=st.lists(NAME, min_size=1, max_size=3),
)
def test_any_text_survives_every_format(title, container, publisher, note, authors):
    csl = {
        "type": "article-journal",
        "title": title,
        "container-title": container,
        "publisher": publisher,
        "note": note,
        "author": authors,
    }
    for module in (ris, bibtex, csljson):
        [entry] = module.parse(module.dumps([Entry(MaterialType.ARTICLE, csl)])).entries
        assert {k: entry.csl.get(k) for k in csl} == csl, module.__name__

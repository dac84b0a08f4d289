import json

from lectio.citations.formats import csljson
from lectio.citations.formats.common import Entry
from lectio.lists.models import MaterialType


def test_names_dates_and_numbers_are_normalised():
    item = {
        "type": "article-journal",
        "title": "T",
        "volume": 12,
        "author": [
            {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
            "Plato",
            {"given": "Madonna"},
        ],
        "issued": {"raw": "2019-05-14"},
        "accessed": {"date-parts": [["2020", "1", "2"]]},
        "keyword": "a, b",
        "custom": {"nested": "dropped"},
    }
    [entry] = csljson.parse(json.dumps([item])).entries
    assert entry.csl == {
        "type": "article-journal",
        "title": "T",
        "volume": "12",
        "author": [
            {"family": "van Beethoven", "given": "Ludwig"},
            {"literal": "Plato"},
            {"literal": "Madonna"},
        ],
        "issued": {"date-parts": [[2019, 5, 14]]},
        "accessed": {"date-parts": [[2020, 1, 2]]},
        "keyword": ["a", "b"],
    }


def test_a_single_item_or_an_items_object_is_accepted():
    one = csljson.parse('{"type": "book", "title": "A"}')
    wrapped = csljson.parse('{"items": [{"type": "book", "title": "A"}]}')
    assert [e.csl["title"] for e in one.entries] == ["A"]
    assert [e.csl["title"] for e in wrapped.entries] == ["A"]


def test_bad_json_and_bad_items_are_errors():
    assert csljson.parse("[{").errors[0].reason.startswith("this is not JSON")
    assert "single value" in csljson.parse("42").errors[0].reason
    result = csljson.parse('[{"title": "ok"}, 3, {"type": "book"}]')
    assert [e.csl["title"] for e in result.entries] == ["ok"]
    assert [e.number for e in result.errors] == [2, 3]


def test_material_type_the_csl_type_cannot_say_travels_in_lectio():
    entry = Entry(
        MaterialType.EBOOK, {"type": "book", "title": "E", "lectio": {"OCLC": "123"}}
    )
    text = csljson.dumps([entry])
    item = json.loads(text)[0]
    assert item["id"] == "item-1"
    assert item["lectio"] == {"OCLC": "123", "material_type": "ebook"}
    [back] = csljson.parse(text).entries
    assert back.material_type == MaterialType.EBOOK
    assert back.csl["lectio"] == {"OCLC": "123"}


def test_series_number_and_original_publication_are_kept():
    result = csljson.parse(
        '[{"type": "book", "title": "B", "collection-title": "S", '
        '"collection-number": 12, "original-title": "O", '
        '"original-publisher": "P", "original-publisher-place": "Q"}]'
    )
    csl = result.entries[0].csl
    assert csl["collection-number"] == "12"
    assert (csl["original-title"], csl["original-publisher"]) == ("O", "P")
    assert csl["original-publisher-place"] == "Q"

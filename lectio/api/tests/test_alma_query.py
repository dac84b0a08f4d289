"""The Alma API's pure pieces: the q parser, paging, and the JSON <-> XML rules."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from lectio.api.alma.errors import AlmaError
from lectio.api.alma.formats import _from_element, to_xml
from lectio.api.alma.query import paging, parse_q


def test_q_splits_on_and_keeping_spaces_in_values():
    assert parse_q("code~HIS AND name~modern history") == [
        ("code", "HIS"),
        ("name", "modern history"),
    ]


def test_q_fields_are_case_insensitive_and_empty_q_is_no_filter():
    assert parse_q("Code~x") == [("code", "x")]
    assert parse_q("  ") == []


@pytest.mark.parametrize(
    ("q", "says"),
    [
        ("title~x", "unknown field “title”"),
        ("code=HIS", "is not field~value"),
        ("code~", "code~ needs a value"),
        ("~HIS", "is not field~value"),
        ("year~twenty", "a year is a number"),
    ],
)
def test_bad_q_is_a_400_naming_q(q, says):
    with pytest.raises(AlmaError) as caught:
        parse_q(q)
    assert caught.value.status == 400
    assert caught.value.message.startswith("q: ")
    assert says in caught.value.message


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, (10, 0)),
        ({"limit": "0"}, (0, 0)),
        ({"limit": "100", "offset": "5"}, (100, 5)),
    ],
)
def test_paging(params, expected):
    assert paging(params) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1.5"}, "offset"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(params, field):
    with pytest.raises(AlmaError) as caught:
        paging(params)
    assert caught.value.status == 400
    assert caught.value.field == field
    assert caught.value.message.startswith(f"{field}: ")


def test_xml_follows_almas_rules():
    data = {
        "link": "http://x/almaws/v1/courses/1",
        "id": "1",
        "status": {"value": "ACTIVE", "desc": "Active"},
        "term": [{"value": "AUT", "desc": "Autumn"}],
        "searchable_id": ["A", "B"],
        "start_date": None,
        "reading_lists": {"reading_list": [{"id": "7", "locked": False}]},
    }
    root = ET.fromstring(to_xml("course", data))
    assert root.tag == "course"
    assert root.get("link") == "http://x/almaws/v1/courses/1"
    assert root.findtext("id") == "1"
    assert root.find("status").text == "ACTIVE"
    assert root.find("status").get("desc") == "Active"
    assert [t.text for t in root.find("terms")] == ["AUT"]
    assert [s.text for s in root.find("searchable_ids")] == ["A", "B"]
    assert root.find("start_date") is None
    assert root.find("reading_lists/reading_list/locked").text == "false"


def test_xml_reads_back_into_the_json_shape():
    text = (
        "<course><code>HIS</code><status desc='Active'>ACTIVE</status>"
        "<terms><term>AUT</term><term>SPR</term></terms>"
        "<instructors><instructor><primary_id>P1</primary_id></instructor>"
        "</instructors></course>"
    )
    data = _from_element(ET.fromstring(text))
    assert data == {
        "code": "HIS",
        "status": {"value": "ACTIVE", "desc": "Active"},
        "term": ["AUT", "SPR"],
        "instructor": [{"primary_id": "P1"}],
    }


def test_the_trigram_index_covers_the_expression_all_searches() -> None:
    # PostgreSQL uses the index only for the same expression, character for character.
    import importlib

    from lectio.api.alma import query

    migration = importlib.import_module(
        "lectio.courses.migrations.0005_course_search_trigrams"
    )
    assert migration.ALL_TEXT == query.ALL_TEXT

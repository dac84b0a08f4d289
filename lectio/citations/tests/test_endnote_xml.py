from lectio.citations.formats import endnote_xml
from lectio.lists.models import MaterialType


def test_entity_declarations_are_refused_before_parsing():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<xml><records><record><titles><title>&b;</title></titles></record></records></xml>"
    )
    result = endnote_xml.parse(bomb)
    assert result.entries == []
    assert "refused" in result.errors[0].reason


def test_malformed_xml_is_one_file_error_with_its_line():
    result = endnote_xml.parse("<xml>\n<records>\n<record>\n</xml>")
    assert result.entries == []
    assert result.errors[0].number == 0
    assert result.errors[0].line == 4


def test_reference_types_map_like_their_ris_types():
    def one(ref_type):
        text = (
            f'<xml><records><record><ref-type name="{ref_type}">0</ref-type>'
            "<titles><title>T</title></titles></record></records></xml>"
        )
        return endnote_xml.parse(text).entries[0].material_type

    assert one("Journal Article") == MaterialType.ARTICLE
    assert one("Book") == MaterialType.BOOK
    assert one("Electronic Book") == MaterialType.EBOOK
    assert one("Web Page") == MaterialType.WEBSITE
    assert one("Thesis") == MaterialType.THESIS
    assert one("Something New") == MaterialType.OTHER

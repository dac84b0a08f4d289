from lectio.citations.formats import ris
from lectio.lists.models import MaterialType


def _one(text):
    result = ris.parse(text)
    assert result.errors == []
    assert len(result.entries) == 1
    return result.entries[0]


def test_continuation_lines_join_the_value_they_continue():
    entry = _one("TY  - JOUR\nT1  - Blood-brain barrier breach\nin the rat\nER  - \n")
    assert entry.csl["title"] == "Blood-brain barrier breach in the rat"


def test_a1_and_au_authors_keep_file_order():
    entry = _one(
        "TY  - JOUR\nTI  - Mixed\nA1  - Georgiev, Danko\nAU  - Bello, Leon\n"
        "A1  - Carmi, Avishy\nER  - \n"
    )
    assert [a["family"] for a in entry.csl["author"]] == ["Georgiev", "Bello", "Carmi"]


def test_da_wins_over_the_deprecated_y1():
    entry = _one(
        "TY  - JOUR\nT1  - Dates\nY1  - 1900/01/01\nDA  - 1950/01/01\nER  - \n"
    )
    assert entry.csl["issued"] == {"date-parts": [[1950, 1, 1]]}


def test_single_space_tags_and_missing_trailing_space_are_read():
    entry = _one("TY - JOUR\nTI - Loose\nPY - 2009\nER -\n")
    assert entry.csl["title"] == "Loose"
    assert entry.csl["issued"] == {"date-parts": [[2009]]}


def test_a2_is_the_editor_of_a_chapter_but_the_series_editor_of_a_book():
    chapter = _one("TY  - CHAP\nTI  - C\nA2  - Morley, David\nER  - \n")
    book = _one("TY  - BOOK\nTI  - B\nA2  - Morley, David\nA3  - Chen, K\nER  - \n")
    assert chapter.csl["editor"] == [{"family": "Morley", "given": "David"}]
    assert book.csl["collection-editor"] == [{"family": "Morley", "given": "David"}]
    assert book.csl["editor"] == [{"family": "Chen", "given": "K"}]


def test_sp_of_a_book_is_its_page_count_and_t2_its_series():
    book = _one("TY  - BOOK\nTI  - B\nT2  - Series\nSP  - 320\nER  - \n")
    assert book.csl["number-of-pages"] == "320"
    assert "page" not in book.csl
    assert book.csl["collection-title"] == "Series"


def test_sn_is_an_isbn_or_an_issn_by_its_shape():
    article = _one("TY  - JOUR\nTI  - A\nSN  - 0743-4618\nER  - \n")
    book = _one("TY  - BOOK\nTI  - B\nSN  - 978-3-642-00230-4\nER  - \n")
    assert article.csl["ISSN"] == "0743-4618"
    assert book.csl["ISBN"] == "978-3-642-00230-4"


def test_types_map_to_material_types():
    cases = {
        "JOUR": MaterialType.ARTICLE,
        "BOOK": MaterialType.BOOK,
        "EBOOK": MaterialType.EBOOK,
        "CHAP": MaterialType.BOOK_CHAPTER,
        "JFULL": MaterialType.JOURNAL,
        "ELEC": MaterialType.WEBSITE,
        "VIDEO": MaterialType.VIDEO,
        "SOUND": MaterialType.AUDIO,
        "THES": MaterialType.THESIS,
        "CONF": MaterialType.CONFERENCE_PAPER,
        "RPRT": MaterialType.REPORT,
        "STAT": MaterialType.LEGAL_DOCUMENT,
        "GEN": MaterialType.OTHER,
        "WHATEVER": MaterialType.OTHER,
    }
    for ris_type, material in cases.items():
        assert _one(f"TY  - {ris_type}\nTI  - x\nER  - \n").material_type == material


def test_a_truncated_entry_is_an_error_and_the_others_still_come():
    text = (
        "TY  - JOUR\nTI  - First\nER  - \n\n"
        "TY  - JOUR\nTI  - Cut short\n"
        "TY  - BOOK\nTI  - Third\nER  - \n\n"
        "TY  - JOUR\nTI  - Last, no end\n"
    )
    result = ris.parse(text)
    assert [e.csl["title"] for e in result.entries] == ["First", "Third"]
    assert [(e.number, e.line) for e in result.errors] == [(2, 5), (4, 11)]
    assert "no end line" in result.errors[0].reason


def test_an_entry_without_title_or_author_is_an_error():
    result = ris.parse("TY  - JOUR\nPY  - 2001\nER  - \n")
    assert result.entries == []
    assert result.errors[0].number == 1
    assert "no title" in result.errors[0].reason


def test_text_that_is_not_ris_is_one_file_error():
    result = ris.parse("Dear colleague,\nplease find attached...\n")
    assert result.entries == []
    assert len(result.errors) == 1
    assert result.errors[0].number == 0
    assert "no RIS entries" in result.errors[0].reason


def test_dumps_writes_types_tags_and_dates():
    entry = _one(
        "TY  - CHAP\nAU  - Hall, Stuart\nA2  - Morley, David\nTI  - Legacies\n"
        "T2  - Dialogues\nPY  - 1996\nDA  - 1996/03/02\nSP  - 262\nEP  - 275\n"
        "ER  - \n"
    )
    text = ris.dumps([entry])
    assert text.startswith("TY  - CHAP\nAU  - Hall, Stuart\nA2  - Morley, David\n")
    assert "\nPY  - 1996\nDA  - 1996/03/02\n" in text
    assert "\nSP  - 262\nEP  - 275\n" in text
    assert text.endswith("ER  - \n\n")


def test_reference_manager_labelled_notes_become_fields():
    entry = _one(
        "TY  - CHAP\nN1  - Record ID: 40\nA1  - Hall, Stuart\nT1  - Legacies\n"
        "T2  - Dialogues\nVL  - 2nd\nN1  - Volume ID: 3\n"
        "N1  - Place of Publication: London\nN1  - Publisher Name: Routledge\n"
        "N1  - Read this first: really\nER  - \n"
    )
    assert entry.csl["edition"] == "2nd"
    assert entry.csl["volume"] == "3"
    assert entry.csl["publisher-place"] == "London"
    assert entry.csl["publisher"] == "Routledge"
    assert entry.csl["note"] == "Read this first: really"


def test_labelled_notes_of_other_programs_stay_notes():
    entry = _one("TY  - BOOK\nTI  - B\nVL  - 3\nN1  - Publisher Name: X\nER  - \n")
    assert entry.csl["volume"] == "3"
    assert "publisher" not in entry.csl
    assert entry.csl["note"] == "Publisher Name: X"


def test_a_date_in_words_keeps_the_words_and_the_year():
    entry = _one("TY  - JOUR\nTI  - T\nPY  - Spring 2019\nER  - \n")
    assert entry.csl["issued"] == {"date-parts": [[2019]], "literal": "Spring 2019"}
    assert _one(ris.dumps([entry])).csl["issued"] == entry.csl["issued"]


def test_reference_manager_isbn_note_and_bill_code_in_cy():
    paper = _one(
        "TY  - CONF\nN1  - Record Number: 230\nT1  - A paper\n"
        "N1  - ISBN: 9780141439518\nER  - \n"
    )
    bill = _one(
        "TY  - BILL\nN1  - Record ID: 10\nTI  - An Act\nCY  - 42 U.S.C.\nER  - \n"
    )
    named = _one("TY  - BILL\nTI  - An Act\nT2  - Code\nCY  - Elsewhere\nER  - \n")

    assert paper.csl["ISBN"] == "9780141439518"
    assert bill.csl["container-title"] == "42 U.S.C."
    assert named.csl["container-title"] == "Code"


def test_short_title_call_number_database_and_volumes_are_read():
    book = _one(
        "TY  - BOOK\nTI  - The long title\nST  - Long\nCN  - QA76 .K5\n"
        "DB  - JSTOR\nNV  - 3\nM1  - 12\nT2  - Lecture Notes\nER  - \n"
    )
    assert book.csl["title-short"] == "Long"
    assert book.csl["call-number"] == "QA76 .K5"
    assert book.csl["archive"] == "JSTOR"
    assert book.csl["number-of-volumes"] == "3"
    assert book.csl["collection-number"] == "12"
    chapter = _one("TY  - CHAP\nTI  - C\nM1  - 2\nSV  - 7\nER  - \n")
    assert chapter.csl["number-of-volumes"] == "2"
    assert chapter.csl["collection-number"] == "7"


def test_nv_and_m1_are_not_volumes_or_series_numbers_where_they_mean_else():
    article = _one("TY  - MGZN\nTI  - A\nNV  - Weekly\nM1  - 4\nER  - \n")
    assert "number-of-volumes" not in article.csl
    assert "collection-number" not in article.csl
    case = _one("TY  - CASE\nTI  - R v Smith\nSV  - 12-345\nER  - \n")
    assert "collection-number" not in case.csl


def test_a_library_call_number_in_h2_is_read_when_cn_is_absent():
    entry = _one(
        "TY  - BOOK\nTI  - B\nH1  - UB Mannheim\nH2  - 300 QN 100 D419\n"
        "H1  - UB Leipzig\nH2  - PL 415 D419\nER  - \n"
    )
    assert entry.csl["call-number"] == "300 QN 100 D419"
    both = _one("TY  - BOOK\nTI  - B\nH2  - X 1\nCN  - Y 2\nER  - \n")
    assert both.csl["call-number"] == "Y 2"


def test_reference_manager_language_call_number_and_series_volume_notes():
    entry = _one(
        "TY  - BOOK\nN1  - Record ID: 200\nT1  - B\nN1  - Language: German\n"
        "N1  - Call Number: HD 1 .B2\nN1  - Series Volume ID: 4\nN1  - Notes: kept\n"
        "ER  - \n"
    )
    assert entry.csl["language"] == "German"
    assert entry.csl["call-number"] == "HD 1 .B2"
    assert entry.csl["collection-number"] == "4"
    assert entry.csl["note"] == "Notes: kept"


def test_short_title_call_number_database_and_volumes_are_written_back():
    text = (
        "TY  - BOOK\nTI  - The long title\nT2  - Lecture Notes\nST  - Long\n"
        "CN  - QA76 .K5\nDB  - JSTOR\nNV  - 3\nSV  - 12\nER  - \n"
    )
    entry = _one(text)
    again = _one(ris.dumps([entry]))
    for key in (
        "title-short",
        "call-number",
        "archive",
        "number-of-volumes",
        "collection-number",
        "collection-title",
    ):
        assert again.csl[key] == entry.csl[key], key
    chapter = _one("TY  - CHAP\nTI  - C\nM1  - 2\nER  - \n")
    assert _one(ris.dumps([chapter])).csl["number-of-volumes"] == "2"


def test_a_generic_record_with_a_journal_is_an_article():
    article = _one(
        "TY  - GEN\nTI  - A\nJO  - Journal of Things\nSN  - ISSN pending\nER  - \n"
    )
    in_container = _one("TY  - GEN\nTI  - A\nT2  - Some Review\nVL  - 3\nER  - \n")
    generic = _one("TY  - GEN\nTI  - Something\nPB  - Self\nER  - \n")
    in_a_book = _one(
        "TY  - GEN\nTI  - A\nT2  - A Handbook\nVL  - 2\nSN  - 978-0-415-08803-9\n"
        "ER  - \n"
    )
    assert in_a_book.material_type == MaterialType.OTHER
    assert in_a_book.csl["ISBN"] == "978-0-415-08803-9"
    assert article.material_type == in_container.material_type == MaterialType.ARTICLE
    assert article.csl["ISSN"] == "ISSN pending"
    assert generic.material_type == MaterialType.OTHER


def test_a_doi_link_gives_the_doi_when_do_is_absent():
    entry = _one(
        "TY  - BOOK\nTI  - B\nUR  - http://dx.doi.org/10.1007/978-3-642-00230-4\n"
        "ER  - \n"
    )
    assert entry.csl["DOI"] == "10.1007/978-3-642-00230-4"
    assert entry.csl["URL"] == "http://dx.doi.org/10.1007/978-3-642-00230-4"
    linked = _one("TY  - JOUR\nTI  - A\nL1  - doi:10.1000/XYZ%2F1\nER  - \n")
    assert linked.csl["DOI"] == "10.1000/XYZ/1"
    other = _one("TY  - JOUR\nTI  - A\nUR  - https://example.org/10.1000/x\nER  - \n")
    assert "DOI" not in other.csl

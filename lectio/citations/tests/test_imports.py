"""The import service: preview (entries, errors, duplicates), confirm (all or nothing,
through citation_add, one event), the kept file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from lectio.citations import imports
from lectio.citations.models import PendingImport
from lectio.core.identifiers import isbn13_to_10
from lectio.core.models import Event
from lectio.lists.models import Citation, ReadingList, Section
from lectio.lists.services import ServiceError

RIS = b"""TY  - BOOK
AU  - hooks, bell
TI  - Teaching to Transgress
PY  - 1994
PB  - Routledge
SN  - 9780141439518
ER  -\x20

TY  - JOUR
AU  - Rich, Adrienne
TI  - When We Dead Awaken
T2  - College English
VL  - 34
IS  - 1
SP  - 18
EP  - 30
PY  - 1972
DO  - 10.2307/375215
ER  -\x20

TY  - BOOK
AU  - Nobody
ER  -\x20

TY  - CHAP
AU  - Said, Edward W.
TI  - Secular Criticism
T2  - The World, the Text, and the Critic
PY  - 1983
ER  -\x20
"""


def _week1(reading_list: ReadingList) -> Section:
    return reading_list.sections.get(name="Week 1")


def _titles(section: Section) -> list[str]:
    return list(
        section.citations.order_by("position", "id").values_list("title", flat=True)
    )


def test_preview_says_what_each_entry_becomes_and_which_failed(
    reading_list: ReadingList,
) -> None:
    target = imports.SectionTarget(reading_list, _week1(reading_list))

    preview = imports.import_preview(data=RIS, target=target)

    assert preview.format == "ris"
    assert [
        (e.number, e.line, e.material_type, e.title, e.authors, e.year, e.container)
        for e in preview.entries
    ] == [
        (1, 1, "book", "Teaching to Transgress", "hooks, bell", "1994", ""),
        (
            2,
            9,
            "article",
            "When We Dead Awaken",
            "Rich, Adrienne",
            "1972",
            "College English",
        ),
        (
            4,
            25,
            "book_chapter",
            "Secular Criticism",
            "Said, Edward W.",
            "1983",
            "The World, the Text, and the Critic",
        ),
    ]
    assert [(e.number, e.line, e.reason) for e in preview.errors] == [
        (3, 21, "the entry has no title")
    ]
    assert [e.duplicate for e in preview.entries] == ["", "", ""]


def test_preview_writes_nothing(reading_list: ReadingList, snapshot: Any) -> None:
    before = snapshot()

    imports.import_preview(
        data=RIS, target=imports.SectionTarget(reading_list, _week1(reading_list))
    )

    assert snapshot() == before


def test_duplicates_in_the_section_and_in_the_file_are_flagged(
    reading_list: ReadingList, instructor: Any
) -> None:
    section = _week1(reading_list)
    imports.import_confirm(
        actor=instructor,
        target=imports.SectionTarget(reading_list, section),
        data=RIS,
        chosen=[2],
        reading_list=reading_list,
    )
    again = RIS + (
        b"\nTY  - BOOK\nAU  - Hooks, Bell\nTI  - Teaching to transgress!\n"
        b"PY  - 1994\nER  - \n"
    )

    preview = imports.import_preview(
        data=again, target=imports.SectionTarget(reading_list, section)
    )

    assert [(e.number, e.duplicate) for e in preview.entries] == [
        (1, ""),
        (2, "Already in Week 1: “When We Dead Awaken”."),
        (4, ""),
        (5, "Same as entry 1 of this file."),
    ]
    assert [e.checked for e in preview.entries] == [True, False, True, False]


def test_a_doi_or_isbn_alone_makes_a_duplicate() -> None:
    a = {"title": "One", "DOI": "https://doi.org/10.1000/XYZ"}
    b = {"title": "Other title", "DOI": "10.1000/xyz"}
    c = {"title": "Third", "ISBN": "ISBN 0-" + isbn13_to_10("9780415908085")[1:]}
    d = {"title": "Fourth", "ISBN": "9780415908085"}

    assert imports.duplicate_keys(a) & imports.duplicate_keys(b) == {"doi:10.1000/xyz"}
    assert imports.duplicate_keys(c) & imports.duplicate_keys(d) == {
        "isbn:9780415908085"
    }
    assert not imports.duplicate_keys(a) & imports.duplicate_keys(c)


def test_confirm_adds_the_chosen_entries_in_file_order_with_one_event(
    reading_list: ReadingList, instructor: Any
) -> None:
    section = _week1(reading_list)
    version = reading_list.content_version

    outcome = imports.import_confirm(
        actor=instructor,
        target=imports.SectionTarget(reading_list, section),
        data=RIS,
        chosen=[4, 1],
        file_name="mine.ris",
        reading_list=reading_list,
    )

    assert _titles(section) == [
        "The Canon and Its Critics",
        "Reading Against the Grain",
        "Teaching to Transgress",
        "Secular Criticism",
    ]
    added = Citation.objects.filter(pk__in=outcome.added).order_by("position")
    assert [(c.material_type, c.status, c.created_by_id) for c in added] == [
        ("book", "BeingPrepared", instructor.pk),
        ("book_chapter", "BeingPrepared", instructor.pk),
    ]
    assert added[0].metadata["ISBN"] == "9780141439518"
    assert "Teaching to Transgress" in added[0].rendered_html
    assert added[0].rendered_style == "apa"
    assert (outcome.skipped, outcome.failed) == (1, 1)
    event = Event.objects.get(verb="citations.import")
    assert (event.actor_id, event.list_id, event.params) == (
        instructor.pk,
        reading_list.pk,
        {"format": "ris", "file": "mine.ris", "added": 2, "skipped": 1, "failed": 1},
    )
    assert Event.objects.filter(verb="citation.add").count() == 4 + 2
    reading_list.refresh_from_db()
    assert reading_list.content_version > version


def test_confirm_without_a_choice_takes_every_entry_but_duplicates(
    reading_list: ReadingList, instructor: Any
) -> None:
    section = _week1(reading_list)
    target = imports.SectionTarget(reading_list, section)
    imports.import_confirm(actor=instructor, target=target, data=RIS, chosen=[1])

    outcome = imports.import_confirm(actor=instructor, target=target, data=RIS)

    assert len(outcome.added) == 2
    assert _titles(section)[2:] == [
        "Teaching to Transgress",
        "When We Dead Awaken",
        "Secular Criticism",
    ]


def test_a_refusal_after_the_writes_undoes_the_whole_import(
    reading_list: ReadingList, instructor: Any, snapshot: Any, monkeypatch: Any
) -> None:
    from lectio.lists import services

    real = services.citation_add_many
    written = []

    def write_then_refuse(**kwargs: Any) -> Any:
        written.extend(real(**kwargs))
        raise ServiceError("refused")

    monkeypatch.setattr(services, "citation_add_many", write_then_refuse)
    before = snapshot()

    with pytest.raises(ServiceError, match="Nothing was imported: refused"):
        imports.import_confirm(
            actor=instructor,
            target=imports.SectionTarget(reading_list, _week1(reading_list)),
            data=RIS,
        )

    assert len(written) == 3
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The file is empty."),
        (b"   \n", "The file is empty."),
        (b"hello world", "the file is not RIS, BibTeX, CSL-JSON or EndNote XML"),
        (b"\x00\xff\x00\xfe" * 50, None),
    ],
)
def test_a_file_that_gives_nothing_is_refused_and_changes_nothing(
    reading_list: ReadingList,
    instructor: Any,
    snapshot: Any,
    data: bytes,
    reason: str | None,
) -> None:
    target = imports.SectionTarget(reading_list, _week1(reading_list))
    preview = imports.import_preview(data=data, target=target)
    assert preview.entries == []
    assert [e.number for e in preview.errors] == [0]
    if reason:
        assert preview.errors[0].reason == reason
    before = snapshot()

    with pytest.raises(ServiceError):
        imports.import_confirm(actor=instructor, target=target, data=data)

    assert snapshot() == before


def test_a_file_over_the_cap_is_one_error(settings: Any) -> None:
    settings.LECTIO_IMPORT_MAX_BYTES = 100

    result = imports.import_parse(data=RIS)

    assert result.entries == []
    assert [(e.number, e.reason) for e in result.errors] == [
        (0, f"The file has {len(RIS):,} bytes; files up to 100 are read.")
    ]


def test_unbalanced_bibtex_gives_per_entry_errors_and_the_rest() -> None:
    data = (
        b"@book{a, title={Ways of Seeing}, author={Berger, John}, year=1972}\n"
        b"@article{b, title={Broken {brace}, year=2001\n"
        b"@misc{c, title={Mythologies}, author={Barthes, Roland}}\n"
    )

    preview = imports.import_preview(data=data, target=None, format="bibtex")

    assert [e.title for e in preview.entries] == ["Ways of Seeing", "Mythologies"]
    assert [(e.number, e.line) for e in preview.errors] == [(2, 2)]


def test_a_chosen_number_that_is_no_entry_imports_nothing(
    reading_list: ReadingList, instructor: Any, snapshot: Any
) -> None:
    before = snapshot()

    with pytest.raises(ServiceError, match="No entries were chosen"):
        imports.import_confirm(
            actor=instructor,
            target=imports.SectionTarget(reading_list, _week1(reading_list)),
            data=RIS,
            chosen=[3, 99],
        )

    assert snapshot() == before


def test_a_large_import_is_formatted_in_the_background(
    reading_list: ReadingList, instructor: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imports, "RENDER_INLINE_UP_TO", 1)
    enqueued = []
    from lectio.lists import tasks

    class Task:
        def enqueue(self, style: str) -> None:
            enqueued.append(style)

    monkeypatch.setattr(tasks, "rerender_citations", Task())

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        outcome = imports.import_confirm(
            actor=instructor,
            target=imports.SectionTarget(reading_list, _week1(reading_list)),
            data=RIS,
        )

    rows = Citation.objects.filter(pk__in=outcome.added).order_by("position")
    assert [(c.rendered_html, c.rendered_style) for c in rows] == [
        ("Teaching to Transgress", ""),
        ("When We Dead Awaken", ""),
        ("Secular Criticism", ""),
    ]
    assert enqueued == ["apa"]


# --- the kept file -----------------------------------------------------------------


def test_a_kept_file_is_the_users_own_and_expires(
    reading_list: ReadingList, instructor: Any, librarian: Any
) -> None:
    pending = imports.pending_import_create(
        actor=instructor,
        reading_list=reading_list,
        section=_week1(reading_list),
        data=RIS,
        file_name="mine.ris",
        format="ris",
    )

    assert imports.pending_import_get(
        user=instructor, reading_list=reading_list, token=pending.token
    ) == (pending)
    assert (
        imports.pending_import_get(
            user=librarian, reading_list=reading_list, token=pending.token
        )
        is None
    )
    PendingImport.objects.filter(pk=pending.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert (
        imports.pending_import_get(
            user=instructor, reading_list=reading_list, token=pending.token
        )
        is None
    )


def test_confirming_a_kept_file_imports_and_forgets_it(
    reading_list: ReadingList, instructor: Any
) -> None:
    section = _week1(reading_list)
    pending = imports.pending_import_create(
        actor=instructor, reading_list=reading_list, section=section, data=RIS
    )

    outcome = imports.pending_import_confirm(
        actor=instructor, pending=pending, chosen={1, 2}
    )

    assert len(outcome.added) == 2
    assert not PendingImport.objects.exists()


def test_a_kept_file_whose_section_was_deleted_says_so(
    reading_list: ReadingList, instructor: Any
) -> None:
    from lectio.lists import services

    section = _week1(reading_list)
    pending = imports.pending_import_create(
        actor=instructor, reading_list=reading_list, section=section, data=RIS
    )
    services.section_delete(actor=instructor, section=section)
    pending.refresh_from_db()

    with pytest.raises(imports.ImportGone, match="no longer exists"):
        imports.pending_preview(pending)


def test_a_section_of_another_list_is_refused(
    reading_list: ReadingList, instructor: Any
) -> None:
    from lectio.core.factories import make_list

    other = make_list(owner=instructor, sections=["Elsewhere"])

    with pytest.raises(ServiceError, match="another list"):
        imports.pending_import_create(
            actor=instructor,
            reading_list=reading_list,
            section=other.sections.get(name="Elsewhere"),
            data=RIS,
        )
    assert not PendingImport.objects.exists()


# --- bad input --------------------------------------------------------------------------


@hsettings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), format=st.sampled_from([None, *imports.FORMATS]))
def test_any_bytes_give_entries_or_errors_never_an_exception(
    data: bytes, format: str | None
) -> None:
    preview = imports.import_preview(data=data, target=None, format=format)

    numbers = [e.number for e in preview.entries] + [
        e.number for e in preview.errors if e.number
    ]
    assert len(numbers) == len(set(numbers))
    assert all(e.title.strip() for e in preview.entries)
    if any(e.number == 0 for e in preview.errors):
        assert preview.entries == []


@hsettings(max_examples=40, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list('@{}=,"\\% \nTYERAU-  abc0123')), max_size=2000
    )
)
def test_brace_soup_and_tag_soup_never_raise(text: str) -> None:
    for format in ("bibtex", "ris", None):
        imports.import_preview(data=text.encode(), target=None, format=format)


def test_ten_megabytes_of_garbage_is_one_error_and_no_import(
    reading_list: ReadingList, instructor: Any, snapshot: Any
) -> None:
    import random

    rng = random.Random(5)
    data = bytes(rng.getrandbits(8) for _ in range(10 * 1024 * 1024))
    target = imports.SectionTarget(reading_list, _week1(reading_list))
    before = snapshot()

    preview = imports.import_preview(data=data, target=target)
    with pytest.raises(ServiceError):
        imports.import_confirm(actor=instructor, target=target, data=data)

    assert preview.entries == []
    assert [e.number for e in preview.errors] == [0]
    assert snapshot() == before


def test_a_file_in_windows_1252_or_utf_16_reads_the_same(
    reading_list: ReadingList,
) -> None:
    text = "TY  - BOOK\nAU  - Müller, Zoë\nTI  - Ästhetik und Öffentlichkeit\nER  - \n"

    titles = {
        encoding: [
            (e.title, e.authors)
            for e in imports.import_preview(
                data=text.encode(encoding), target=None
            ).entries
        ]
        for encoding in ("utf-8", "utf-8-sig", "cp1252", "utf-16")
    }

    assert set(map(tuple, titles.values())) == {
        (("Ästhetik und Öffentlichkeit", "Müller, Zoë"),)
    }


@pytest.mark.parametrize(
    "data",
    [
        b"TY  - WHATEVER\nTI  - Odd\nER  - \n",
        b"@weirdtype{k, title={Odd}}\n",
        b'[{"type": "no-such-type", "title": "Odd"}]',
    ],
)
def test_an_unknown_type_is_imported_as_other(data: bytes) -> None:
    preview = imports.import_preview(data=data, target=None)

    assert [(e.material_type, e.title) for e in preview.entries] == [("other", "Odd")]
    assert preview.errors == []

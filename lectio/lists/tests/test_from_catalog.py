"""Adding a catalog record to a list, and which lists citing a record a person sees."""

from __future__ import annotations

import pytest

from lectio.accounts.models import InstitutionSettings, User
from lectio.catalog.models import RecordFormat
from lectio.catalog.tests.test_views_support import add_portfolio, make_record
from lectio.core.factories import CourseFactory, make_list
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists import services
from lectio.lists.from_catalog import (
    citation_add_from_record,
    csl_from_record,
    csl_name,
    lists_citing,
    more_from_courses,
    names_by_role,
    visible_lists,
)
from lectio.lists.models import Citation, MaterialType, ReadingList, Section
from lectio.lists.permissions import Right
from lectio.lists.statuses import CitationStatus, ListStatus, Visibility


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("Darwin, Charles, 1809-1882.", {"family": "Darwin", "given": "Charles"}),
        ("Eliot, T. S.", {"family": "Eliot", "given": "T. S."}),
        ("Beer, Gillian.", {"family": "Beer", "given": "Gillian"}),
        ("Atwood, Margaret, 1939-", {"family": "Atwood", "given": "Margaret"}),
        (
            "King, Martin Luther, Jr., 1929-1968.",
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        ),
        ("United Nations.", {"literal": "United Nations"}),
        ("  ", None),
    ],
)
def test_csl_name_reads_marc_headings(heading: str, name: dict | None) -> None:
    assert csl_name(heading) == name


def test_names_by_role_keeps_authors_editors_translators_in_order() -> None:
    names = names_by_role(
        [
            {"name": "Tolstoy, Leo, graf, 1828-1910.", "role": "author"},
            {"name": "Pevear, Richard, 1943-", "role": "translator."},
            {"name": "Smith, Ann,", "role": "edt"},
            {"name": "Doe, Jane", "role": "illustrator"},
            {"name": "Tolstoy, Leo, graf, 1828-1910.", "role": "author"},
        ]
    )
    assert names == {
        "author": [{"family": "Tolstoy", "given": "Leo", "suffix": "graf"}],
        "translator": [{"family": "Pevear", "given": "Richard"}],
        "editor": [{"family": "Smith", "given": "Ann"}],
    }


@pytest.mark.django_db
def test_csl_from_record_fills_the_citation_fields() -> None:
    record = make_record(
        "On the origin of species /",
        subtitle="by means of natural selection",
        oclc="12345",
        lccn="06017473",
        issns=["1234-5679"],
        urls=[{"url": "https://archive.example.org/origin", "note": "Full text"}],
    )

    csl = csl_from_record(record)

    assert csl == {
        "type": "book",
        "title": "On the origin of species: by means of natural selection",
        "author": [{"family": "Darwin", "given": "Charles"}],
        "editor": [{"family": "Beer", "given": "Gillian"}],
        "edition": "2nd ed.",
        "publisher": "John Murray",
        "publisher-place": "London",
        "language": "eng",
        "issued": {"date-parts": [[1860]]},
        "ISBN": record.isbns[0],
        "ISSN": "1234-5679",
        "URL": "https://archive.example.org/origin",
        "lectio": {"OCLC": "12345", "LCCN": "06017473"},
    }


@pytest.mark.django_db
def test_csl_from_record_takes_an_open_access_portfolio_url() -> None:
    record = make_record("Open Book", format=RecordFormat.EBOOK, contributors=[])
    add_portfolio(record, open_access=True)

    csl = csl_from_record(record)

    assert csl["type"] == "book"
    assert csl["URL"] == "https://books.example.org/origin"
    assert csl["lectio"]["open_access"] is True
    # No contributors: the display author stands in.
    assert csl["author"] == [{"family": "Darwin", "given": "Charles"}]


@pytest.mark.parametrize(
    ("fmt", "material_type"),
    [
        (RecordFormat.BOOK, MaterialType.BOOK),
        (RecordFormat.EBOOK, MaterialType.EBOOK),
        (RecordFormat.JOURNAL, MaterialType.JOURNAL),
        (RecordFormat.VIDEO, MaterialType.VIDEO),
        (RecordFormat.MAP, MaterialType.OTHER),
    ],
)
@pytest.mark.django_db
def test_add_from_record_maps_the_format(
    fmt: str, material_type: str, reading_list: ReadingList, instructor: User
) -> None:
    record = make_record("A thing", format=fmt)

    citation = citation_add_from_record(
        actor=instructor, record=record, reading_list=reading_list
    )

    assert citation.material_type == material_type


@pytest.mark.django_db
def test_add_from_record_goes_through_the_list_services(
    reading_list: ReadingList, instructor: User
) -> None:
    record = make_record("On the origin of species")
    default = reading_list.sections.get(is_default=True)
    before = reading_list.content_version

    citation = citation_add_from_record(
        actor=instructor, record=record, reading_list=reading_list
    )

    citation.refresh_from_db()
    assert citation.catalog_record_id == record.pk
    assert citation.section_id == default.pk
    assert citation.title == "On the origin of species"
    assert citation.author == "Darwin, Charles"
    assert "Darwin" in citation.rendered_html
    assert citation.status == CitationStatus.BEING_PREPARED
    event = Event.objects.get(verb="citation.add", target_id=citation.pk)
    assert event.actor_id == instructor.pk
    assert event.list_id == reading_list.pk
    reading_list.refresh_from_db()
    assert reading_list.content_version == before + 1


@pytest.mark.django_db
def test_adding_the_same_record_to_the_same_section_is_refused(
    reading_list: ReadingList, instructor: User
) -> None:
    record = make_record()
    week1 = reading_list.sections.get(name="Week 1")
    citation_add_from_record(
        actor=instructor, record=record, reading_list=reading_list, section=week1
    )
    count = Citation.objects.count()

    with pytest.raises(services.ServiceError, match="already in Week 1"):
        citation_add_from_record(
            actor=instructor, record=record, reading_list=reading_list, section=week1
        )

    assert Citation.objects.count() == count
    # Another section of the same list is fine.
    other = citation_add_from_record(
        actor=instructor, record=record, reading_list=reading_list
    )
    assert other.section.is_default


@pytest.mark.django_db
def test_a_section_of_another_list_is_refused(
    reading_list: ReadingList, instructor: User, course: Course
) -> None:
    other = make_list(owner=instructor, courses=[course], name="Other")
    record = make_record()
    count = Citation.objects.count()

    with pytest.raises(services.ServiceError, match="another list"):
        citation_add_from_record(
            actor=instructor,
            record=record,
            reading_list=reading_list,
            section=other.sections.get(),
        )

    assert Citation.objects.count() == count


@pytest.mark.django_db
def test_an_instructor_adding_to_a_list_with_the_library_raises_a_task(
    course: Course, instructor: User
) -> None:
    InstitutionSettings.current()
    reading_list = make_list(
        owner=instructor, courses=[course], name="Sent", send_to_library=True
    )
    assert reading_list.status == ListStatus.READY_FOR_PROCESSING

    citation = citation_add_from_record(
        actor=instructor, record=make_record(), reading_list=reading_list
    )

    assert citation.status == CitationStatus.READY_FOR_PROCESSING
    reading_list.refresh_from_db()
    assert reading_list.library_alert_at is not None


# --- what a person sees ------------------------------------------------------------


@pytest.fixture
def cited(
    reading_list: ReadingList, instructor: User, other_instructor: User
) -> dict[str, object]:
    """One record on: the course's draft list, a published (course) list of the same
    course, a published (course) list of another course, an institution-wide list of
    the other course; and a second record on the published list."""
    record = make_record("Shared book")
    companion = make_record("Companion reader")
    course = reading_list.courses.get()
    other_course = CourseFactory.create(code="BIO300")
    published = make_list(
        owner=instructor, courses=[course], name="Published", visibility="course"
    )
    elsewhere = make_list(
        owner=other_instructor,
        courses=[other_course],
        name="Elsewhere",
        visibility=Visibility.COURSE,
    )
    open_list = make_list(
        owner=other_instructor,
        courses=[other_course],
        name="Open to all",
        visibility=Visibility.INSTITUTION,
    )
    for rl, actor in (
        (reading_list, instructor),
        (published, instructor),
        (elsewhere, other_instructor),
        (open_list, other_instructor),
    ):
        citation = citation_add_from_record(actor=actor, record=record, reading_list=rl)
        # What the library's processing would end with.
        Citation.objects.filter(pk=citation.pk).update(status=CitationStatus.COMPLETE)
    extra = citation_add_from_record(
        actor=instructor, record=companion, reading_list=published
    )
    Citation.objects.filter(pk=extra.pk).update(status=CitationStatus.COMPLETE)
    return {
        "record": record,
        "companion": companion,
        "draft": reading_list,
        "published": published,
        "elsewhere": elsewhere,
        "open": open_list,
    }


@pytest.mark.django_db
def test_a_student_sees_only_published_lists_open_to_them(
    cited: dict, student: User
) -> None:
    names = [
        v.reading_list.name for v in lists_citing(user=student, record=cited["record"])
    ]

    assert names == ["Open to all", "Published"]


@pytest.mark.django_db
def test_the_instructor_sees_their_draft_too(cited: dict, instructor: User) -> None:
    names = [
        v.reading_list.name
        for v in lists_citing(user=instructor, record=cited["record"])
    ]

    assert names == ["Open to all", "Published", "Reading the Canon: core reading"]


@pytest.mark.django_db
def test_a_librarian_sees_every_list(cited: dict, librarian: User) -> None:
    found = lists_citing(user=librarian, record=cited["record"])

    assert len(found) == 4
    assert {v.right for v in found} == {Right.MANAGE}


@pytest.mark.django_db
def test_a_citation_readers_do_not_see_hides_the_list_from_them(
    cited: dict, student: User
) -> None:
    published = cited["published"]
    Citation.objects.filter(
        reading_list=published, catalog_record=cited["record"]
    ).update(status=CitationStatus.BEING_PREPARED)

    names = [
        v.reading_list.name for v in lists_citing(user=student, record=cited["record"])
    ]

    assert names == ["Open to all"]


@pytest.mark.django_db
def test_more_from_the_same_course_respects_visibility(
    cited: dict, student: User, other_student: User
) -> None:
    record = cited["record"]
    courses = [c for v in lists_citing(user=student, record=record) for c in v.courses]

    more = more_from_courses(user=student, record=record, courses=courses)

    assert [r.title for r in more] == ["Companion reader"]
    # Not enrolled: the course list is not theirs to see.
    theirs = [
        c for v in lists_citing(user=other_student, record=record) for c in v.courses
    ]
    assert more_from_courses(user=other_student, record=record, courses=theirs) == []


@pytest.mark.django_db
def test_visible_lists_reads_facts_in_a_fixed_number_of_queries(
    cited: dict, student: User, django_assert_max_num_queries
) -> None:
    ids = [cited[k].pk for k in ("draft", "published", "elsewhere", "open")]

    with django_assert_max_num_queries(4):
        found = visible_lists(user=student, list_ids=ids)

    assert set(found) == {cited["published"].pk, cited["open"].pk}


@pytest.mark.django_db
def test_a_citation_in_a_hidden_section_hides_the_list_from_readers(
    cited: dict, student: User, instructor: User
) -> None:
    published = cited["published"]
    Section.objects.filter(reading_list=published).update(visible=False)

    names = [
        v.reading_list.name for v in lists_citing(user=student, record=cited["record"])
    ]
    mine = [
        v.reading_list.name
        for v in lists_citing(user=instructor, record=cited["record"])
    ]

    assert names == ["Open to all"]
    assert "Published" in mine

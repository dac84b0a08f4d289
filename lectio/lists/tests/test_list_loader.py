"""The reading-list loader: Leganto's bulk CSV of lists, sections and citations."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.models import InstitutionSettings, LoaderUnknown, Role, User
from lectio.core.factories import CourseFactory, UserFactory, add_citation
from lectio.core.loading import LoadOptions, LoadResult, run_file
from lectio.core.models import Event
from lectio.courses.models import Course
from lectio.lists import services
from lectio.lists.loader import citation_csl
from lectio.lists.models import Citation, Collaborator, ReadingList, Section, Tag
from lectio.lists.rendering import render_citation_html

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
COLUMNS = [
    "coursecode",
    "section_id",
    "reading_list_code",
    "reading_list_name",
    "reading_list_status",
    "visibility",
    "owner_user_name",
    "section_name",
    "section_start_date",
    "citation_secondary_type",
    "citation_status",
    "citation_tags",
    "citation_title",
    "citation_author",
    "citation_journal_title",
    "citation_publication_date",
    "citation_publisher",
    "citation_public_note",
    "external_system_id",
]


def csv_text(rows: list[dict[str, str]], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def run(rows: list[dict[str, str]] | str, **options) -> LoadResult:
    text = rows if isinstance(rows, str) else csv_text(rows)
    return run_file("lists", text.encode(), LoadOptions(**options))


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def row(**values: str) -> dict[str, str]:
    base = {
        "coursecode": "BIO101",
        "section_id": "01",
        "reading_list_code": "BIO-RL",
    }
    base.update(values)
    return base


@pytest.fixture
def bio(db: None) -> Course:
    return CourseFactory.create(code="BIO101", section="01", name="Biology")


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory.create(username="prof", primary_id="P100", role=Role.INSTRUCTOR)


@pytest.fixture
def essential(db: None) -> Tag:
    return Tag.objects.get_or_create(kind="public", name="Essential")[0]


def basic_rows() -> list[dict[str, str]]:
    return [
        row(
            reading_list_name="Biology readings",
            reading_list_status="BeingPrepared",
            visibility="RESTRICTED",
            owner_user_name="prof",
            section_name="Week 1",
            citation_secondary_type="BK",
            citation_tags="essential",
            citation_title="The selfish gene",
            citation_author="Dawkins, Richard",
            citation_publication_date="1976",
            citation_publisher="Oxford University Press",
            citation_public_note="Chapters 1-3.",
            external_system_id="X1",
        ),
        row(
            section_name="Week 1",
            citation_secondary_type="CR",
            citation_title="On the origin of species",
            citation_author="Darwin, Charles",
            citation_journal_title="Nature",
            citation_publication_date="1859",
            external_system_id="X2",
        ),
        row(section_name="Week 2"),
        row(
            section_name="",
            citation_secondary_type="WS",
            citation_status="Complete",
            citation_title="Tree of life web project",
            citation_author="",
        ),
    ]


def test_creates_list_sections_and_formatted_citations(bio, owner, essential):
    result = run(basic_rows())
    assert result.rejects == []
    assert result.applied
    counts = result.counts
    assert (counts["lists_created"], counts["sections_created"]) == (1, 3)
    assert (counts["citations_created"], counts["created"]) == (3, 4)
    reading_list = ReadingList.objects.get(code="BIO-RL")
    assert reading_list.name == "Biology readings"
    assert list(reading_list.courses.all()) == [bio]
    assert Collaborator.objects.get(reading_list=reading_list).user == owner
    assert [
        (s.name, s.position, s.is_default) for s in reading_list.sections.all()
    ] == [
        ("Week 1", 0, False),
        ("Week 2", 1, False),
        ("Resources", 2, True),
    ]
    gene = Citation.objects.get(external_id="X1")
    assert gene.material_type == "book"
    assert gene.secondary_type == "BK"
    assert gene.metadata["author"] == [{"family": "Dawkins", "given": "Richard"}]
    assert gene.metadata["issued"] == {"date-parts": [[1976]]}
    assert gene.public_note == "Chapters 1-3."
    assert list(gene.tags.all()) == [essential]
    assert gene.rendered_html == render_citation_html(gene.metadata, "apa")
    assert "<i>The selfish gene</i>" in gene.rendered_html
    origin = Citation.objects.get(external_id="X2")
    assert (origin.material_type, origin.metadata["container-title"]) == (
        "article",
        "Nature",
    )
    web = Citation.objects.get(title="Tree of life web project")
    assert (web.section.name, web.status, web.material_type) == (
        "Resources",
        "Complete",
        "website",
    )
    events = Event.objects.filter(list_id=reading_list.pk)
    assert list(events.values_list("verb", flat=True)) == ["list.create"]


def test_second_run_is_all_unchanged_with_no_writes(bio, owner, essential):
    run(basic_rows())
    with CaptureQueriesContext(connection) as ctx:
        result = run(basic_rows())
    assert result.rejects == []
    assert writes(ctx) == []
    assert not result.applied
    assert result.counts["unchanged"] == 4
    assert result.counts["created"] == result.counts["updated"] == 0
    assert result.counts["lists_unchanged"] == 1
    assert Citation.objects.count() == 3


def test_changed_values_update_the_citation_and_refresh_readers(bio, owner, essential):
    run(basic_rows())
    reading_list = ReadingList.objects.get(code="BIO-RL")
    before = reading_list.content_version
    rows = basic_rows()
    rows[0]["citation_title"] = "The extended phenotype"
    rows[0]["citation_tags"] = ""
    rows[3]["citation_author"] = "Maddison, David"  # no external id: a new citation
    result = run(rows)
    assert result.rejects == []
    assert (result.counts["citations_updated"], result.counts["citations_created"]) == (
        1,
        1,
    )
    gene = Citation.objects.get(external_id="X1")
    assert gene.title == "The extended phenotype"
    assert "<i>The extended phenotype</i>" in gene.rendered_html
    assert gene.version == 2
    assert list(gene.tags.all()) == []
    reading_list.refresh_from_db()
    assert reading_list.content_version == before + 1
    assert Event.objects.filter(list_id=reading_list.pk, verb="list.load").count() == 1


def test_rows_without_external_id_match_existing_citations(bio, owner):
    reading_list = services.reading_list_create(
        actor=owner, name="Old list", code="BIO-RL", course_ids=[bio.pk]
    )
    add_citation(reading_list, actor=owner, title="A Book")
    rows = [
        row(citation_title="A Book", citation_author="Hooks, Bell"),
        row(citation_title="A Book", citation_author="Hooks, Bell"),
    ]
    result = run(rows)
    # The first row is the citation there already; the second is a second copy.
    assert result.counts["citations_created"] == 1
    assert Citation.objects.filter(title="A Book").count() == 2
    again = run(rows)
    assert again.counts["citations_created"] == 0
    assert Citation.objects.filter(title="A Book").count() == 2


def test_a_row_without_list_code_goes_to_the_course_list(bio, owner):
    result = run(
        [
            row(
                reading_list_code="",
                citation_title="Cells",
                citation_author="Alberts, B",
            )
        ]
    )
    assert result.rejects == []
    reading_list = ReadingList.objects.get()
    # The course had no list: one coded after the course.
    assert reading_list.code == "BIO101-01"
    again = run(
        [
            row(
                reading_list_code="",
                citation_title="Cells",
                citation_author="Alberts, B",
            )
        ]
    )
    assert again.counts["unchanged"] == 1
    assert ReadingList.objects.count() == 1


def test_unknown_owner_becomes_a_pending_instructor(bio):
    result = run([row(owner_user_name="newprof")])
    assert result.rejects == []
    user = User.objects.get(primary_id="newprof")
    assert (user.pending, user.role) == (True, "instructor")
    assert Collaborator.objects.get().user == user


def test_every_bad_row_is_numbered_and_nothing_is_written(bio, owner, essential):
    settings_row = InstitutionSettings.current()
    settings_row.loader_unknown_users = LoaderUnknown.REJECT
    settings_row.save()
    rows = [
        row(
            reading_list_name="Biology", citation_title="Good", external_system_id="E1"
        ),
        row(coursecode="NOPE", citation_title="T"),  # 3
        row(citation_secondary_type="ZZ", citation_title="T"),  # 4
        row(citation_status="Lost", citation_title="T"),  # 5
        row(reading_list_status="Published"),  # 6
        row(citation_tags="Essential, Vital", citation_title="T"),  # 7
        row(visibility="SECRET"),  # 8
        row(owner_user_name="ghost"),  # 9
        row(section_start_date="1/9/2026"),  # 10
        row(citation_title="Again", external_system_id="E1"),  # 11
        row(reading_list_name="Chemistry"),  # 12
        row(coursecode="", section_id="", reading_list_code="", section_name="W"),  # 13
        row(citation_author="Nobody, A"),  # 14
    ]
    result = run(rows)
    reasons = {r.line: r.reason for r in result.rejects}
    assert reasons == {
        3: "no course NOPE section 01",
        4: "unknown citation_secondary_type 'ZZ'; one of BK, BK_C, CR, JR, WS, VD, "
        "AR, DO, CASE, LEGAL_DOCUMENT, LEGISLATION, OTHER, E_BK, E_CR",
        5: "unknown citation_status 'Lost'; one of BeingPrepared, "
        "ReadyForProcessing, InProcess, Complete, Declined, Inactive",
        6: "unknown reading_list_status 'Published'; one of BeingPrepared, "
        "ReadyForProcessing, BeingProcessed, Complete, Inactive, RolledOver",
        7: "unknown citation_tags Vital; the public tags are essential, "
        "optional, recommended",
        8: "unknown visibility 'SECRET'; one of RESTRICTED, COURSE, "
        "COURSE_STUDENTS, INSTITUTION, ALL_STUDENTS, LOGGED_IN, FULL, OPEN, "
        "PUBLIC, ANYONE, OPEN_RESTRICTED, ANYONE_RESTRICTED",
        9: "owner_user_name: no user ghost (the institution's setting rejects "
        "unknown people; load them with the user file)",
        10: "section_start_date: '1/9/2026' is not a date in the format %Y-%m-%d "
        "(for example 2026-09-01)",
        11: "external_system_id E1 appears already on line 2 for list BIO-RL",
        12: "list name differs from line 2",
        13: "the row needs reading_list_code or coursecode",
        14: "the citation has no citation_title",
    }
    assert str(result.rejects[0]).startswith("line 3 (BIO-RL): ")
    assert not result.applied
    assert not ReadingList.objects.exists()
    assert not Citation.objects.exists()


def test_valid_only_writes_the_good_rows(bio, owner):
    result = run(
        [
            row(citation_title="Good", external_system_id="E1"),
            row(citation_title="Bad", citation_secondary_type="ZZ"),
        ],
        mode="valid_only",
    )
    assert [r.line for r in result.rejects] == [3]
    assert result.applied
    assert list(Citation.objects.values_list("title", flat=True)) == ["Good"]


def test_dry_run_writes_nothing(bio, owner):
    InstitutionSettings.current()
    with CaptureQueriesContext(connection) as ctx:
        result = run(basic_rows()[1:2], dry_run=True)
    assert result.counts["citations_created"] == 1
    assert not result.applied
    assert writes(ctx) == []
    assert not ReadingList.objects.exists()


def test_dates_follow_the_institution_format(bio):
    settings_row = InstitutionSettings.current()
    settings_row.loader_date_format = "%d/%m/%Y"
    settings_row.save()
    result = run([row(section_name="Week 1", section_start_date="01/09/2026")])
    assert result.rejects == []
    assert str(Section.objects.get(name="Week 1").start_date) == "2026-09-01"


def test_file_shapes(bio):
    text = csv_text([row(citation_title="Cells")])
    crlf = "\ufeff" + text.replace("\n", "\r\n")
    assert run(crlf).rejects == []
    semicolons = text.replace(",", ";")
    assert "semicolon-separated" in run(semicolons).rejects[0].reason
    unknown = run("coursecode,colour\nBIO101,red\n")
    assert [str(r) for r in unknown.rejects] == ["line 1: unknown column colour"]
    neither = run("citation_title\nCells\n")
    assert [str(r) for r in neither.rejects] == [
        "line 1: the header needs the column coursecode or reading_list_code"
    ]


def test_chapter_record_puts_the_book_in_the_container():
    csl = citation_csl(
        {
            "citation_title": "The elements of statistical learning",
            "citation_chapter_title": "Model assessment",
            "citation_author": "Hastie, Trevor",
            "citation_chapter_author": "Tibshirani, Robert",
            "citation_start_page": "219",
            "citation_end_page": "259",
        },
        "book_chapter",
    )
    assert csl["title"] == "Model assessment"
    assert csl["container-title"] == "The elements of statistical learning"
    assert csl["author"] == [{"family": "Tibshirani", "given": "Robert"}]
    assert csl["container-author"] == [{"family": "Hastie", "given": "Trevor"}]
    assert csl["page"] == "219-259"


def test_command_exit_codes(bio, tmp_path: Path, capsys):
    good = tmp_path / "lists.csv"
    good.write_text(csv_text([row(citation_title="Cells")]))
    call_command("load_lists", str(good))
    assert "created 1" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([row(coursecode="NOPE")]))
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_lists", str(bad))
    assert exit_info.value.code == 1


def test_the_example_files_load_on_the_demo(capsys):
    from lectio.core.demo import load_demo

    load_demo(stdout=io.StringIO())
    for kind in ("users", "enrolments", "lists"):
        data = (EXAMPLES / f"{kind}.csv").read_bytes()
        result = run_file(kind, data, LoadOptions())
        assert result.rejects == [], kind
        assert result.applied, kind
    for kind in ("users", "enrolments", "lists"):
        data = (EXAMPLES / f"{kind}.csv").read_bytes()
        with CaptureQueriesContext(connection) as ctx:
            result = run_file(kind, data, LoadOptions())
        assert result.rejects == [], kind
        assert writes(ctx) == [], kind
        assert result.counts["created"] == result.counts["updated"] == 0, kind


def test_many_records_are_formatted_in_worker_processes(bio, settings, monkeypatch):
    from lectio.lists import loader

    monkeypatch.setattr(loader, "PARALLEL_FROM", 2)
    settings.LECTIO_RENDER_PROCESSES = 2
    rows = [
        row(citation_title=f"Volume {n}", external_system_id=f"V{n}") for n in range(3)
    ]
    result = run(rows)
    assert result.rejects == []
    for citation in Citation.objects.all():
        assert citation.rendered_html == render_citation_html(citation.metadata, "apa")
        assert citation.rendered_style == "apa"

"""The course loader (Alma's course-loader file) and `lectio load-courses`.

The institution below has departments HIST and LIB (a library), terms AUT26 and
SPR27, campuses CITY and RIVER, and instructors Ines (I100) and Ivo (I200) known by
their primary ids; a student S300.
"""

from __future__ import annotations

import datetime
import importlib.util
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.models import InstitutionSettings, LoaderUnknown, Role, User
from lectio.core import bulksql
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    TermFactory,
    UserFactory,
    enrol,
)
from lectio.core.loading import LoadOptions, LoadResult, run_file
from lectio.core.models import Event
from lectio.courses.loader import COLUMNS, load
from lectio.courses.models import (
    Campus,
    Course,
    CourseCampus,
    CourseRole,
    CourseStatus,
    Department,
    Enrolment,
    Term,
)
from lectio.lists.models import ReadingList

pytestmark = pytest.mark.django_db

HAS_ROLLOVER = importlib.util.find_spec("lectio.lists.rollover") is not None


# --- building files ----------------------------------------------------------------


def row(**cells: str) -> dict[str, str]:
    """A line of the file by column name; a sensible course unless told otherwise."""
    base = {
        "COURSE_CODE": "HIST101",
        "COURSE_TITLE": "Modern History",
        "SECTION_ID": "01",
        "ACAD_DEPT": "HIST",
        "PROC_DEPT": "LIB",
        "TERM1": "AUT26",
        "START_DATE": "2026-09-28",
        "END_DATE": "2026-12-11",
        "NUM_OF_PARTICIPANTS": "120",
        "WEEKLY_HOURS": "3",
        "YEAR": "2026",
        "INSTR1": "I100",
    }
    unknown = set(cells) - set(COLUMNS)
    assert not unknown, f"no such column: {unknown}"
    base.update(cells)
    return base


def course_file(
    *rows: dict[str, str],
    eol: str = "\n",
    delimiter: str = "\t",
    header: bool = True,
    bom: bool = False,
) -> bytes:
    lines = [delimiter.join(COLUMNS)] if header else []
    lines += [delimiter.join(r.get(c, "") for c in COLUMNS) for r in rows]
    text = eol.join(lines) + eol
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def run(data: bytes, **options: Any) -> LoadResult:
    return run_file("courses", data, LoadOptions(**options))


def rejects(result: LoadResult) -> list[tuple[int, str]]:
    return [(r.line, r.reason) for r in result.rejects]


def counts(result: LoadResult) -> dict[str, int]:
    return {k: v for k, v in result.counts_dict().items() if v}


def snapshot() -> dict[str, Any]:
    """Everything the loader may write, to show that nothing was."""
    return {
        "courses": list(
            Course.objects.values_list("code", "section", "name", "updated_at")
        ),
        "terms": list(Term.objects.values_list("code")),
        "departments": list(Department.objects.values_list("code")),
        "campuses": list(Campus.objects.values_list("code")),
        "users": list(User.objects.values_list("username", "pending")),
        "enrolments": list(
            Enrolment.objects.values_list("course_id", "user_id", "role")
        ),
        "links": list(Course.terms.through.objects.values_list("course_id", "term_id")),
        "course_campuses": list(
            CourseCampus.objects.values_list("course_id", "participants")
        ),
        "lists": list(ReadingList.objects.values_list("code")),
        "events": Event.objects.count(),
    }


@pytest.fixture
def institution(db: None) -> dict[str, Any]:
    DepartmentFactory.create(code="HIST", name="History")
    DepartmentFactory.create(code="LIB", name="Main Library")
    TermFactory.create(code="AUT26", name="Autumn 2026")
    TermFactory.create(
        code="SPR27",
        name="Spring 2027",
        start_date=datetime.date(2027, 1, 11),
        end_date=datetime.date(2027, 3, 26),
    )
    Campus.objects.create(code="CITY", name="City Campus")
    Campus.objects.create(code="RIVER", name="Riverside")
    return {
        "ines": UserFactory.create(
            username="ines", primary_id="I100", role=Role.INSTRUCTOR
        ),
        "ivo": UserFactory.create(
            username="ivo", primary_id="I200", role=Role.INSTRUCTOR
        ),
        "sam": UserFactory.create(username="sam", primary_id="S300"),
    }


def policy(**fields: str) -> None:
    settings_row = InstitutionSettings.current()
    for name, value in fields.items():
        setattr(settings_row, name, value)
    settings_row.save()
    InstitutionSettings.forget_cached()


def instructors(course: Course) -> set[str]:
    return {
        pid or ""
        for pid in Enrolment.objects.filter(
            course=course, role=CourseRole.INSTRUCTOR
        ).values_list("user__primary_id", flat=True)
    }


# --- creating -----------------------------------------------------------------------


def test_a_new_course_is_created_with_every_column(institution: dict[str, Any]) -> None:
    result = run(
        course_file(
            row(
                TERM1="AUT26,SPR27",
                SEARCH_ID1="H101",
                SEARCH_ID2="HIST-101",
                MULTI_SEARCH_ID="X1, X2,H101",
                INSTR2="I200",
                ALL_INSTRUCTORS="I100,I200",
                SUBMIT_LISTS_BY="2026-08-15",
                CAMPUS_AND_PARTICIPANTS="CITY|80,RIVER|40",
                READING_LIST_NAME="Modern History reading",
            )
        )
    )

    assert rejects(result) == []
    assert counts(result) == {"created": 1, "lists_created": 1}
    assert result.applied is True
    course = Course.objects.get(code="HIST101", section="01")
    assert course.name == "Modern History"
    assert course.academic_department.code == "HIST"  # type: ignore[union-attr]
    assert course.processing_department.code == "LIB"  # type: ignore[union-attr]
    assert sorted(t.code for t in course.terms.all()) == ["AUT26", "SPR27"]
    assert course.start_date == datetime.date(2026, 9, 28)
    assert course.end_date == datetime.date(2026, 12, 11)
    assert (course.participants, course.weekly_hours, course.year) == (120, 3, 2026)
    assert course.searchable_ids == ["H101", "HIST-101", "X1", "X2"]
    assert course.submit_lists_by == datetime.date(2026, 8, 15)
    assert course.reading_list_name == "Modern History reading"
    assert instructors(course) == {"I100", "I200"}
    assert sorted(
        CourseCampus.objects.filter(course=course).values_list(
            "campus__code", "participants"
        )
    ) == [("CITY", 80), ("RIVER", 40)]
    reading_list = ReadingList.objects.get(courses=course)
    assert reading_list.name == "Modern History reading"
    assert reading_list.created_by == institution["ines"]


def test_new_courses_take_ids_in_file_order_that_later_courses_never_reuse(
    institution: dict[str, Any],
) -> None:
    """The loader takes the new courses' ids from the table's sequence itself."""
    before = CourseFactory.create(code="OLD1")
    Course.objects.filter(pk=before.pk).delete()

    result = run(
        course_file(
            row(COURSE_CODE="B2", SEARCH_ID1='say "hi"'),
            row(COURSE_CODE="A1", TERM1="", INSTR1="", CAMPUS_AND_PARTICIPANTS=""),
            row(COURSE_CODE="C3", CAMPUS_AND_PARTICIPANTS="CITY|5"),
        )
    )
    after = CourseFactory.create(code="NEW1")

    assert rejects(result) == []
    ids = dict(Course.objects.values_list("code", "id"))
    assert before.pk < ids["B2"] < ids["A1"] < ids["C3"] < after.pk
    assert Course.objects.get(code="B2").searchable_ids == ['say "hi"']
    assert list(
        Course.terms.through.objects.order_by("course_id").values_list(
            "course_id", flat=True
        )
    ) == [ids["B2"], ids["C3"]]
    assert list(
        Enrolment.objects.order_by("course_id").values_list("course_id", "role")
    ) == [(ids["B2"], "instructor"), (ids["C3"], "instructor")]
    assert list(CourseCampus.objects.values_list("course_id", "participants")) == [
        (ids["C3"], 5)
    ]
    assert (
        run(
            course_file(
                row(COURSE_CODE="B2", SEARCH_ID1='say "hi"'),
                row(COURSE_CODE="A1", TERM1="", INSTR1="", CAMPUS_AND_PARTICIPANTS=""),
                row(COURSE_CODE="C3", CAMPUS_AND_PARTICIPANTS="CITY|5"),
            )
        ).counts_dict()["unchanged"]
        == 3
    )


def test_courses_are_inserted_many_to_a_statement(
    institution: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulksql, "MULTI_ROWS", 2)
    lines = [
        row(
            COURSE_CODE=f"M{n}",
            COURSE_TITLE=f"50% of {n}'s",
            ALL_INSTRUCTORS="I100,I200",
            CAMPUS_AND_PARTICIPANTS=f"CITY|{n}",
        )
        for n in range(5)
    ]

    result = run(course_file(*lines))

    assert rejects(result) == []
    assert counts(result) == {"created": 5}
    courses = Course.objects.filter(code__startswith="M").order_by("code")
    assert [c.name for c in courses] == [f"50% of {n}'s" for n in range(5)]
    assert Enrolment.objects.filter(course__in=courses).count() == 10
    assert Course.terms.through.objects.filter(course__in=courses).count() == 5
    assert sorted(
        CourseCampus.objects.filter(course__in=courses).values_list(
            "participants", flat=True
        )
    ) == [0, 1, 2, 3, 4]
    assert {c.status for c in courses} == {CourseStatus.ACTIVE}
    assert run(course_file(*lines)).counts_dict()["unchanged"] == 5


def test_one_audit_event_per_file(institution: dict[str, Any]) -> None:
    before = Event.objects.filter(verb="courses_loaded").count()

    run(
        course_file(row(), row(SECTION_ID="02"), row(COURSE_CODE="HIST102")),
        file_name="autumn.tsv",
    )

    events = Event.objects.filter(verb="courses_loaded")
    assert events.count() == before + 1
    event = events.latest("id")
    assert "autumn.tsv" in event.summary
    assert "created 3" in event.summary
    assert event.params["counts"]["created"] == 3


# --- idempotence and updates --------------------------------------------------------


def test_the_same_file_again_changes_nothing_and_writes_nothing(
    institution: dict[str, Any],
) -> None:
    data = course_file(
        row(
            TERM1="AUT26",
            TERM2="SPR27",
            INSTR2="I200",
            MULTI_SEARCH_ID="A,B",
            CAMPUS_AND_PARTICIPANTS="CITY|80,RIVER|40",
            SUBMIT_LISTS_BY="2026-08-15",
            READING_LIST_NAME="Reading",
        ),
        row(COURSE_CODE="HIST200", ACAD_DEPT="", YEAR="", NUM_OF_PARTICIPANTS=""),
        row(COURSE_CODE="HIST300", OPERATION="ROLLOVER", OLD_COURSE_CODE="HIST101",
            OLD_COURSE_SECTION="01"),
    )  # fmt: skip
    if not HAS_ROLLOVER:
        data = course_file(*[r for r in _rows_of(data) if r["OPERATION"] != "ROLLOVER"])
    first = run(data)
    assert first.rejects == []
    before = snapshot()

    with CaptureQueriesContext(connection) as queries:
        second = run(data)

    assert counts(second) == {"unchanged": len(_rows_of(data))}
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "COPY"))
    ]
    assert writes == []
    assert snapshot() == before


def _rows_of(data: bytes) -> list[dict[str, str]]:
    lines = data.decode().splitlines()[1:]
    return [dict(zip(COLUMNS, line.split("\t"), strict=True)) for line in lines]


def test_changed_values_update_the_course(institution: dict[str, Any]) -> None:
    run(course_file(row(CAMPUS_AND_PARTICIPANTS="CITY|80,RIVER|40")))
    course = Course.objects.get(code="HIST101")
    stamp = course.updated_at

    result = run(
        course_file(
            row(
                COURSE_TITLE="Modern History II",
                TERM1="SPR27",
                NUM_OF_PARTICIPANTS="99",
                END_DATE="2026-12-18",
                CAMPUS_AND_PARTICIPANTS="CITY|99",
                SEARCH_ID1="NEW",
            ),
            row(COURSE_CODE="HIST102"),
        )
    )

    assert counts(result) == {"updated": 1, "created": 1}
    course.refresh_from_db()
    assert course.name == "Modern History II"
    assert course.participants == 99
    assert course.end_date == datetime.date(2026, 12, 18)
    assert course.searchable_ids == ["NEW"]
    assert [t.code for t in course.terms.all()] == ["SPR27"]
    assert list(
        CourseCampus.objects.filter(course=course).values_list(
            "campus__code", "participants"
        )
    ) == [("CITY", 99)]
    assert course.updated_at > stamp


def test_the_instructor_set_is_replaced_and_students_are_untouched(
    institution: dict[str, Any],
) -> None:
    run(course_file(row(INSTR1="I100", INSTR2="I200")))
    course = Course.objects.get(code="HIST101")
    enrol(institution["sam"], course, CourseRole.STUDENT)
    newcomer = UserFactory.create(username="nia", primary_id="N400")
    enrol(newcomer, course, CourseRole.TEACHING_ASSISTANT)

    result = run(course_file(row(INSTR1="I200", ALL_INSTRUCTORS="N400")))

    assert counts(result) == {"updated": 1}
    assert instructors(course) == {"I200", "N400"}
    assert Enrolment.objects.get(course=course, user=institution["sam"]).role == (
        CourseRole.STUDENT
    )
    assert not Enrolment.objects.filter(
        course=course, user=institution["ines"]
    ).exists()


# --- DELETE and ROLLOVER -------------------------------------------------------------


def test_delete_removes_the_course_and_keeps_its_lists(
    institution: dict[str, Any],
) -> None:
    run(course_file(row(READING_LIST_NAME="Kept")))
    reading_list = ReadingList.objects.get(name="Kept")

    result = run(course_file(row(OPERATION="DELETE", COURSE_TITLE="", PROC_DEPT="")))

    assert counts(result) == {"deleted": 1}
    assert not Course.objects.filter(code="HIST101").exists()
    reading_list.refresh_from_db()
    assert list(reading_list.courses.all()) == []


def test_delete_of_an_unknown_course_is_a_reject(institution: dict[str, Any]) -> None:
    before = snapshot()

    result = run(course_file(row(OPERATION="delete", COURSE_CODE="NOPE")))

    assert rejects(result) == [(2, "DELETE of a course that does not exist")]
    assert snapshot() == before


def test_rollover_from_a_course_that_does_not_exist_is_a_reject(
    institution: dict[str, Any],
) -> None:
    result = run(
        course_file(
            row(OPERATION="ROLLOVER", OLD_COURSE_CODE="GONE", OLD_COURSE_SECTION="01"),
            row(
                COURSE_CODE="HIST102",
                OPERATION="ROLLOVER",
                OLD_COURSE_CODE="LATER",
                OLD_COURSE_SECTION="01",
            ),
            row(COURSE_CODE="LATER"),
            row(COURSE_CODE="HIST103", OPERATION="ROLLOVER"),
        )
    )

    assert rejects(result) == [
        (
            2,
            "ROLLOVER from GONE-01, a course that exists neither in Lectio nor "
            "earlier in the file",
        ),
        (
            3,
            "ROLLOVER from LATER-01, a course that exists neither in Lectio nor "
            "earlier in the file",
        ),
        (5, "a ROLLOVER needs OLD_COURSE_CODE"),
    ]
    assert not Course.objects.exists()


@pytest.mark.skipif(not HAS_ROLLOVER, reason="lectio.lists.rollover not written yet")
def test_rollover_copies_the_old_courses_lists_once(
    institution: dict[str, Any],
) -> None:
    run(course_file(row(SECTION_ID="OLD", READING_LIST_NAME="Last year")))
    old = Course.objects.get(code="HIST101", section="OLD")
    data = course_file(
        row(
            TERM1="SPR27",
            OPERATION="ROLLOVER",
            OLD_COURSE_CODE="HIST101",
            OLD_COURSE_SECTION="OLD",
        ),
        # Rolled from a course made earlier in the same file (no lists yet).
        row(COURSE_CODE="HIST900", SECTION_ID="A"),
        row(
            COURSE_CODE="HIST900",
            SECTION_ID="B",
            OPERATION="ROLLOVER",
            OLD_COURSE_CODE="HIST900",
            OLD_COURSE_SECTION="A",
        ),
    )

    first = run(data)
    second = run(data)

    assert rejects(first) == []
    assert counts(first) == {"created": 3, "rolled_over": 1}
    new = Course.objects.get(code="HIST101", section="01")
    assert new.rolled_from == old
    assert Course.objects.get(code="HIST900", section="B").rolled_from == (
        Course.objects.get(code="HIST900", section="A")
    )
    assert [rl.name for rl in ReadingList.objects.filter(courses=new)] == ["Last year"]
    assert counts(second) == {"unchanged": 3}
    assert ReadingList.objects.filter(courses=new).count() == 1


@pytest.mark.skipif(not HAS_ROLLOVER, reason="lectio.lists.rollover not written yet")
def test_rollover_dry_run_counts_and_writes_nothing(
    institution: dict[str, Any],
) -> None:
    run(course_file(row(SECTION_ID="OLD", READING_LIST_NAME="Last year")))
    before = snapshot()

    result = run(
        course_file(
            row(
                OPERATION="ROLLOVER",
                OLD_COURSE_CODE="HIST101",
                OLD_COURSE_SECTION="OLD",
            )
        ),
        dry_run=True,
    )

    assert counts(result) == {"created": 1, "rolled_over": 1}
    assert result.applied is False
    assert snapshot() == before


# --- bad input ----------------------------------------------------------------------


def test_every_bad_row_is_a_numbered_reject_and_nothing_is_written(
    institution: dict[str, Any],
) -> None:
    policy(
        loader_unknown_codes=LoaderUnknown.REJECT,
        loader_unknown_users=LoaderUnknown.REJECT,
    )
    good = row(COURSE_CODE="GOOD")
    short = "\t".join(["SHORT", "Too few"] * 3)
    data = (
        course_file(
            good,
            row(COURSE_CODE="GOOD"),
            row(COURSE_CODE="D1", ACAD_DEPT="NOPE"),
            row(COURSE_CODE="D2", PROC_DEPT=""),
            row(COURSE_CODE="D3", START_DATE="28/09/2026"),
            row(COURSE_CODE="D4", NUM_OF_PARTICIPANTS="many", YEAR="20x6"),
            row(COURSE_CODE="D5", OPERATION="MERGE"),
            row(COURSE_CODE="D6", INSTR1="X999"),
            row(COURSE_CODE="D7", TERM2="WIN26", CAMPUS_AND_PARTICIPANTS="MOON|3"),
            row(COURSE_CODE="D8", WEEKLY_HOURS="-2"),
            row(COURSE_CODE="D9", START_DATE="2026-12-01", END_DATE="2026-09-01"),
            row(COURSE_CODE="D10", CAMPUS_AND_PARTICIPANTS="CITY|lots"),
        )
        + (short + "\n").encode()
    )
    before = snapshot()

    result = run(data)

    assert rejects(result) == [
        (3, "duplicate of line 2"),
        (4, "unknown academic department 'NOPE'"),
        (5, "PROC_DEPT (the processing department) is empty"),
        (
            6,
            "START_DATE '28/09/2026' is not a date in the format %Y-%m-%d "
            "(for example 2026-09-01)",
        ),
        (
            7,
            "NUM_OF_PARTICIPANTS 'many' is not a whole number; "
            "YEAR '20x6' is not a whole number",
        ),
        (8, "unknown OPERATION 'MERGE' (leave it empty, or DELETE or ROLLOVER)"),
        (9, "unknown instructor 'X999'"),
        (10, "unknown term 'WIN26'; unknown campus 'MOON'"),
        (11, "WEEKLY_HOURS -2 is negative"),
        (12, "END_DATE is before START_DATE"),
        (13, "participants of campus CITY 'lots' is not a whole number"),
        (14, "the line has 6 columns; a course-loader line has 34"),
    ]
    assert result.applied is False
    assert "nothing was changed" in result.summary()
    assert snapshot() == before


def test_valid_only_applies_the_good_rows(institution: dict[str, Any]) -> None:
    policy(loader_unknown_users=LoaderUnknown.REJECT)

    result = run(
        course_file(
            row(COURSE_CODE="A1"),
            row(COURSE_CODE="B1", YEAR="next"),
            row(COURSE_CODE="C1"),
            # Rejected for its instructor: its new department is not made either.
            row(COURSE_CODE="D1", ACAD_DEPT="PHIL", INSTR1="X9"),
        ),
        mode="valid_only",
    )

    assert rejects(result) == [
        (3, "YEAR 'next' is not a whole number"),
        (5, "unknown instructor 'X9'"),
    ]
    assert counts(result) == {"created": 2, "rejected": 2}
    assert result.applied is True
    assert sorted(Course.objects.values_list("code", flat=True)) == ["A1", "C1"]
    assert not Department.objects.filter(code="PHIL").exists()


def test_a_comma_separated_file_is_refused(institution: dict[str, Any]) -> None:
    result = run(course_file(row(), delimiter=","))

    assert [r.line for r in result.rejects] == [1]
    assert "comma-separated" in result.rejects[0].reason
    assert not Course.objects.exists()


def test_a_file_without_its_header_is_refused(institution: dict[str, Any]) -> None:
    result = run(course_file(row(), row(COURSE_CODE="B"), header=False))

    assert rejects(result) == [
        (
            1,
            "column 1 of the header is 'HIST101', expected COURSE_CODE (the first "
            "line must be the header, columns in Alma's order)",
        )
    ]
    assert not Course.objects.exists()


def test_a_header_in_another_case_with_alma_s_older_column_name_is_accepted(
    institution: dict[str, Any],
) -> None:
    header = "\t".join(c.lower() for c in COLUMNS).replace(
        "all_instructors", "MULTI_INST"
    )
    body = course_file(row()).split(b"\n", 1)[1]

    result = run(header.encode() + b"\n" + body)

    assert counts(result) == {"created": 1}


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("bom", [False, True])
def test_bom_and_line_ends_are_accepted(
    institution: dict[str, Any], eol: str, bom: bool
) -> None:
    data = course_file(row(), row(COURSE_CODE="HIST102"), eol=eol, bom=bom)

    result = run(data)

    assert rejects(result) == []
    assert counts(result) == {"created": 2}
    assert sorted(Course.objects.values_list("code", "section", "name")) == [
        ("HIST101", "01", "Modern History"),
        ("HIST102", "01", "Modern History"),
    ]
    assert counts(run(data)) == {"unchanged": 2}


def test_a_utf16_file_is_refused(institution: dict[str, Any]) -> None:
    data = course_file(row()).decode().encode("utf-16")

    result = run(data)

    assert rejects(result) == [(0, "the file is UTF-16; save it as UTF-8")]


def test_a_quoted_cell_from_a_spreadsheet_is_unquoted(
    institution: dict[str, Any],
) -> None:
    result = run(
        course_file(
            row(COURSE_TITLE='"Reading ""Ulysses"""'),
            row(COURSE_CODE="B", COURSE_TITLE='"Hamlet" revisited'),
        )
    )

    assert counts(result) == {"created": 2}
    assert Course.objects.get(code="HIST101").name == 'Reading "Ulysses"'
    assert Course.objects.get(code="B").name == '"Hamlet" revisited'


def test_a_file_over_the_size_limit_is_refused(
    institution: dict[str, Any], settings: Any
) -> None:
    settings.LECTIO_LOADER_MAX_BYTES = 1_048_576
    data = course_file(*[row(COURSE_CODE=f"C{i}") for i in range(12_000)])
    assert len(data) > settings.LECTIO_LOADER_MAX_BYTES

    result = run(data)

    assert [r.line for r in result.rejects] == [0]
    assert "files up to 1 MB are accepted" in result.rejects[0].reason
    assert not Course.objects.exists()


# --- institution policy -------------------------------------------------------------


def test_unknown_codes_are_created_by_default(institution: dict[str, Any]) -> None:
    result = run(
        course_file(
            row(
                ACAD_DEPT="PHIL",
                PROC_DEPT="LIB-NEW",
                TERM1="SUM27",
                CAMPUS_AND_PARTICIPANTS="NORTH|5",
            )
        )
    )

    assert counts(result) == {
        "created": 1,
        "new_departments": 2,
        "new_terms": 1,
        "new_campuses": 1,
    }
    assert Department.objects.get(code="PHIL").name == "PHIL"
    assert Term.objects.get(code="SUM27").name == "SUM27"
    assert Campus.objects.get(code="NORTH").name == "NORTH"


def test_unknown_instructors_become_pending_users(institution: dict[str, Any]) -> None:
    result = run(course_file(row(INSTR1="NEW1", ALL_INSTRUCTORS="NEW2,I100")))

    assert counts(result) == {"created": 1, "pending_users": 2}
    for pid in ("NEW1", "NEW2"):
        user = User.objects.get(primary_id=pid)
        assert (user.username, user.role, user.pending) == (pid, Role.INSTRUCTOR, True)
        assert not user.has_usable_password()
    assert instructors(Course.objects.get()) == {"NEW1", "NEW2", "I100"}


def test_unknown_instructors_are_rejected_when_the_institution_says_so(
    institution: dict[str, Any],
) -> None:
    policy(loader_unknown_users=LoaderUnknown.REJECT)

    result = run(
        course_file(row(INSTR1="NEW1"), row(COURSE_CODE="OK")), mode="valid_only"
    )

    assert rejects(result) == [(2, "unknown instructor 'NEW1'")]
    assert not User.objects.filter(primary_id="NEW1").exists()
    assert list(Course.objects.values_list("code", flat=True)) == ["OK"]


def test_dates_in_the_institution_s_format_or_the_option_s(
    institution: dict[str, Any],
) -> None:
    policy(loader_date_format="%d/%m/%Y")
    data = course_file(row(START_DATE="28/09/2026", END_DATE="11/12/2026"))

    assert counts(run(data)) == {"created": 1}
    assert Course.objects.get().start_date == datetime.date(2026, 9, 28)
    result = run(data, date_format="%Y-%m-%d")
    assert [r.line for r in result.rejects] == [2]


def test_dry_run_counts_and_changes_nothing(institution: dict[str, Any]) -> None:
    CourseFactory.create(code="OLD1", section="01")
    before = snapshot()

    result = run(
        course_file(
            row(INSTR1="NEW1", ACAD_DEPT="PHIL"),
            row(COURSE_CODE="OLD1", OPERATION="DELETE"),
        ),
        dry_run=True,
    )

    assert counts(result) == {
        "created": 1,
        "deleted": 1,
        "pending_users": 1,
        "new_departments": 1,
    }
    assert result.applied is False
    assert snapshot() == before


# --- the command --------------------------------------------------------------------


def test_command_prints_counts_and_exits_zero(
    institution: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "courses.tsv"
    path.write_bytes(course_file(row(), row(COURSE_CODE="B")))

    call_command("load_courses", str(path))

    out = capsys.readouterr().out
    assert out.strip() == (
        "created 2, updated 0, unchanged 0, deleted 0, rolled over 0, rejected 0"
    )
    assert not (tmp_path / "courses.tsv.rejects.txt").exists()


def test_command_writes_a_reject_report_and_exits_one(
    institution: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "courses.tsv"
    path.write_bytes(course_file(row(), row(COURSE_CODE="B", YEAR="soon")))

    with pytest.raises(SystemExit) as exit_info:
        call_command("load_courses", str(path))

    assert exit_info.value.code == 1
    captured = capsys.readouterr()
    assert captured.out.strip() == (
        "created 0, updated 0, unchanged 0, deleted 0, rolled over 0, rejected 1 "
        "(nothing was changed)"
    )
    report = (tmp_path / "courses.tsv.rejects.txt").read_text()
    assert report == "line 3 (B-01): YEAR 'soon' is not a whole number\n"
    assert "line 3 (B-01)" in captured.err
    assert not Course.objects.exists()


def test_command_valid_only_and_dry_run(
    institution: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "courses.tsv"
    path.write_bytes(course_file(row(), row(COURSE_CODE="B", YEAR="soon")))
    report = tmp_path / "out"

    with pytest.raises(SystemExit):
        call_command("load_courses", str(path), "--dry-run", "--valid-only")
    assert not Course.objects.exists()
    with pytest.raises(SystemExit):
        call_command("load_courses", str(path), "--valid-only", "--report", str(report))

    assert list(Course.objects.values_list("code", flat=True)) == ["HIST101"]
    assert report.read_text().startswith("line 3 (B-01)")
    assert "created 1" in capsys.readouterr().out


def test_command_refuses_a_file_over_the_limit_before_reading_it(
    institution: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    settings.LECTIO_LOADER_MAX_BYTES = 1_048_576
    path = tmp_path / "big.tsv"
    with path.open("wb") as handle:
        handle.write(course_file(row()))
        handle.truncate(100 * 1_048_576)  # a sparse 100 MB file

    with pytest.raises(SystemExit) as exit_info:
        call_command("load_courses", str(path))

    assert exit_info.value.code == 1
    assert "the file is 100 MB" in (tmp_path / "big.tsv.rejects.txt").read_text()


def test_load_is_the_registered_courses_loader() -> None:
    from lectio.core.loading import loader

    assert loader("courses") is load

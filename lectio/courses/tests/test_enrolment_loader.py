"""The enrolment loader: people on courses from a CSV file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.models import InstitutionSettings, LoaderUnknown, User
from lectio.core.factories import CourseFactory, UserFactory, enrol
from lectio.core.loading import LoadOptions, LoadResult, run_file
from lectio.core.models import Event
from lectio.courses.models import Course, CourseRole, Enrolment

pytestmark = pytest.mark.django_db

HEADER = "primary_id,course_code,section,role,operation\n"


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def run(text: str, **options) -> LoadResult:
    return run_file("enrolments", text.encode(), LoadOptions(**options))


@pytest.fixture
def courses() -> tuple[Course, Course]:
    return (
        CourseFactory.create(code="BIO101", section="01"),
        CourseFactory.create(code="LAW200", section=""),
    )


@pytest.fixture
def people() -> tuple[User, User]:
    return (
        UserFactory.create(username="ada", primary_id="P1"),
        UserFactory.create(username="bob", primary_id="P2"),
    )


def roles() -> set[tuple[str, str, str]]:
    return set(
        Enrolment.objects.values_list("user__primary_id", "course__code", "role")
    )


def test_adds_enrolments_and_a_second_run_writes_nothing(courses, people):
    text = HEADER + "P1,BIO101,01,student,\nP2,BIO101,01,TA,\nP1,LAW200,,instructor,\n"
    result = run(text)
    assert result.rejects == []
    assert result.counts["created"] == 3
    assert roles() == {
        ("P1", "BIO101", "student"),
        ("P2", "BIO101", "ta"),
        ("P1", "LAW200", "instructor"),
    }
    assert Event.objects.filter(verb="enrolment.add").count() == 3
    with CaptureQueriesContext(connection) as ctx:
        again = run(text)
    assert again.counts["unchanged"] == 3
    assert again.counts["created"] == 0
    assert writes(ctx) == []


def test_role_changes_and_delete(courses, people):
    bio, law = courses
    enrol(people[0], bio, CourseRole.STUDENT)
    enrol(people[1], law, CourseRole.STUDENT)
    result = run(
        HEADER + "P1,BIO101,01,instructor,\nP2,LAW200,,,delete\nP2,BIO101,01,,DELETE\n"
    )
    assert result.rejects == []
    assert (
        result.counts["updated"],
        result.counts["deleted"],
        result.counts["unchanged"],
    ) == (1, 1, 1)
    assert roles() == {("P1", "BIO101", "instructor")}


def test_unknown_people_become_pending_students_when_the_institution_says_create(
    courses,
):
    result = run(HEADER + "NEW1,BIO101,01,student,\n")
    assert result.rejects == []
    assert result.counts["users_created"] == 1
    user = User.objects.get(primary_id="NEW1")
    assert (user.username, user.pending, user.role) == ("NEW1", True, "student")
    assert not user.has_usable_password()
    assert roles() == {("NEW1", "BIO101", "student")}


def test_unknown_people_are_rejected_when_the_institution_says_reject(courses):
    settings_row = InstitutionSettings.current()
    settings_row.loader_unknown_users = LoaderUnknown.REJECT
    settings_row.save()
    result = run(HEADER + "NEW1,BIO101,01,student,\n")
    assert [str(r) for r in result.rejects] == [
        "line 2 (NEW1 BIO101-01): no user with primary id NEW1 (the institution's "
        "setting rejects unknown people; load them with the user file)"
    ]
    assert not User.objects.filter(primary_id="NEW1").exists()


def test_bad_rows_are_numbered_and_nothing_is_written(courses, people):
    result = run(
        HEADER
        + "P1,BIO101,01,student,\n"  # 2: good
        + "P1,BIO101,01,instructor,\n"  # 3: same person and course again
        + "P1,NOPE,01,student,\n"  # 4: unknown course
        + "P2,BIO101,02,student,\n"  # 5: unknown section
        + "P2,BIO101,01,dean,\n"  # 6: unknown role
        + "P2,LAW200,,student,ROLLOVER\n"  # 7: unknown operation
        + ",LAW200,,student,\n"  # 8: no primary id
        + "P2,LAW200,,student,,extra\n"  # 9: too many cells
    )
    assert {r.line: r.reason for r in result.rejects} == {
        3: "P1 on BIO101-01 appears already on line 2",
        4: "no course NOPE section 01",
        5: "no course BIO101 section 02",
        6: "unknown role 'dean'; one of student, instructor, ta is expected",
        7: "unknown operation 'ROLLOVER'; leave it empty to add or change, or DELETE",
        8: "primary_id is empty",
        9: "the row has 6 cells and the header 5; a value with a comma needs quotes",
    }
    assert not result.applied
    assert not Enrolment.objects.exists()


def test_valid_only_and_dry_run(courses, people):
    text = HEADER + "P1,BIO101,01,student,\nP2,NOPE,,student,\n"
    dry = run(text, mode="valid_only", dry_run=True)
    assert dry.counts["created"] == 1 and not dry.applied
    assert not Enrolment.objects.exists()
    result = run(text, mode="valid_only")
    assert result.applied
    assert roles() == {("P1", "BIO101", "student")}


def test_crlf_and_bom(courses, people):
    data = "\ufeff" + HEADER.replace("\n", "\r\n") + "P1,BIO101,01,student,\r\n"
    result = run(data)
    assert result.rejects == []
    assert roles() == {("P1", "BIO101", "student")}


def test_semicolons_are_refused(courses, people):
    result = run("primary_id;course_code;section\nP1;BIO101;01\n")
    assert result.rejects[0].line == 1
    assert "semicolon-separated" in result.rejects[0].reason


def test_command_exit_codes(courses, people, tmp_path: Path, capsys):
    good = tmp_path / "e.csv"
    good.write_text(HEADER + "P1,BIO101,01,student,\n")
    call_command("load_enrolments", str(good))
    assert "created 1" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "P1,NOPE,,student,\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_enrolments", str(bad))
    assert exit_info.value.code == 1

"""`lectio rollover`: a term, or one list."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from lectio.core.factories import CourseFactory, TermFactory, make_list
from lectio.courses.models import Course
from lectio.lists.models import ListRollover, ReadingList
from lectio.lists.tests.conftest import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_course(db: None) -> Course:
    return CourseFactory.create(
        code="LIT101",
        section="S27",
        terms=[TermFactory.create(code="SPR27", name="Spring 2027")],
    )


def run(*args: str) -> str:
    out = StringIO()
    call_command("rollover", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_term_dry_run_prints_the_plan_and_writes_nothing(
    reading_list: ReadingList, next_course: Course
) -> None:
    before = db_state()
    out = run("--from", "AUT26", "--to", "SPR27", "--dry-run")
    assert db_state() == before
    assert f"{reading_list.code} -> LIT101-S27 (4 citations)" in out
    assert "1 list would be rolled over with 4 citations" in out


def test_term_rollover_then_again_changes_nothing(
    reading_list: ReadingList, next_course: Course
) -> None:
    out = run("--from", "AUT26", "--to", "SPR27")
    assert "Autumn 2026 to Spring 2027: 1 list rolled over with 4 citations" in out
    copy = ReadingList.objects.get(rolled_from=reading_list)
    assert list(copy.courses.all()) == [next_course]
    before = db_state()
    again = run("--from", "AUT26", "--to", "SPR27", "-v", "2")
    assert db_state() == before
    assert "0 lists rolled over" in again and "1 rolled over before" in again
    assert (
        f"{reading_list.code} already rolled over to LIT101-S27 ({copy.code})" in again
    )


def test_newest_only_from_the_command_line(
    reading_list: ReadingList, next_course: Course, instructor: object, course: Course
) -> None:
    newer = make_list(owner=instructor, courses=[course], name="Newer")  # type: ignore[arg-type]
    run("--from", "AUT26", "--to", "SPR27", "--newest-only")
    assert list(
        ReadingList.objects.filter(rolled_from__isnull=False).values_list(
            "rolled_from", flat=True
        )
    ) == [newer.pk]


def test_one_list(reading_list: ReadingList, next_course: Course) -> None:
    assert "would be rolled over to LIT101-S27 with 4 citations" in run(
        "--list", reading_list.code, "--course", "LIT101-S27", "--dry-run"
    )
    out = run("--list", reading_list.code, "--course", "LIT101-S27")
    copy = ReadingList.objects.get(rolled_from=reading_list)
    assert out.strip() == (
        f"{reading_list.code} rolled over to LIT101-S27: {copy.code} (4 citations)."
    )
    assert "already" in run(
        "--list", reading_list.code, "--course", "LIT101-S27", "--dry-run"
    )
    with pytest.raises(CommandError, match="rolled over to LIT101-S27 already"):
        run("--list", reading_list.code, "--course", "LIT101-S27")
    assert ListRollover.objects.count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Give --from TERM --to TERM"),
        (("--from", "AUT26"), "Give --from TERM --to TERM"),
        (("--from", "NOPE", "--to", "SPR27"), "There is no term NOPE."),
        (("--from", "SPR27", "--to", "SPR27"), "name the same term"),
        (("--list", "X"), "--list and --course go together."),
        (("--list", "NOPE", "--course", "LIT101"), "There is no list NOPE."),
    ],
)
def test_bad_arguments_are_refused(
    args: tuple[str, ...], message: str, reading_list: ReadingList, next_course: Course
) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_an_unknown_course_is_refused(reading_list: ReadingList) -> None:
    with pytest.raises(CommandError, match="There is no course NOPE-9."):
        run("--list", reading_list.code, "--course", "NOPE-9")

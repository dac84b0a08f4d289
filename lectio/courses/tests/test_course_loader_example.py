"""examples/courses.tsv, the course file a newcomer loads into the demo institution."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from lectio.accounts.models import User
from lectio.core.demo import load_demo
from lectio.courses.models import Course
from lectio.lists.statuses import ListStatus

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "courses.tsv"


@pytest.mark.django_db
def test_the_example_loads_into_the_demo_and_a_second_run_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert load_demo(stdout=io.StringIO()) is True
    capsys.readouterr()
    path = tmp_path / "courses.tsv"
    path.write_bytes(EXAMPLE.read_bytes())

    call_command("load_courses", str(path))
    first = capsys.readouterr().out.strip()
    call_command("load_courses", str(path))
    second = capsys.readouterr().out.strip()

    assert first == (
        "created 4, updated 1, unchanged 0, deleted 0, rolled over 1, "
        "lists created 2, new terms 2, pending users 1, rejected 0"
    )
    assert second == (
        "created 0, updated 0, unchanged 5, deleted 0, rolled over 0, rejected 0"
    )
    rolled = Course.objects.get(code="HIST101", section="01-AUT27")
    assert rolled.rolled_from == Course.objects.get(code="HIST101", section="01")
    assert [rl.status for rl in rolled.reading_lists.all()] == [ListStatus.ROLLED_OVER]
    assert Course.objects.get(code="ECON101", section="01").participants == 310
    assert User.objects.get(primary_id="LU3001").pending is True

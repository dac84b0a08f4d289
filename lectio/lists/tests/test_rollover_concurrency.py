"""Two rollovers of the same lists at the same moment, each on its own connection with
real commits: both plan the copy before either writes; the unique (list, course) row
lets one through and the other skips the list cleanly. No sleeps: a barrier orders
the two."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from lectio.accounts.models import Role
from lectio.core.factories import CourseFactory, TermFactory, UserFactory
from lectio.lists import rollover
from lectio.lists.models import Citation, ListRollover, ReadingList
from lectio.lists.tests.test_rollover import build_list

pytestmark = [
    pytest.mark.concurrency,
    pytest.mark.timeout(120),
    pytest.mark.django_db(transaction=True),
]


def test_two_concurrent_runs_make_one_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    old_term, new_term = TermFactory.create(code="A"), TermFactory.create(code="B")
    courses = (
        CourseFactory.create(code="C", section="A", terms=[old_term]),
        CourseFactory.create(code="C", section="B", terms=[new_term]),
    )
    owner = UserFactory.create(role=Role.INSTRUCTOR)
    sources = [build_list(owner, courses[0], code=f"L{i}") for i in range(3)]
    barrier = threading.Barrier(2, timeout=60)
    real_plan = rollover._plan

    def plan_then_wait(*args: Any, **kwargs: Any) -> Any:
        planned = real_plan(*args, **kwargs)
        barrier.wait()  # both have planned all three lists before either writes
        return planned

    monkeypatch.setattr(rollover, "_plan", plan_then_wait)
    reports: list[rollover.RolloverReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(rollover.rollover_courses([(courses[0].pk, courses[1].pk)]))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted((r.created, r.already) for r in reports) == [(0, 3), (3, 0)]
    assert ListRollover.objects.count() == 3
    copies = ReadingList.objects.filter(rolled_from__isnull=False)
    rolled_from = [pk or 0 for pk in copies.values_list("rolled_from", flat=True)]
    assert sorted(rolled_from) == sorted(s.pk for s in sources)
    assert Citation.objects.filter(reading_list__in=copies).count() == 9

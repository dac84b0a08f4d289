"""The instructor's view of a list's use: the figures, week by week, what nobody
opened, and never a figure about fewer students than the threshold."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from lectio.accounts.models import InstitutionSettings
from lectio.analytics.models import UsageEvent
from lectio.analytics.recording import roll_up_and_purge, user_key
from lectio.analytics.reports import Hidden, list_usage
from lectio.core.factories import EnrolmentFactory, UserFactory
from lectio.courses.models import CourseRole
from lectio.lists import services
from lectio.lists.statuses import CitationStatus


@pytest.fixture
def threshold(db: None) -> int:
    row = InstitutionSettings.current()
    row.analytics_min_group = 3
    row.save()
    InstitutionSettings.forget_cached()
    return 3


def students(course: Any, n: int) -> list[Any]:
    people = []
    for _ in range(n):
        person = UserFactory(role="student")
        EnrolmentFactory(user=person, course=course, role=CourseRole.STUDENT)
        people.append(person)
    return people


def view(reading_list: Any, person: Any, at: datetime.datetime, **extra: Any) -> None:
    UsageEvent.objects.create(
        at=at,
        kind=extra.pop("kind", "list_view"),
        user_key=user_key(person.pk),
        role="student",
        channel="direct",
        list_id=reading_list.pk,
        **extra,
    )


def now() -> datetime.datetime:
    return timezone.now()


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_figures_about_enough_students_are_shown(
    threshold: int, reading_list: Any, course: Any
) -> None:
    people = students(course, 4)
    citation = reading_list.citations.filter(status=CitationStatus.COMPLETE).first()
    for person in people:
        view(reading_list, person, now())
        view(
            reading_list,
            person,
            now(),
            kind="citation_open",
            citation_id=citation.pk,
            section_id=citation.section_id,
        )
        services.citation_mark(user=person, citation=citation, done=True)

    usage = list_usage(reading_list)

    assert usage.views == 4
    assert usage.opens == 4
    assert usage.active_days_max == 4
    assert usage.enrolled == 4
    row = next(
        c for s in usage.sections for c in s.citations if c.citation.pk == citation.pk
    )
    assert (row.opens, row.done, row.liked) == (4, 4, Hidden(3))
    assert citation not in usage.never_opened
    assert usage.weeks[-1][1] == 4


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_figures_about_too_few_students_are_hidden(
    threshold: int, reading_list: Any, course: Any
) -> None:
    people = students(course, 2)
    citation = reading_list.citations.filter(status=CitationStatus.COMPLETE).first()
    for _round in range(10):  # many views, but by two people
        for person in people:
            view(reading_list, person, now())
            view(
                reading_list,
                person,
                now(),
                kind="citation_open",
                citation_id=citation.pk,
            )
    services.citation_mark(user=people[0], citation=citation, done=True)

    usage = list_usage(reading_list)

    assert usage.views == Hidden(3)
    assert usage.opens == Hidden(3)
    assert usage.active_days_max == Hidden(3)
    row = next(c for s in usage.sections for c in s.citations if c.citation == citation)
    assert (row.opens, row.done) == (Hidden(3), Hidden(3))
    # And nowhere in the page or its JSON is there a figure of 1, 2 or 20.
    data = usage.as_json()
    assert re.search(r"\b(1|2|20)\b", str(data["views"]) + str(data["weeks"])) is None


def test_no_figure_below_the_threshold_is_ever_on_the_page(
    threshold: int, client_for: Any, instructor: Any, published_list: Any, course: Any
) -> None:
    """Whatever the mix of students and days, every number on the page that
    describes students is either at least the threshold or shown as 'fewer than'."""
    people = students(course, 5)
    citations = list(published_list.citations.all())
    start = now() - datetime.timedelta(days=12)
    for n, person in enumerate(people):
        for day in range(n + 1):  # person n reads on n+1 days
            at = start + datetime.timedelta(days=day * 2)
            view(published_list, person, at)
            view(
                published_list,
                person,
                at,
                kind="citation_open",
                citation_id=citations[n % len(citations)].pk,
            )
    roll_up_and_purge()  # some days from the daily counts, today's raw

    page = client_for(instructor).get(f"/lists/{published_list.pk}/usage/")
    assert page.status_code == 200
    body = page.content.decode()
    cells = re.findall(r"<td>\s*([^<]*?)\s*</td>", body)
    figures = [int(c) for c in cells if c.isdigit()]
    assert figures, "the page shows some figures"
    assert all(f >= threshold or f == 0 for f in figures), figures
    assert "fewer than 3" in body


def test_the_page_is_for_whoever_edits_the_list(
    client_for: Any,
    instructor: Any,
    collaborator_editor: Any,
    librarian: Any,
    student: Any,
    other_instructor: Any,
    reading_list: Any,
) -> None:
    path = f"/lists/{reading_list.pk}/usage/"
    for person, status in (
        (instructor, 200),
        (collaborator_editor, 200),
        (librarian, 200),
        (student, 404),
        (other_instructor, 404),
    ):
        assert client_for(person).get(path).status_code == status, person
    guest = Client().get(path)
    assert guest.status_code == 302 and guest["Location"].startswith("/login/")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01", "Dates are written like"),
        ("from=2026-10-01&to=2026-09-01", "ends before it starts"),
        ("from=1990-01-01&to=2026-01-01", "at most 400 days"),
        ("from=2999-01-01&to=2999-02-01", "starts in the future"),
    ],
)
def test_a_bad_period_says_why_and_shows_the_default(
    client_for: Any, instructor: Any, reading_list: Any, query: str, message: str
) -> None:
    response = client_for(instructor).get(f"/lists/{reading_list.pk}/usage/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_list_with_no_students_and_no_use_says_so(
    client_for: Any, instructor: Any, reading_list: Any, course: Any
) -> None:
    course.enrolments.filter(role=CourseRole.STUDENT).delete()
    body = client_for(instructor).get(f"/lists/{reading_list.pk}/usage/").content
    assert b"No students are enrolled" in body
    assert b"No student has opened this list" in body


def test_the_page_takes_few_queries(
    client_for: Any,
    instructor: Any,
    published_list: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(instructor)
    client.get(f"/lists/{published_list.pk}/usage/")
    with django_assert_max_num_queries(16):
        client.get(f"/lists/{published_list.pk}/usage/")


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_the_api_gives_the_same_figures_with_the_same_threshold(
    threshold: int, client_for: Any, instructor: Any, reading_list: Any, course: Any
) -> None:
    few, many = students(course, 2), students(course, 3)
    for person in [*few, *many]:
        view(reading_list, person, now())
    citation = reading_list.citations.filter(status=CitationStatus.COMPLETE).first()
    for person in few:
        view(reading_list, person, now(), kind="citation_open", citation_id=citation.pk)
    client = client_for(instructor)

    data = client.get(f"/api/v1/analytics/lists/{reading_list.pk}").json()

    assert data["views"] == 5
    assert data["opens"] == {"fewer_than": 3}
    assert data["threshold"] == 3
    rows = [c for s in data["sections"] for c in s["citations"]]
    opened = next(c for c in rows if c["citation"] == citation.pk)
    assert opened["opens"] == {"fewer_than": 3}
    assert data["from"] <= data["to"]
    bad = client.get(
        f"/api/v1/analytics/lists/{reading_list.pk}?from=2026-10-01&to=2026-09-01"
    )
    assert bad.status_code == 400
    assert "ends before it starts" in bad.content.decode()


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_opens_by_link_and_section_views_outlive_the_roll_up(
    threshold: int, reading_list: Any, course: Any
) -> None:
    people = students(course, 4)
    citation = reading_list.citations.filter(status=CitationStatus.COMPLETE).first()
    two_days_ago = now() - datetime.timedelta(days=2)
    for n, person in enumerate(people):
        opened = {"citation_id": citation.pk, "section_id": citation.section_id}
        view(reading_list, person, two_days_ago, kind="citation_open", **opened,
             detail="find_it")  # fmt: skip
        if n < 2:
            view(reading_list, person, two_days_ago, kind="citation_open",
                 **opened, detail="full_text")  # fmt: skip
        view(reading_list, person, two_days_ago, kind="section_view",
             section_id=citation.section_id)  # fmt: skip
    assert roll_up_and_purge()["rows"] > 0

    usage = list_usage(
        reading_list, start=two_days_ago.date() - datetime.timedelta(days=1)
    )

    links = {detail: figure for detail, _label, figure in usage.opens_by_link}
    assert links == {"find_it": 4, "full_text": Hidden(3)}
    [section] = [s for s in usage.sections if s.section.pk == citation.section_id]
    assert section.views == 4
    assert usage.as_json()["opens_by_link"] == {
        "find_it": 4,
        "full_text": {"fewer_than": 3},
    }


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_the_busiest_day_is_also_a_share_of_those_enrolled(
    threshold: int, reading_list: Any, course: Any
) -> None:
    people = students(course, 8)
    for person in people[:4]:
        view(reading_list, person, now())

    usage = list_usage(reading_list)

    assert usage.enrolled >= 8
    assert usage.active_share == round(100 * 4 / usage.enrolled)
    UsageEvent.objects.filter(user_key=user_key(people[0].pk)).delete()
    UsageEvent.objects.filter(user_key=user_key(people[1].pk)).delete()
    assert list_usage(reading_list).active_share is None  # 2 < 3: hidden


@pytest.mark.parametrize("rolled_up", [False, True])
def test_list_totals_count_different_students_over_the_whole_list(
    threshold: int, published_list: Any, course: Any, rolled_up: bool
) -> None:
    """Four students each open a different item on one day: each item's figure
    is about one student (hidden), the list's opens about four (shown)."""
    people = students(course, 4)
    citations = list(published_list.citations.all())
    assert len(citations) >= 2
    yesterday = now() - datetime.timedelta(days=1)
    for n, person in enumerate(people):
        citation = citations[n % len(citations)]
        UsageEvent.objects.create(
            at=yesterday,
            kind="citation_open",
            user_key=user_key(person.pk),
            role="student",
            channel="lms" if n % 2 else "direct",
            list_id=published_list.pk,
            section_id=citation.section_id,
            citation_id=citation.pk,
            detail="find_it",
        )
    if rolled_up:
        roll_up_and_purge()

    usage = list_usage(published_list, start=yesterday.date())

    assert usage.opens == 4
    assert usage.active_days_max == 4
    assert {d: f for d, _l, f in usage.opens_by_link} == {"find_it": 4}
    per_item = [c.opens for s in usage.sections for c in s.citations]
    assert all(isinstance(f, Hidden) or f == 0 for f in per_item), per_item

"""The rollover pages: a term (library staff: dry run, then a job) and one list (whoever
manages it: choose a course, check, confirm). Every role is in test_url_matrix; here
the pages' behaviour."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import Role, User
from lectio.core.factories import CourseFactory, TermFactory, UserFactory, enrol
from lectio.core.jobs import job_execute
from lectio.core.models import Job, JobState
from lectio.courses.models import Course, CourseRole, Term
from lectio.lists import rollover
from lectio.lists.models import ListRollover, ReadingList
from lectio.lists.tests.conftest import db_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_term() -> Term:
    return TermFactory.create(code="SPR27", name="Spring 2027")


@pytest.fixture
def next_course(next_term: Term) -> Course:
    """LIT101 again, next term (a new section, as code and section are unique)."""
    return CourseFactory.create(
        code="LIT101", section="S27", name="Reading the Canon", terms=[next_term]
    )


def term_url(**params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("lists:rollover") + (f"?{query}" if query else "")


# --- a term -----------------------------------------------------------------------


def test_term_page_offers_the_terms_with_labels(
    client_for: Callable[[Any], Client], librarian: User, next_term: Term
) -> None:
    response = client_for(librarian).get(term_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_from_term"' in html
    assert '<label for="id_to_term"' in html
    assert "Only the newest list of each course" in html
    assert "Spring 2027" in html


def test_term_dry_run_lists_what_will_happen_and_writes_nothing(
    client_for: Callable[[Any], Client],
    librarian: User,
    reading_list: ReadingList,
    course: Course,
    next_course: Course,
    instructor: User,
) -> None:
    gone = CourseFactory.create(code="GONE1", terms=list(course.terms.all()))
    from lectio.core.factories import make_list

    lost = make_list(owner=instructor, courses=[gone], name="Lost list")
    before, jobs = db_state(), Job.objects.count()
    old, new = course.terms.get(), next_course.terms.get()

    response = client_for(librarian).get(term_url(from_term=old.pk, to_term=new.pk))

    assert response.status_code == 200
    assert db_state() == before and Job.objects.count() == jobs
    report = response.context["report"]
    assert (report.created, report.unmatched, report.already) == (1, 1, 0)
    html = response.content.decode()
    assert "LIT101-S27" in html
    assert lost.code in html
    assert "No matching course in the target term" in html
    assert "Roll over 1 list" in html


def test_term_dry_run_shows_lists_rolled_over_before(
    client_for: Callable[[Any], Client],
    librarian: User,
    reading_list: ReadingList,
    course: Course,
    next_course: Course,
) -> None:
    copy = rollover.rollover_list(reading_list, next_course, actor=librarian)
    old, new = course.terms.get(), next_course.terms.get()
    response = client_for(librarian).get(term_url(from_term=old.pk, to_term=new.pk))
    html = response.content.decode()
    assert f"Already rolled over to LIT101-S27 ({copy.code})" in html
    assert "Roll over 1 list" not in html


def test_the_same_term_twice_is_refused_with_an_error_summary(
    client_for: Callable[[Any], Client], admin: User, next_term: Term
) -> None:
    client = client_for(admin)
    response = client.get(term_url(from_term=next_term.pk, to_term=next_term.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="form-errors" role="alert"' in html
    assert "Choose a term other than the one rolled from." in html
    response = client.post(
        reverse("lists:rollover"),
        {"from_term": next_term.pk, "to_term": next_term.pk},
    )
    assert response.status_code == 200
    assert not Job.objects.exists()


def test_term_run_makes_a_job_that_rolls_the_term_over(
    client_for: Callable[[Any], Client],
    librarian: User,
    reading_list: ReadingList,
    course: Course,
    next_course: Course,
    django_capture_on_commit_callbacks: Any,
) -> None:
    old, new = course.terms.get(), next_course.terms.get()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client_for(librarian).post(
            reverse("lists:rollover"), {"from_term": old.pk, "to_term": new.pk}
        )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:job", kwargs={"pk": job.pk})
    assert len(callbacks) == 1  # queued for the worker once committed
    assert (job.kind, job.created_by, job.state) == (
        "rollover",
        librarian,
        JobState.QUEUED,
    )
    job = job_execute(job)
    assert job.state == JobState.DONE
    assert job.counts["rolled_over"] == 1
    copy = ReadingList.objects.get(rolled_from=reading_list)
    assert list(copy.courses.all()) == [next_course]
    # The job's page is open to the librarian who started it.
    assert client_for(librarian).get(response["Location"]).status_code == 200


def test_term_page_is_for_library_staff_only(
    client_for: Callable[[Any], Client], instructor: User, next_term: Term
) -> None:
    client = client_for(instructor)
    assert client.get(term_url()).status_code == 403
    response = client.post(
        reverse("lists:rollover"), {"from_term": next_term.pk, "to_term": next_term.pk}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_term_run_needs_the_csrf_token(librarian: User, next_term: Term) -> None:
    other = TermFactory.create(code="X1")
    client = Client(enforce_csrf_checks=True)
    client.force_login(librarian)
    response = client.post(
        reverse("lists:rollover"), {"from_term": other.pk, "to_term": next_term.pk}
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


# --- one list ---------------------------------------------------------------------


def rollover_url(reading_list: ReadingList) -> str:
    return reverse("lists:rollover_list", args=[reading_list.pk])


def test_instructor_is_offered_only_the_courses_they_teach(
    client_for: Callable[[Any], Client],
    instructor: User,
    reading_list: ReadingList,
    next_course: Course,
) -> None:
    enrol(instructor, next_course, CourseRole.INSTRUCTOR)
    CourseFactory.create(code="NOTMINE")
    response = client_for(instructor).get(rollover_url(reading_list))
    assert response.status_code == 200
    choices = [str(c) for c in response.context["form"].fields["course"].queryset]
    assert choices == [str(next_course)]  # not LIT101 itself, not NOTMINE
    assert '<label for="id_course"' in response.content.decode()


def test_instructor_checks_then_confirms_and_lands_on_the_copy(
    client_for: Callable[[Any], Client],
    instructor: User,
    reading_list: ReadingList,
    next_course: Course,
) -> None:
    enrol(instructor, next_course, CourseRole.INSTRUCTOR)
    client = client_for(instructor)
    before = db_state()

    check = client.post(rollover_url(reading_list), {"course": next_course.pk})

    assert check.status_code == 200
    assert db_state() == before
    html = check.content.decode()
    assert "A new list for LIT101-S27" in html
    assert "with 2 sections and 4 citations" in html
    assert 'name="confirm" value="True"' in html

    done = client.post(
        rollover_url(reading_list), {"course": next_course.pk, "confirm": "True"}
    )

    copy = ReadingList.objects.get(rolled_from=reading_list)
    assert done.status_code == 302
    assert done["Location"] == reverse("lists:detail", args=[copy.pk])
    editor = client.get(done["Location"]).content.decode()
    assert (
        f'Rolled over from <a href="{reverse("lists:detail", args=[reading_list.pk])}">{reading_list.code}</a>'
        in editor
    )
    assert "This is the list rolled over to LIT101-S27." in editor


def test_a_second_rollover_to_the_same_course_is_refused(
    client_for: Callable[[Any], Client],
    instructor: User,
    reading_list: ReadingList,
    next_course: Course,
) -> None:
    enrol(instructor, next_course, CourseRole.INSTRUCTOR)
    copy = rollover.rollover_list(reading_list, next_course, actor=instructor)
    before = db_state()
    response = client_for(instructor).post(
        rollover_url(reading_list), {"course": next_course.pk, "confirm": "True"}
    )
    assert response.status_code == 200
    assert (
        f"rolled over to LIT101-S27 already: {copy.code}" in response.content.decode()
    )
    assert db_state() == before


def test_instructor_cannot_pick_a_course_they_do_not_teach(
    client_for: Callable[[Any], Client],
    instructor: User,
    reading_list: ReadingList,
    next_course: Course,
) -> None:
    before = db_state()
    response = client_for(instructor).post(
        rollover_url(reading_list), {"course": next_course.pk, "confirm": "True"}
    )
    assert response.status_code == 200
    assert response.context["teaches_none"] is True
    assert db_state() == before


def test_librarian_names_any_course_by_code_and_section(
    client_for: Callable[[Any], Client],
    librarian: User,
    reading_list: ReadingList,
    next_course: Course,
    instructor: User,
) -> None:
    client = client_for(librarian)
    response = client.post(
        rollover_url(reading_list), {"course": "LIT101-S27", "confirm": "True"}
    )
    copy = ReadingList.objects.get(rolled_from=reading_list)
    assert response.status_code == 302
    assert list(copy.courses.all()) == [next_course]
    # Library staff become no collaborator; the instructor's ownership is copied.
    assert list(copy.collaborators.values_list("user__username", flat=True)) == [
        "instructor"
    ]
    unknown = client.post(rollover_url(reading_list), {"course": "NOPE-1"})
    assert "There is no course NOPE-1." in unknown.content.decode()
    same = client.post(rollover_url(reading_list), {"course": "LIT101"})
    assert "The list already serves LIT101." in same.content.decode()


def test_an_editor_collaborator_may_not_roll_the_list_over(
    client_for: Callable[[Any], Client],
    collaborator_editor: User,
    reading_list: ReadingList,
    next_course: Course,
) -> None:
    enrol(collaborator_editor, next_course, CourseRole.INSTRUCTOR)
    response = client_for(collaborator_editor).post(
        rollover_url(reading_list), {"course": next_course.pk, "confirm": "True"}
    )
    assert response.status_code == 403
    assert not ListRollover.objects.exists()


def test_editor_offers_roll_over_to_managers_only(
    client_for: Callable[[Any], Client],
    instructor: User,
    collaborator_editor: User,
    reading_list: ReadingList,
) -> None:
    link = f'href="{rollover_url(reading_list)}"'
    url = reverse("lists:detail", args=[reading_list.pk])
    assert link in client_for(instructor).get(url).content.decode()
    assert link not in client_for(collaborator_editor).get(url).content.decode()


def test_course_by_label_tries_every_hyphen() -> None:
    a = CourseFactory.create(code="ENG-101", section="A")
    b = CourseFactory.create(code="ENG", section="101-B")
    c = CourseFactory.create(code="ONLY", section="01")
    d = CourseFactory.create(code="PLAIN")
    assert rollover.course_by_label("ENG-101-A") == a
    assert rollover.course_by_label("ENG-101-B") == b
    assert rollover.course_by_label("ONLY") == c
    assert rollover.course_by_label(" PLAIN ") == d
    assert rollover.course_by_label("ENG-101") == a  # its only section
    CourseFactory.create(code="TWO", section="01")
    CourseFactory.create(code="TWO", section="02")
    assert rollover.course_by_label("TWO") is None
    assert rollover.course_by_label("") is None


def test_users_persona_roles_are_what_the_pages_assume() -> None:
    assert UserFactory.create(role=Role.LIBRARIAN).is_library_staff
    assert UserFactory.create(role=Role.ADMIN).is_library_staff
    assert not UserFactory.create(role=Role.INSTRUCTOR).is_library_staff


@pytest.mark.parametrize("lists", [1, 6])
def test_term_dry_run_takes_the_same_queries_for_more_lists(
    client_for: Callable[[Any], Client],
    librarian: User,
    instructor: User,
    course: Course,
    next_course: Course,
    lists: int,
    django_assert_max_num_queries: Any,
) -> None:
    from lectio.core.factories import make_list

    for i in range(lists):
        make_list(owner=instructor, courses=[course], name=f"List {i}")
    old, new = course.terms.get(), next_course.terms.get()
    client = client_for(librarian)
    url = term_url(from_term=old.pk, to_term=new.pk)
    client.get(url)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.context["report"].created == lists

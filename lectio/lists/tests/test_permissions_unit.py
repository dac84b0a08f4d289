"""Who may do what with a list: list_right for every persona and publication state,
and the selectors that turn rights into 404 and 403."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lectio.accounts.models import InstitutionSettings, Role
from lectio.core.factories import (
    CourseFactory,
    UserFactory,
    add_citation,
    enrol,
    make_list,
)
from lectio.courses.models import CourseRole
from lectio.lists import selectors, services
from lectio.lists.permissions import Right, list_right, may_open_material
from lectio.lists.statuses import MaterialAccess, PublicationStatus

pytestmark = pytest.mark.django_db

N, R, E, M = Right.NONE, Right.READ, Right.EDIT, Right.MANAGE

STATES = ["draft", "published", "published:institution", "published:public", "archived"]

# persona -> expected right on the course's list in each state of STATES.
MATRIX = {
    "student": [N, R, R, R, N],
    "other_student": [N, N, R, R, N],
    "instructor": [M, M, M, M, M],
    "other_instructor": [N, N, R, R, N],
    "collaborator_editor": [E, E, E, E, E],
    "librarian": [M, M, M, M, M],
    "admin": [M, M, M, M, M],
    "guest": [N, N, N, R, N],
}


@pytest.mark.parametrize(
    ("reading_list", "column"),
    [pytest.param(state, i, id=state) for i, state in enumerate(STATES)],
    indirect=["reading_list"],
)
@pytest.mark.parametrize("persona", list(MATRIX))
def test_list_right_of_each_persona(request, reading_list, column, persona):
    user = request.getfixturevalue(persona)

    assert list_right(user, reading_list) == MATRIX[persona][column]


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_selectors_agree_with_the_matrix(request, reading_list):
    for persona, rights in MATRIX.items():
        user = request.getfixturevalue(persona)
        expected = rights[STATES.index("published")]
        for need in (R, E, M):
            if expected == N:
                with pytest.raises(Http404):
                    selectors.reading_list_get(
                        user=user, list_id=reading_list.pk, need=need
                    )
            elif expected < need:
                with pytest.raises(PermissionDenied):
                    selectors.reading_list_get(
                        user=user, list_id=reading_list.pk, need=need
                    )
            else:
                got, right = selectors.reading_list_get(
                    user=user, list_id=reading_list.pk, need=need
                )
                assert (got, right) == (reading_list, expected), (persona, need)


# --- where rights come from ----------------------------------------------------------


def test_teaching_the_course_is_enough_to_manage(course, librarian):
    reading_list = make_list(owner=librarian, courses=[course])
    teacher = UserFactory.create(role=Role.INSTRUCTOR)
    enrol(teacher, course, CourseRole.INSTRUCTOR)

    assert not reading_list.collaborators.filter(user=teacher).exists()
    assert list_right(teacher, reading_list) == M


def test_a_teaching_assistant_manages_the_course_list(reading_list, course):
    assistant = UserFactory.create()
    enrol(assistant, course, CourseRole.TEACHING_ASSISTANT)

    assert list_right(assistant, reading_list) == M


def test_an_owner_collaborator_manages_without_teaching(reading_list, instructor):
    colleague = UserFactory.create(role=Role.INSTRUCTOR)
    services.collaborator_set(
        actor=instructor, reading_list=reading_list, user=colleague, right="owner"
    )

    assert list_right(colleague, reading_list) == M


def test_a_superuser_manages_whatever_their_role(reading_list):
    superuser = UserFactory.create(role=Role.STUDENT, is_superuser=True)

    assert list_right(superuser, reading_list) == M


def test_a_student_of_any_course_of_the_list_reads_it(course, instructor):
    second_course = CourseFactory.create()
    reading_list = make_list(
        owner=instructor, courses=[course, second_course], visibility="course"
    )
    reader = UserFactory.create()
    enrol(reader, second_course)

    assert list_right(reader, reading_list) == R


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_dropping_the_enrolment_drops_the_right(reading_list, student):
    assert list_right(student, reading_list) == R

    student.enrolments.all().delete()

    assert list_right(student, reading_list) == N


def test_list_right_costs_at_most_one_query(
    reading_list, student, librarian, django_assert_max_num_queries
):
    with django_assert_max_num_queries(1):
        list_right(student, reading_list)
    with django_assert_max_num_queries(0):
        list_right(librarian, reading_list)
        list_right(AnonymousUser(), reading_list)


# --- selectors -------------------------------------------------------------------------


@pytest.mark.parametrize("list_id", [987654, "not-a-number", None])
def test_a_missing_list_is_404(list_id, instructor):
    with pytest.raises(Http404):
        selectors.reading_list_get_for_reader(user=instructor, list_id=list_id)


def test_a_draft_is_404_to_its_students_not_403(reading_list, student):
    with pytest.raises(Http404):
        selectors.reading_list_get_for_reader(user=student, list_id=reading_list.pk)


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_a_reader_asking_to_edit_is_403(reading_list, student):
    with pytest.raises(PermissionDenied):
        selectors.reading_list_get_for_editor(user=student, list_id=reading_list.pk)


def test_an_editor_asking_to_manage_is_403(reading_list, collaborator_editor):
    with pytest.raises(PermissionDenied):
        selectors.reading_list_get_for_manager(
            user=collaborator_editor, list_id=reading_list.pk
        )


def test_reading_list_get_for_manager_returns_list_and_right(reading_list, instructor):
    assert selectors.reading_list_get_for_manager(
        user=instructor, list_id=reading_list.pk
    ) == (reading_list, M)


def test_section_and_citation_selectors_check_the_list(
    reading_list, collaborator_editor, other_instructor
):
    section = reading_list.sections.get(name="Week 1")
    citation = reading_list.citations.get(title="The Canon and Its Critics")

    assert (
        selectors.section_get_for_editor(
            user=collaborator_editor, section_id=section.pk
        )
        == section
    )
    assert (
        selectors.citation_get_for_editor(
            user=collaborator_editor, citation_id=citation.pk
        )
        == citation
    )
    with pytest.raises(Http404):
        selectors.section_get_for_editor(user=other_instructor, section_id=section.pk)
    with pytest.raises(Http404):
        selectors.citation_get_for_editor(
            user=other_instructor, citation_id=citation.pk
        )
    with pytest.raises(Http404):
        selectors.citation_get_for_editor(user=collaborator_editor, citation_id=987654)
    with pytest.raises(Http404):
        selectors.section_get_for_editor(user=collaborator_editor, section_id=987654)


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_readers_open_only_complete_citations(reading_list, student, instructor):
    visible = {
        c.title
        for c in reading_list.citations.all()
        if _opens(student, c.pk) is not None
    }
    assert visible == {"The Canon and Its Critics", "Close Reading, Explained"}

    being_prepared = reading_list.citations.get(title="Reading Against the Grain")
    citation, right = selectors.citation_get_for_reader(
        user=instructor, citation_id=being_prepared.pk
    )
    assert (citation, right) == (being_prepared, M)


@pytest.mark.parametrize("reading_list", ["published"], indirect=True)
def test_readers_see_unfinished_items_when_the_institution_allows(
    reading_list, student, librarian
):
    InstitutionSettings.objects.update_or_create(
        pk=1, defaults={"students_see_only_complete": False}
    )
    InstitutionSettings.forget_cached()
    declined = reading_list.citations.get(title="On Anthologies")
    services.citation_set_status(
        actor=librarian, citation=declined, status="Declined", reason="Lost"
    )

    visible = {
        c.title
        for c in reading_list.citations.all()
        if _opens(student, c.pk) is not None
    }

    assert visible == {
        "The Canon and Its Critics",
        "Close Reading, Explained",
        "Reading Against the Grain",
    }


def _opens(user, citation_id):
    try:
        return selectors.citation_get_for_reader(user=user, citation_id=citation_id)
    except Http404:
        return None


# --- material access ------------------------------------------------------------------


def test_material_for_course_students_only(course, instructor, student, other_student):
    reading_list = make_list(
        owner=instructor,
        courses=[course],
        visibility="institution",
        material_access=MaterialAccess.COURSE,
    )

    def opens(user):
        return may_open_material(user, reading_list, list_right(user, reading_list))

    assert opens(student) is True
    assert opens(instructor) is True
    assert opens(other_student) is False
    assert opens(AnonymousUser()) is False


@pytest.mark.parametrize("reading_list", ["published:public"], indirect=True)
def test_full_material_access_follows_the_right_to_read(reading_list, guest):
    assert reading_list.material_access == MaterialAccess.FULL
    assert may_open_material(guest, reading_list, Right.READ) is True
    assert may_open_material(guest, reading_list, Right.NONE) is False


# --- lists and courses for a person ----------------------------------------------------


def test_lists_for_author_holds_taught_owned_and_edited_lists(
    reading_list, instructor, collaborator_editor, other_instructor, librarian
):
    own = make_list(owner=other_instructor, name="Own list")
    add_citation(own, actor=other_instructor, title="Only one")

    assert [
        (rl.name, rl.citation_count)
        for rl in selectors.lists_for_author(user=instructor)
    ] == [("Reading the Canon: core reading", 4)]
    assert list(selectors.lists_for_author(user=collaborator_editor)) == [reading_list]
    assert [
        (rl.name, rl.citation_count)
        for rl in selectors.lists_for_author(user=other_instructor)
    ] == [("Own list", 1)]
    assert list(selectors.lists_for_author(user=AnonymousUser())) == []


def test_courses_of_a_person(course, other_course, instructor, student, guest):
    enrol(student, other_course, CourseRole.TEACHING_ASSISTANT)

    assert list(selectors.courses_taught(user=instructor)) == [course]
    assert list(selectors.courses_taught(user=student)) == [other_course]
    assert list(selectors.courses_for_student(user=student)) == [course]
    assert selectors.enrolled_course_ids(user=student) == {course.pk, other_course.pk}
    assert list(selectors.courses_for_student(user=guest)) == []
    assert selectors.enrolled_course_ids(user=guest) == set()


def test_published_lists_for_courses_leaves_out_drafts_and_archives(course, instructor):
    make_list(owner=instructor, courses=[course], name="Draft")
    published = make_list(
        owner=instructor, courses=[course], name="Published", visibility="course"
    )
    archived = make_list(
        owner=instructor, courses=[course], name="Archived", visibility="course"
    )
    services.reading_list_set_publication(
        actor=instructor,
        reading_list=archived,
        publication_status=PublicationStatus.ARCHIVED,
    )

    assert list(selectors.published_lists_for_courses([course.pk])) == [published]


def test_list_history_is_newest_first(reading_list, instructor):
    services.section_add(actor=instructor, reading_list=reading_list, name="Week 2")

    history = list(selectors.list_history(reading_list=reading_list, limit=2))

    assert [event.verb for event in history] == ["section.add", "citation.add"]

"""The demo institution: who and what `lectio load-demo` makes."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db.models import Count

from lectio.accounts.models import Role, User
from lectio.core.demo import load_demo
from lectio.core.models import Event
from lectio.courses.models import Course, CourseRole, Department, Enrolment, Term
from lectio.lists.models import Citation, CitationInteraction, MaterialType, ReadingList
from lectio.lists.permissions import Right, list_right
from lectio.lists.statuses import (
    CitationStatus,
    ListStatus,
    PublicationStatus,
    Visibility,
)


@pytest.mark.django_db
def test_demo_institution_has_people_courses_and_lists_in_every_state() -> None:
    out = io.StringIO()

    assert load_demo(stdout=out) is True

    text = out.getvalue()
    for login in ("admin", "librarian", "instructor", "student"):
        assert login in text

    # The four documented logins, password "lectio".
    roles = {"admin": Role.ADMIN, "librarian": Role.LIBRARIAN}
    roles |= {"instructor": Role.INSTRUCTOR, "student": Role.STUDENT}
    for username, role in roles.items():
        user = User.objects.get(username=username)
        assert user.role == role
        assert user.check_password("lectio")
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert User.objects.get(username="librarian2").role == Role.LIBRARIAN
    assert User.objects.filter(role=Role.INSTRUCTOR).count() >= 4
    assert User.objects.filter(role=Role.LIBRARIAN).count() == 2

    assert Department.objects.count() >= 3
    assert set(Term.objects.values_list("code", flat=True)) >= {"AUT2026", "SPR2027"}
    assert Course.objects.count() >= 12
    assert Course.objects.filter(processing_department__isnull=True).count() == 0
    students = Enrolment.objects.filter(role=CourseRole.STUDENT)
    assert students.values("user").distinct().count() >= 30
    assert Enrolment.objects.filter(role=CourseRole.TEACHING_ASSISTANT).exists()

    lists = ReadingList.objects.all()
    assert lists.count() >= 15
    assert set(lists.values_list("status", flat=True)) == set(ListStatus.values)
    assert set(lists.values_list("publication_status", flat=True)) == set(
        PublicationStatus.values
    )
    assert set(lists.values_list("visibility", flat=True)) == set(Visibility.values)
    rolled = lists.get(status=ListStatus.ROLLED_OVER)
    assert rolled.rolled_from is not None

    instructor = User.objects.get(username="instructor")
    assert (
        Course.objects.filter(
            enrolments__user=instructor, enrolments__role=CourseRole.INSTRUCTOR
        ).count()
        >= 3
    )
    assert lists.filter(collaborators__user=instructor).count() >= 3

    # Every list has a history of real service events.
    assert set(lists.values_list("pk", flat=True)) <= set(
        Event.objects.values_list("list_id", flat=True)
    )

    citations = Citation.objects.all()
    assert set(citations.values_list("material_type", flat=True)) == set(
        MaterialType.values
    )
    assert set(citations.values_list("status", flat=True)) >= {
        CitationStatus.BEING_PREPARED,
        CitationStatus.READY_FOR_PROCESSING,
        CitationStatus.IN_PROCESS,
        CitationStatus.COMPLETE,
        CitationStatus.DECLINED,
    }
    assert not citations.filter(
        status=CitationStatus.DECLINED, decline_reason=""
    ).exists()
    assert not citations.filter(rendered_html="").exists()
    assert set(citations.values_list("rendered_style", flat=True)) == {"apa"}
    assert citations.filter(tags__name="Essential").exists()
    assert citations.exclude(public_note="").exists()
    assert citations.exclude(instructor_note="").exists()
    assert citations.filter(due_date__isnull=False).exists()
    assert citations.filter(metadata__DOI__isnull=False).exists()

    big = lists.annotate(n=Count("citations")).order_by("-n").first()
    assert big.n >= 300
    assert big.sections.count() >= 5

    # The demo student reads something on every course they take.
    student = User.objects.get(username="student")
    for course in Course.objects.filter(enrolments__user=student):
        published = course.reading_lists.filter(
            publication_status=PublicationStatus.PUBLISHED
        )
        assert published.filter(citations__status=CitationStatus.COMPLETE).exists(), (
            course
        )
    marks = CitationInteraction.objects.filter(user=student)
    assert marks.filter(done=True).exists()

    public = lists.get(
        visibility=Visibility.PUBLIC,
        publication_status=PublicationStatus.PUBLISHED,
        code="HIST101-AUT2026",
    )
    assert list_right(AnonymousUser(), public) == Right.READ

    # Loading again changes nothing.
    counts = (
        User.objects.count(),
        ReadingList.objects.count(),
        Citation.objects.count(),
    )
    assert load_demo(stdout=io.StringIO()) is False
    assert counts == (
        User.objects.count(),
        ReadingList.objects.count(),
        Citation.objects.count(),
    )


@pytest.mark.django_db
def test_load_demo_leaves_a_database_with_an_admin_alone() -> None:
    User.objects.create(username="admin", role=Role.ADMIN)
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "already loaded" in out.getvalue()
    assert User.objects.count() == 1
    assert ReadingList.objects.count() == 0
    assert Course.objects.count() == 0

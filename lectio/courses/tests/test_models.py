"""Courses, terms, departments and enrolments: labels, ordering and the constraints
the loaders and LTI roster sync rely on."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from lectio.accounts.models import User
from lectio.core.factories import (
    CourseFactory,
    DepartmentFactory,
    EnrolmentFactory,
    TermFactory,
)
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

pytestmark = pytest.mark.django_db


def test_course_label_joins_code_and_section():
    assert CourseFactory.create(code="LIT101", section="A", name="Canon").label == (
        "LIT101-A"
    )


def test_course_without_section_is_labelled_by_code():
    course = CourseFactory.create(code="LIT101", section="", name="Canon")

    assert course.label == "LIT101"
    assert str(course) == "LIT101 Canon"


def test_new_course_defaults():
    course = Course.objects.create(code="X1", name="Bare")

    assert course.status == CourseStatus.ACTIVE
    assert (course.participants, course.weekly_hours) == (0, 0)
    assert course.searchable_ids == []
    assert course.no_list_expected is False
    assert course.academic_department is None


def test_code_and_section_are_unique_together():
    CourseFactory.create(code="LIT101", section="A")
    CourseFactory.create(code="LIT101", section="B")

    with pytest.raises(IntegrityError), transaction.atomic():
        CourseFactory.create(code="LIT101", section="A")

    assert sorted(Course.objects.values_list("section", flat=True)) == ["A", "B"]


def test_courses_are_ordered_by_code_then_section():
    for code, section in [("B1", ""), ("A1", "2"), ("A1", "1")]:
        CourseFactory.create(code=code, section=section)

    assert [c.label for c in Course.objects.all()] == ["A1-1", "A1-2", "B1"]


def test_terms_newest_first():
    TermFactory.create(code="SPR26", start_date=datetime.date(2026, 1, 12))
    TermFactory.create(code="AUT26", start_date=datetime.date(2026, 9, 28))
    TermFactory.create(code="AUT25", start_date=datetime.date(2025, 9, 29))

    assert list(Term.objects.values_list("code", flat=True)) == [
        "AUT26",
        "SPR26",
        "AUT25",
    ]


def test_course_factory_attaches_terms_and_one_department():
    term = TermFactory.create(code="AUT26")

    course = CourseFactory.create(terms=[term])

    assert list(course.terms.all()) == [term]
    assert course.processing_department == course.academic_department
    assert list(term.courses.all()) == [course]


def test_departments_ordered_by_name_with_unique_codes():
    DepartmentFactory.create(code="HIS", name="History")
    Department.objects.create(code="ART", name="Art")

    assert list(Department.objects.values_list("code", flat=True)) == ["ART", "HIS"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(code="HIS", name="Another history")


def test_a_department_in_use_cannot_be_deleted():
    department = DepartmentFactory.create()
    CourseFactory.create(academic_department=department)

    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.filter(pk=department.pk).delete()


def test_one_enrolment_per_person_and_course():
    enrolment = EnrolmentFactory.create()

    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(
            user=enrolment.user, course=enrolment.course, role=CourseRole.INSTRUCTOR
        )

    assert Enrolment.objects.get().role == CourseRole.STUDENT


@pytest.mark.parametrize(
    ("role", "teaches"),
    [
        (CourseRole.STUDENT, False),
        (CourseRole.INSTRUCTOR, True),
        (CourseRole.TEACHING_ASSISTANT, True),
    ],
)
def test_who_teaches(role, teaches):
    assert EnrolmentFactory.create(role=role).teaches is teaches


def test_enrolments_go_with_the_course():
    enrolment = EnrolmentFactory.create()
    user = enrolment.user

    enrolment.course.delete()

    assert not Enrolment.objects.exists()
    assert User.objects.filter(pk=user.pk).exists()


def test_campus_participants_one_row_per_course_and_campus():
    course = CourseFactory.create()
    campus = Campus.objects.create(code="MAIN", name="Main campus")
    CourseCampus.objects.create(course=course, campus=campus, participants=25)

    with pytest.raises(IntegrityError), transaction.atomic():
        CourseCampus.objects.create(course=course, campus=campus, participants=3)

    assert list(course.campuses.all()) == [campus]
    assert CourseCampus.objects.get().participants == 25

"""Test data: factory_boy factories for people and courses, and `make_list`, which
builds resource lists through the real services so tests see what users would."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import factory
from factory.django import DjangoModelFactory, Password

from lectio.accounts.models import Role, User
from lectio.courses.models import Course, CourseRole, Department, Enrolment, Term
from lectio.lists import services
from lectio.lists.models import Citation, MaterialType, ReadingList, Section

PASSWORD = "lectio"


class UserFactory(DjangoModelFactory[User]):
    """A person with an institution role: `UserFactory(role=Role.LIBRARIAN)`."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.edu")
    role = Role.STUDENT
    password = Password(PASSWORD)


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"DEPT{n}")
    name = factory.Sequence(lambda n: f"Department {n}")


class TermFactory(DjangoModelFactory[Term]):
    class Meta:
        model = Term
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Term {n}")
    start_date = datetime.date(2026, 9, 28)
    end_date = datetime.date(2026, 12, 11)


class CourseFactory(DjangoModelFactory[Course]):
    """A course; `CourseFactory(terms=[term])` attaches terms."""

    class Meta:
        model = Course
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"CRS{100 + n}")
    section = ""
    name = factory.Sequence(lambda n: f"Course {n}")
    academic_department = factory.SubFactory(DepartmentFactory)
    processing_department = factory.SelfAttribute("academic_department")
    year = 2026
    participants = 30

    @factory.post_generation
    def terms(self, create: bool, extracted: Iterable[Term] | None, **kwargs: Any):
        if create and extracted:
            self.terms.set(extracted)  # type: ignore[attr-defined]


class EnrolmentFactory(DjangoModelFactory[Enrolment]):
    """`EnrolmentFactory(user=u, course=c, role=CourseRole.INSTRUCTOR)`."""

    class Meta:
        model = Enrolment

    user = factory.SubFactory(UserFactory)
    course = factory.SubFactory(CourseFactory)
    role = CourseRole.STUDENT


def enrol(user: User, course: Course, role: str = CourseRole.STUDENT) -> Enrolment:
    return EnrolmentFactory.create(user=user, course=course, role=role)


def book(title: str = "A Book", **extra: Any) -> dict[str, Any]:
    """CSL-JSON for a book by one author; `extra` adds or replaces fields."""
    return {
        "type": "book",
        "title": title,
        "author": [{"family": "Hooks", "given": "Bell"}],
        "publisher": "Routledge",
        "publisher-place": "New York",
        "issued": {"date-parts": [[1994]]},
        "ISBN": "9780415908085",
        **extra,
    }


def article(title: str = "An Article", **extra: Any) -> dict[str, Any]:
    """CSL-JSON for a journal article; `extra` adds or replaces fields."""
    return {
        "type": "article-journal",
        "title": title,
        "author": [
            {"family": "Freire", "given": "Paulo"},
            {"family": "Macedo", "given": "Donaldo"},
        ],
        "container-title": "Harvard Educational Review",
        "volume": "65",
        "issue": "3",
        "page": "377-402",
        "issued": {"date-parts": [[1995, 9]]},
        "DOI": "10.17763/haer.65.3.12g1923330p1xhj8",
        **extra,
    }


def add_citation(
    reading_list: ReadingList,
    *,
    actor: User,
    title: str = "A Book",
    material_type: str = MaterialType.BOOK,
    section: Section | None = None,
    status: str | None = None,
    metadata: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> Citation:
    """`services.citation_add` with a ready-made book or article record."""
    if metadata is None:
        if material_type == MaterialType.ARTICLE:
            metadata = article(title)
        else:
            metadata = book(title, type=services.CSL_TYPES[material_type])
    return services.citation_add(
        actor=actor,
        reading_list=reading_list,
        section=section,
        material_type=material_type,
        metadata=dict(metadata),
        status=status,
        **kwargs,
    )


def make_list(
    *,
    owner: User,
    courses: Sequence[Course] = (),
    name: str = "Reading list",
    sections: Sequence[str] = (),
    citations: Sequence[Mapping[str, Any]] = (),
    visibility: str | None = None,
    material_access: str | None = None,
    send_to_library: bool = False,
) -> ReadingList:
    """A list built through the services, as its owner would build it.

    `sections` are added after the default section. Each entry of `citations` holds
    keyword arguments for `add_citation`, with `section` given by name (None or absent:
    the default section). The list is sent to the library if `send_to_library`, then
    published if `visibility` is given.
    """
    reading_list = services.reading_list_create(
        actor=owner, name=name, course_ids=[c.pk for c in courses]
    )
    by_name: dict[str, Section] = {
        s.name: s for s in reading_list.sections.all() if not s.is_default
    }
    for section_name in sections:
        by_name[section_name] = services.section_add(
            actor=owner, reading_list=reading_list, name=section_name
        )
    for spec in citations:
        spec = dict(spec)
        section_name = spec.pop("section", None)
        add_citation(
            reading_list,
            actor=owner,
            section=by_name[section_name] if section_name else None,
            **spec,
        )
    if send_to_library:
        services.reading_list_send_to_library(actor=owner, reading_list=reading_list)
    if visibility is not None:
        services.reading_list_publish(
            actor=owner,
            reading_list=reading_list,
            visibility=visibility,
            material_access=material_access,
        )
    reading_list.refresh_from_db()
    return reading_list

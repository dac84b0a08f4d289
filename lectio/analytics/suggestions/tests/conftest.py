"""A few published lists sharing titles with the course's list, for the counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from lectio.accounts.models import User
from lectio.core.factories import CourseFactory, add_citation, book, make_list
from lectio.courses.models import Course
from lectio.lists import services
from lectio.lists.models import ReadingList, Section
from lectio.lists.statuses import Visibility


def work(title: str, isbn: str = "", family: str = "Author") -> dict[str, Any]:
    return book(title, ISBN=isbn, author=[{"family": family, "given": "A."}])


# The course's list cites A and B; other lists cite them with X, Y and Z.
A = work("The age of revolution", "9780679772538", "Hobsbawm")
A_AS_CITED = work("Age of revolution: Europe 1789-1848", "0679772537", "Hobsbawm")
B = work("Imagined communities", "9781844670864", "Anderson")
X = work("The age of capital", "9780679772545", "Hobsbawm")
Y = work("Inventing human rights", "9780393060959", "Hunt")
Z = work("Secret draft reading", "", "Nobody")
H = work("Hidden section reading", "", "Hider")


def cite(reading_list: ReadingList, owner: User, *works: dict, **kw: Any) -> None:
    for csl in works:
        add_citation(
            reading_list,
            actor=owner,
            title=csl["title"],
            metadata=csl,
            status="Complete",
            **kw,
        )


def other_list(owner: User, course: Course, *works: dict, **kw: Any) -> ReadingList:
    reading_list = make_list(owner=owner, courses=[course], name=f"On {course.code}")
    cite(reading_list, owner, *works)
    if kw.get("publish", True):
        services.reading_list_publish(
            actor=owner, reading_list=reading_list, visibility=Visibility.COURSE
        )
    reading_list.refresh_from_db()
    return reading_list


@dataclass
class World:
    ours: ReadingList
    l1: ReadingList
    l2: ReadingList
    l3: ReadingList
    draft: ReadingList


@pytest.fixture
def world(course: Course, instructor: User, librarian: User) -> World:
    """ours (published): A, B. l1: A (cited differently), X, Y; l2: A, X, Z;
    l3: B, Y, and H in a hidden section; a draft list: A, B, Z, H."""
    ours = make_list(owner=instructor, courses=[course], name="Ours")
    cite(ours, instructor, A, B)
    services.reading_list_publish(
        actor=instructor, reading_list=ours, visibility=Visibility.COURSE
    )
    courses = [CourseFactory.create(code=f"OTH{n}") for n in range(4)]
    l1 = other_list(librarian, courses[0], A_AS_CITED, X, Y)
    l2 = other_list(librarian, courses[1], A, X, Z)
    l3 = other_list(librarian, courses[2], B, Y)
    hidden = services.section_add(actor=librarian, reading_list=l3, name="Hidden")
    Section.objects.filter(pk=hidden.pk).update(visible=False)
    cite(l3, librarian, H, section=hidden)
    draft = other_list(librarian, courses[3], A, B, Z, H, publish=False)
    ours.refresh_from_db()
    return World(ours, l1, l2, l3, draft)

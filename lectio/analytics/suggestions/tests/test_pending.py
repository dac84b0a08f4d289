"""The refresh of pending lists leaves the counts a full refresh would give: after a
list is deleted, when a citation joins two works, when a work's citations no
longer share keys, and after any sequence of list changes."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from lectio.accounts.models import User
from lectio.analytics.suggestions.models import CoCitation, ListWork, Work, WorkAlias
from lectio.analytics.suggestions.refresh import (
    counted_citations,
    refresh_all,
    refresh_pending,
)
from lectio.analytics.suggestions.tests.conftest import cite, work
from lectio.analytics.suggestions.works import citation_keys
from lectio.core.factories import CourseFactory, make_list
from lectio.lists import services
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import PublicationStatus, Visibility

pytestmark = pytest.mark.django_db

Counts = tuple[
    frozenset[tuple[frozenset[int], frozenset[int], int, int]],
    frozenset[tuple[int, frozenset[int]]],
    frozenset[tuple[frozenset[int], int]],
]


def counts() -> Counts:
    """The stored counts, each work named by the counted citations it holds (ids
    of works differ from one refresh to another), after checking that every key
    of a counted citation names the citation's one work."""
    alias = dict(WorkAlias.objects.values_list("alias", "work_id"))
    members: dict[int, set[int]] = defaultdict(set)
    for (
        pk,
        material_type,
        metadata,
        title,
        record_id,
    ) in counted_citations().values_list(
        "id", "material_type", "metadata", "title", "catalog_record_id"
    ):
        keys = citation_keys(
            metadata=metadata or {},
            material_type=material_type,
            record_id=record_id,
            title=title,
        )
        works = {alias.get(k) for k in keys}
        assert len(works) == 1 and None not in works, (title, keys, works)
        members[works.pop()].add(pk)  # type: ignore[arg-type]
    named = {w: frozenset(c) for w, c in members.items()}
    # A work no counted citation holds has nothing to say.
    assert not CoCitation.objects.exclude(work_id__in=list(named)).exists()
    cocited = frozenset(
        (named[w], named[o], lists, courses)
        for w, o, lists, courses in CoCitation.objects.values_list(
            "work_id", "other_id", "lists", "courses"
        )
    )
    cited = frozenset(
        (lst, named[w])
        for lst, w in ListWork.objects.values_list("reading_list_id", "work_id")
    )
    listed = frozenset(
        (named[w], n)
        for w, n in Work.objects.filter(pk__in=list(named)).values_list(
            "pk", "list_count"
        )
    )
    return cocited, cited, listed


def assert_pending_is_full() -> None:
    refresh_pending()
    after_pending = counts()
    refresh_all()
    assert after_pending == counts()


@pytest.fixture(autouse=True)
def _every_pair(settings: Any) -> None:
    # Every pair counted and kept, so that the comparison sees them all (the best
    # few of a tie may be ordered by work ids, which differ between refreshes).
    settings.LECTIO_SUGGESTIONS_MIN_LISTS = 1
    settings.LECTIO_SUGGESTIONS_TOP = 100


def published(owner: User, code: str, *works: dict) -> ReadingList:
    course = CourseFactory.create(code=code)
    reading_list = make_list(owner=owner, courses=[course], name=f"On {code}")
    cite(reading_list, owner, *works)
    services.reading_list_publish(
        actor=owner, reading_list=reading_list, visibility=Visibility.COURSE
    )
    reading_list.refresh_from_db()
    return reading_list


# Alpha and its other forms: the ISBN of one, the title and author of another.
ALPHA = work("Alpha", "9780679772538", "Smith")
ALPHA_TITLE = work("Alpha", "", "Smith")
ALPHA_ISBN = work("Alpha: a study", "0679772537", "Smyth")
BETA = work("Beta", "9781844670864", "Jones")
# The ISBN of Beta and the title and author of Alpha: joins the two.
BRIDGE = work("Alpha", "9781844670864", "Smith")
GAMMA = work("Gamma", "", "Brown")
DELTA = work("Delta", "9780393060959", "Green")
EPSILON = work("Epsilon", "", "White")


def test_a_deleted_lists_cocitations_go_with_it(instructor: User) -> None:
    one = published(instructor, "C1", ALPHA, BETA, GAMMA)
    published(instructor, "C2", ALPHA, BETA)
    published(instructor, "C3", BETA, GAMMA, DELTA)
    refresh_all()
    alpha = Work.objects.get(key="i:9780679772538")
    beta = Work.objects.get(key="i:9781844670864")
    assert CoCitation.objects.get(work=alpha, other=beta).lists == 2

    services.reading_list_delete(actor=instructor, reading_list=one)
    # Its rows stay, without the list, for the refresh to find its works.
    assert ListWork.objects.filter(reading_list__isnull=True).count() == 3

    refresh_pending()

    assert CoCitation.objects.get(work=alpha, other=beta).lists == 1
    assert not CoCitation.objects.filter(work=alpha, other__title="Gamma").exists()
    assert not ListWork.objects.filter(reading_list__isnull=True).exists()
    assert Work.objects.get(pk=alpha.pk).list_count == 1
    after_pending = counts()
    refresh_all()
    assert after_pending == counts()


def test_deleting_a_section_or_items_is_counted_again(instructor: User) -> None:
    one = published(instructor, "C1", ALPHA, BETA)
    services.section_add(actor=instructor, reading_list=one, name="More")
    more = one.sections.get(name="More")
    cite(one, instructor, GAMMA, DELTA, section=more)
    published(instructor, "C2", ALPHA, GAMMA, DELTA)
    refresh_all()

    services.section_delete(actor=instructor, section=more)
    assert_pending_is_full()
    services.citation_delete(
        actor=instructor, citation=one.citations.get(title="Alpha")
    )
    assert_pending_is_full()


def test_a_citation_joining_two_works_makes_them_one(instructor: User) -> None:
    published(instructor, "C1", ALPHA, GAMMA)
    published(instructor, "C2", BETA, DELTA)
    three = published(instructor, "C3", EPSILON)
    refresh_all()
    assert Work.objects.count() == 5

    cite(three, instructor, BRIDGE)
    refresh_pending()

    # Alpha, Beta and the bridge are one work, on all three lists.
    joined = Work.objects.get(aliases__alias="i:9780679772538")
    assert WorkAlias.objects.get(alias="i:9781844670864").work_id == joined.pk
    assert joined.list_count == 3
    assert Work.objects.count() == 4
    assert set(
        CoCitation.objects.filter(work=joined).values_list("other__title", "lists")
    ) == {("Gamma", 1), ("Delta", 1), ("Epsilon", 1)}
    after_pending = counts()
    refresh_all()
    assert after_pending == counts()


def test_a_work_comes_apart_when_the_citation_joining_it_goes(
    instructor: User,
) -> None:
    published(instructor, "C1", ALPHA_TITLE, GAMMA)
    published(instructor, "C2", ALPHA_ISBN, DELTA)
    three = published(instructor, "C3", ALPHA, EPSILON)
    refresh_all()
    assert Work.objects.filter(title__startswith="Alpha").count() == 1

    services.citation_delete(
        actor=instructor, citation=three.citations.get(title="Alpha")
    )
    refresh_pending()

    # The title of one and the ISBN of the other no longer meet.
    assert Work.objects.filter(title__startswith="Alpha").count() == 2
    after_pending = counts()
    refresh_all()
    assert after_pending == counts()


POOL = [ALPHA, ALPHA_TITLE, ALPHA_ISBN, BETA, BRIDGE, GAMMA, DELTA, EPSILON]
action = st.one_of(
    st.tuples(st.just("add"), st.integers(0, 3), st.integers(0, len(POOL) - 1)),
    st.tuples(st.just("remove"), st.integers(0, 3), st.integers(0, 20)),
    st.tuples(st.just("delete"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("publish"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("unpublish"), st.integers(0, 3), st.just(0)),
    st.tuples(st.just("refresh"), st.just(0), st.just(0)),
)


class _Rollback(Exception):
    pass


@hypothesis_settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    start=st.lists(
        st.lists(st.integers(0, len(POOL) - 1), max_size=4), min_size=4, max_size=4
    ),
    actions=st.lists(action, max_size=12),
)
def test_any_changes_then_the_pending_refresh_equal_a_full_refresh(
    instructor: User, start: list[list[int]], actions: list[tuple[str, int, int]]
) -> None:
    try:
        with transaction.atomic():
            _play(instructor, start, actions)
            raise _Rollback
    except _Rollback:
        pass


def _play(
    owner: User, start: list[list[int]], actions: list[tuple[str, int, int]]
) -> None:
    lists = [
        published(owner, f"P{n}-{ReadingList.objects.count()}", *(POOL[i] for i in s))
        for n, s in enumerate(start)
    ]
    refresh_all()
    alive = [True] * len(lists)
    for verb, which, arg in actions:
        if verb == "refresh":
            refresh_pending()
            continue
        if not alive[which]:
            continue
        reading_list = ReadingList.objects.get(pk=lists[which].pk)
        if verb == "add":
            cite(reading_list, owner, POOL[arg])
        elif verb == "remove":
            items = list(
                Citation.objects.filter(reading_list=reading_list).order_by("id")
            )
            if items:
                services.citation_delete(actor=owner, citation=items[arg % len(items)])
        elif verb == "delete":
            services.reading_list_delete(actor=owner, reading_list=reading_list)
            alive[which] = False
        elif verb == "publish":
            if reading_list.publication_status != PublicationStatus.PUBLISHED:
                services.reading_list_publish(
                    actor=owner, reading_list=reading_list, visibility=Visibility.COURSE
                )
        elif reading_list.publication_status == PublicationStatus.PUBLISHED:
            services.reading_list_set_publication(
                actor=owner,
                reading_list=reading_list,
                publication_status=PublicationStatus.DRAFT,
            )
    assert_pending_is_full()

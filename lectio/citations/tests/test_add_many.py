"""`lists.services.citation_add_many`, the bulk form of citation_add the import uses,
gives what citation_add gives one by one."""

from __future__ import annotations

from typing import Any

import pytest

from lectio.core.factories import make_list
from lectio.core.models import Event
from lectio.lists import services
from lectio.lists.models import Citation, CitationStatusRule
from lectio.lists.services import ServiceError

ITEMS = [
    (
        "book",
        {
            "type": "book",
            "title": "Ways of Seeing",
            "author": [{"family": "Berger", "given": "John"}],
        },
    ),
    ("website", {"type": "webpage", "title": "A page", "URL": "https://example.org/"}),
    (
        "article",
        {"type": "article-journal", "title": "An article", "container-title": "J"},
    ),
]
COMPARED = (
    "position",
    "material_type",
    "metadata",
    "title",
    "author",
    "status",
    "rendered_html",
    "rendered_style",
    "created_by_id",
)


def _rows(section: Any) -> list[tuple[Any, ...]]:
    return [
        tuple(getattr(c, f) for f in COMPARED)
        for c in Citation.objects.filter(section=section).order_by("position")
    ]


def _events(list_id: int) -> list[tuple[Any, ...]]:
    return [
        (e.actor_id, e.verb, e.summary, e.params)
        for e in Event.objects.filter(list_id=list_id, verb="citation.add").order_by(
            "id"
        )
    ]


@pytest.mark.parametrize("sent", [False, True])
def test_many_at_once_equals_one_by_one(instructor: Any, sent: bool) -> None:
    CitationStatusRule.objects.create(
        material_type="website", status="Complete", position=0, enabled=True
    )
    one = make_list(owner=instructor, sections=["S"], send_to_library=sent)
    many = make_list(owner=instructor, sections=["S"], send_to_library=sent)
    s1, s2 = one.sections.get(name="S"), many.sections.get(name="S")
    for material_type, metadata in ITEMS:
        services.citation_add(
            actor=instructor,
            reading_list=one,
            section=s1,
            material_type=material_type,
            metadata=dict(metadata),
        )

    added = services.citation_add_many(
        actor=instructor,
        reading_list=many,
        section=s2,
        items=[(m, dict(d)) for m, d in ITEMS],
    )

    assert _rows(s2) == _rows(s1)
    assert [c.pk for c in added] == [
        c.pk for c in Citation.objects.filter(section=s2).order_by("position")
    ]
    assert [r[5] for r in _rows(s2)][1] == "Complete"
    assert _events(many.pk) == _events(one.pk)
    one.refresh_from_db()
    many.refresh_from_db()
    assert (many.content_version > 1, many.library_alert_at is None) == (
        True,
        one.library_alert_at is None,
    )


def test_one_bad_item_adds_none(instructor: Any) -> None:
    rl = make_list(owner=instructor)
    section = rl.sections.get()

    with pytest.raises(ServiceError, match="needs a title"):
        services.citation_add_many(
            actor=instructor,
            reading_list=rl,
            section=section,
            items=[ITEMS[0], ("book", {"type": "book", "title": " "})],
        )

    assert not Citation.objects.filter(reading_list=rl).exists()

"""Suggestions of related material for a list and for a citation, as the list's
pages show them: for whoever may read the list (keys: analytics:read). What a reader
is shown starts only from the items readers see; the counts come from published
lists alone (docs/suggestions.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from lectio.analytics.suggestions import selectors as suggest
from lectio.api.auth import caller
from lectio.lists import selectors
from lectio.lists.permissions import Right

router = Router(tags=["analytics"])
AREA = "analytics"


class SuggestionOut(Schema):
    kind: str = Field(
        description="'cocited' (often on the same lists) or 'similar' (a catalog "
        "record alike in subject and title)"
    )
    title: str
    author: str
    year: str
    record_id: int | None = Field(description="The catalog record, when there is one")
    work_id: int | None = Field(description="The work, for a co-cited title")
    explanation: str = Field(description="Why it is suggested, in words")
    because_citation_id: int = Field(
        description="The item of the list it was found from"
    )
    lists: int | None = Field(
        description="Other published lists citing both (co-cited only)"
    )
    courses: int | None = Field(description="The courses of those lists")
    score: float | None = Field(description="Similarity, 0-1 a pair (similar only)")
    shared_subjects: list[str]


class SuggestionsOut(Schema):
    list_id: int
    citation_id: int | None
    cocited: list[SuggestionOut]
    similar: list[SuggestionOut]


def _out(
    list_id: int, citation_id: int | None, found: suggest.Suggestions
) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "citation_id": citation_id,
        "cocited": [s.as_json() for s in found.cocited],
        "similar": [s.as_json() for s in found.similar],
    }


@router.get(
    "/analytics/lists/{list_id}/suggestions",
    response=SuggestionsOut,
    summary="Related material for a list",
)
def list_suggestions(request: HttpRequest, list_id: int) -> dict[str, Any]:
    user = caller(request, AREA)
    reading_list, right = selectors.reading_list_get_for_reader(
        user=user, list_id=list_id
    )
    found = suggest.list_suggestions(
        reading_list=reading_list, as_reader=right < Right.EDIT
    )
    return _out(reading_list.pk, None, found)


@router.get(
    "/analytics/citations/{citation_id}/suggestions",
    response=SuggestionsOut,
    summary="Related material for a citation",
)
def citation_suggestions(request: HttpRequest, citation_id: int) -> dict[str, Any]:
    user = caller(request, AREA)
    citation, right = selectors.citation_get_for_reader(
        user=user, citation_id=citation_id
    )
    found = suggest.citation_suggestions(
        citation=citation, as_reader=right < Right.EDIT
    )
    return _out(citation.reading_list_id, citation.pk, found)

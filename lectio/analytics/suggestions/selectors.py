"""Reading the precomputed suggestions for a list or a citation. The caller has
checked that the viewer may see the list (lists.selectors); what they may see of it
decides what the suggestions start from: a reader's suggestions start only from the
items readers see, so an explanation never names an item they cannot see.

A fixed number of queries whatever the list's size: the list's items, the works they
belong to, the co-citations, the similar records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lectio.analytics.suggestions.models import CoCitation, SimilarRecord, WorkAlias
from lectio.analytics.suggestions.works import citation_keys
from lectio.lists.locate import normalise_title
from lectio.lists.models import Citation, ReadingList
from lectio.lists.selectors import citation_visible_to_readers

LIMIT = 5


@dataclass
class Suggestion:
    kind: str  # "cocited" or "similar"
    title: str
    author: str
    year: str
    record_id: int | None
    work_id: int | None
    explanation: str
    # The item of the list it was found from.
    because_citation_id: int
    lists: int | None = None
    courses: int | None = None
    score: float | None = None
    shared_subjects: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"w{self.work_id}" if self.work_id else f"r{self.record_id}"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "author": self.author,
            "year": self.year,
            "record_id": self.record_id,
            "work_id": self.work_id,
            "explanation": self.explanation,
            "because_citation_id": self.because_citation_id,
            "lists": self.lists,
            "courses": self.courses,
            "score": self.score,
            "shared_subjects": self.shared_subjects,
        }


@dataclass
class Suggestions:
    cocited: list[Suggestion] = field(default_factory=list)
    similar: list[Suggestion] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cocited or self.similar)

    def all(self) -> list[Suggestion]:
        return [*self.cocited, *self.similar]


@dataclass
class _Item:
    citation_id: int
    title: str
    record_id: int | None
    keys: list[str]
    visible: bool


# The list's items with their keys, per content version (any change readers see
# bumps it): working out 300 items' keys costs more than the rest of a lookup.
ITEMS_SECONDS = 3600


def _items(reading_list: ReadingList) -> list[_Item]:
    from lectio.accounts.models import InstitutionSettings

    only_complete = InstitutionSettings.cached().students_see_only_complete
    key = (
        f"suggest:items:{reading_list.pk}:{reading_list.content_version}"
        f":{int(only_complete)}"
    )
    found = cache.get(key)
    if found is None:
        found = _read_items(reading_list)
        cache.set(key, found, ITEMS_SECONDS)
    return found


def _read_items(reading_list: ReadingList) -> list[_Item]:
    rows = (
        Citation.objects.filter(reading_list=reading_list)
        .order_by("section__position", "position", "id")
        .values_list(
            "id",
            "material_type",
            "metadata",
            "title",
            "catalog_record_id",
            "status",
            "section__visible",
        )
    )
    out = []
    for pk, material_type, metadata, title, record_id, status, shown in rows:
        out.append(
            _Item(
                citation_id=pk,
                title=title or str((metadata or {}).get("title") or ""),
                record_id=record_id,
                keys=citation_keys(
                    metadata=metadata or {},
                    material_type=material_type,
                    record_id=record_id,
                    title=title,
                ),
                visible=bool(shown)
                and citation_visible_to_readers(Citation(status=status)),
            )
        )
    return out


def _works(items: Iterable[_Item]) -> dict[int, int]:
    """citation id -> work id, through the strongest key that names a work."""
    items = list(items)
    keys = {k for item in items for k in item.keys}
    if not keys:
        return {}
    known = dict(
        WorkAlias.objects.filter(alias__in=sorted(keys)).values_list("alias", "work_id")
    )
    out = {}
    for item in items:
        for key in item.keys:
            if key in known:
                out[item.citation_id] = known[key]
                break
    return out


def _works_with_keys(work_ids: set[int], keys: set[str]) -> set[int]:
    """Those of `work_ids` that one of `keys` belongs to."""
    if not work_ids or not keys:
        return set()
    return {
        work_id
        for work_id, alias in WorkAlias.objects.filter(
            work_id__in=sorted(work_ids)
        ).values_list("work_id", "alias")
        if alias in keys
    }


def _quoted(title: str) -> str:
    title = " ".join(title.split())
    return f"“{title[:80]}…”" if len(title) > 80 else f"“{title}”"


def cocitation_text(lists: int, courses: int, title: str, more: int = 0) -> str:
    text = ngettext(
        "On %(lists)d other list (%(courses)s) with %(title)s",
        "On %(lists)d other lists (%(courses)s) with %(title)s",
        lists,
    ) % {
        "lists": lists,
        "courses": ngettext("%(n)d course", "%(n)d courses", courses) % {"n": courses},
        "title": _quoted(title),
    }
    if more:
        text += ngettext(
            ", and with %(n)d more item of this list",
            ", and with %(n)d more items of this list",
            more,
        ) % {"n": more}
    return text


def similar_text(title: str, shared: list[str]) -> str:
    if shared:
        return _("Like %(title)s in subject: %(subjects)s") % {
            "title": _quoted(title),
            "subjects": "; ".join(shared),
        }
    return _("Like %(title)s in the words of its title") % {"title": _quoted(title)}


def _suggest(items: list[_Item], anchors: list[_Item], *, limit: int) -> Suggestions:
    # Only the anchors' keys are looked up; whether a candidate is on the list is
    # decided by its own keys against the list's, so a citation's lookup reads a few
    # rows whatever the list's size.
    work_of = _works(anchors)
    list_keys = {k for i in items for k in i.keys}
    own_records = {i.record_id for i in items if i.record_id}
    anchor_work: dict[int, _Item] = {}
    for item in anchors:
        work_id = work_of.get(item.citation_id)
        if work_id is not None:
            anchor_work.setdefault(work_id, item)
    anchor_record: dict[int, _Item] = {}
    for item in anchors:
        if item.record_id:
            anchor_record.setdefault(item.record_id, item)
    found = Suggestions()
    best: dict[int, tuple[tuple[int, int], CoCitation, int]] = {}
    if anchor_work:
        rows = list(
            CoCitation.objects.filter(work_id__in=sorted(anchor_work))
            .exclude(other_id__in=sorted(anchor_work))
            .select_related("other")
            .order_by("work_id", "rank")
        )
        on_list = _works_with_keys({r.other_id for r in rows}, list_keys)
        for row in rows:
            if row.other_id in on_list:
                continue
            if row.other.record_id and row.other.record_id in own_records:
                continue
            score = (row.lists, row.courses)
            held = best.get(row.other_id)
            if held is None:
                best[row.other_id] = (score, row, 1)
            else:
                top = (score, row) if score > held[0] else (held[0], held[1])
                best[row.other_id] = (top[0], top[1], held[2] + 1)
    ranked = sorted(
        best.values(), key=lambda v: (-v[0][0], -v[0][1], -v[2], v[1].other.title)
    )
    for (lists, courses), row, anchors_n in ranked[:limit]:
        other = row.other
        because = anchor_work[row.work_id]
        found.cocited.append(
            Suggestion(
                kind="cocited",
                title=other.title,
                author=other.author,
                year=other.year,
                record_id=other.record_id,
                work_id=other.pk,
                explanation=cocitation_text(
                    lists, courses, because.title, more=anchors_n - 1
                ),
                because_citation_id=because.citation_id,
                lists=lists,
                courses=courses,
            )
        )
    shown_records = {s.record_id for s in found.cocited if s.record_id}
    if anchor_record:
        totals: dict[int, float] = {}
        tops: dict[int, SimilarRecord] = {}
        rows_s = (
            SimilarRecord.objects.filter(record_id__in=sorted(anchor_record))
            .exclude(other_id__in=sorted(own_records))
            .select_related("other")
            .only(
                "record_id",
                "other_id",
                "score",
                "shared",
                "other__title",
                "other__author",
                "other__year",
            )
            .order_by("record_id", "rank")
        )
        own_titles = {normalise_title(i.title) for i in items}
        for srow in rows_s:
            if srow.other_id in shown_records:
                continue
            if normalise_title(srow.other.title) in own_titles:
                continue
            totals[srow.other_id] = totals.get(srow.other_id, 0.0) + srow.score
            if srow.other_id not in tops or srow.score > tops[srow.other_id].score:
                tops[srow.other_id] = srow
        order = sorted(totals, key=lambda r: (-totals[r], tops[r].other.title))
        for record_id in order[:limit]:
            srow = tops[record_id]
            because = anchor_record[srow.record_id]
            found.similar.append(
                Suggestion(
                    kind="similar",
                    title=srow.other.title,
                    author=srow.other.author,
                    year=str(srow.other.year or ""),
                    record_id=record_id,
                    work_id=None,
                    explanation=similar_text(because.title, list(srow.shared)),
                    because_citation_id=because.citation_id,
                    score=round(totals[record_id], 3),
                    shared_subjects=list(srow.shared),
                )
            )
    return found


def list_suggestions(
    *, reading_list: ReadingList, as_reader: bool, limit: int = LIMIT
) -> Suggestions:
    """What to suggest for the whole list, from every item of it (from those its
    readers see, `as_reader`), leaving out what the list has."""
    items = _items(reading_list)
    anchors = [i for i in items if i.visible] if as_reader else items
    return _suggest(items, anchors, limit=limit)


def citation_suggestions(
    *, citation: Citation, as_reader: bool, limit: int = LIMIT
) -> Suggestions:
    """What to suggest next to one item, leaving out what its list has. Nothing for
    an item readers cannot see when `as_reader`."""
    items = _items(citation.reading_list)
    anchors = [
        i
        for i in items
        if i.citation_id == citation.pk and (i.visible or not as_reader)
    ]
    return _suggest(items, anchors, limit=limit)


def is_suggested(
    *, reading_list: ReadingList, work_id: int | None, record_id: int | None
) -> bool:
    """Whether the work (or record) is suggested from some item of the list, on the
    list's page or an item's, and the list does not have it."""
    items = _items(reading_list)
    own_records = {i.record_id for i in items if i.record_id}
    if work_id is not None:
        list_keys = {k for i in items for k in i.keys}
        if _works_with_keys({work_id}, list_keys):
            return False
        own_works = set(_works(items).values())
        rows = CoCitation.objects.filter(
            work_id__in=sorted(own_works), other_id=work_id
        ).select_related("other")
        return any(
            not (r.other.record_id and r.other.record_id in own_records) for r in rows
        )
    if record_id is None or record_id in own_records:
        return False
    return SimilarRecord.objects.filter(
        record_id__in=sorted(own_records), other_id=record_id
    ).exists()

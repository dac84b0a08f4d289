"""Counting the suggestions: the whole institution (`refresh_all`, nightly), only the
lists that changed (`refresh_pending`, queued by any change to a list's items and
run by `lectio suggestions-refresh --pending`), or only the similar records
(`refresh_similar`, queued by a catalog load and run by `lectio suggestions-refresh
--similar`).

What counts: the citations that readers of a published list can see (a visible
section; Complete, or not Inactive/Declined, as the institution's setting says).
A draft, archived or inactive list, a hidden section or an item still with the
library counts for nothing, so no suggestion can tell anyone it exists."""

from __future__ import annotations

import heapq
import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from lectio.analytics.suggestions.models import (
    CoCitation,
    ListState,
    ListWork,
    SimilarRecord,
    Work,
    WorkAlias,
)
from lectio.analytics.suggestions.works import canonical, citation_keys, group
from lectio.catalog.models import Record
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import CitationStatus, PublicationStatus

ProgressFn = Callable[[str], None]
BATCH = 2000
# Parameters per IN (...) query, well under SQLite's limit.
CHUNK = 900


def _exclusive() -> None:
    """One refresh writes at a time (two background jobs may start together). On
    PostgreSQL a lock held to the end of the transaction; SQLite's IMMEDIATE
    transactions admit one writer anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5C0C17E])


def top_n() -> int:
    return int(getattr(settings, "LECTIO_SUGGESTIONS_TOP", 10))


def min_lists() -> int:
    """The fewest other lists a co-citation must be on to be suggested."""
    return max(1, int(getattr(settings, "LECTIO_SUGGESTIONS_MIN_LISTS", 2)))


def max_list_works() -> int:
    """Longer lists are not counted for co-citation: citing 2,000 titles together
    says little about any two of them, and costs their square."""
    return int(getattr(settings, "LECTIO_SUGGESTIONS_MAX_LIST_WORKS", 1000))


@dataclass
class RefreshSummary:
    lists: int = 0
    works: int = 0
    cocitations: int = 0
    records: int = 0
    similar: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "lists": self.lists,
            "works": self.works,
            "cocitations": self.cocitations,
            "records": self.records,
            "similar": self.similar,
            "seconds": round(self.seconds, 2),
        }


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def counted_citations() -> Any:
    """The citations that count: those readers of published lists see."""
    from lectio.accounts.models import InstitutionSettings

    qs = Citation.objects.filter(
        reading_list__publication_status=PublicationStatus.PUBLISHED,
        section__visible=True,
    )
    if InstitutionSettings.cached().students_see_only_complete:
        return qs.filter(status=CitationStatus.COMPLETE)
    return qs.exclude(status__in=[CitationStatus.INACTIVE, CitationStatus.DECLINED])


@dataclass
class _Cited:
    citation_id: int
    list_id: int
    record_id: int | None
    keys: list[str]


def _read_citations(list_ids: Sequence[int] | None) -> list[_Cited]:
    fields = (
        "id",
        "reading_list_id",
        "material_type",
        "metadata",
        "title",
        "catalog_record_id",
    )
    out: list[_Cited] = []
    querysets = (
        [counted_citations()]
        if list_ids is None
        else [
            counted_citations().filter(reading_list_id__in=chunk)
            for chunk in _chunks(list(list_ids))
        ]
    )
    for qs in querysets:
        rows = qs.order_by("id").values_list(*fields)
        for pk, list_id, material_type, metadata, title, record_id in rows.iterator(
            chunk_size=BATCH
        ):
            keys = citation_keys(
                metadata=metadata or {},
                material_type=material_type,
                record_id=record_id,
                title=title,
            )
            if keys:
                out.append(_Cited(pk, list_id, record_id, keys))
    return out


def _year(metadata: dict[str, Any]) -> str:
    issued = metadata.get("issued") if isinstance(metadata, dict) else None
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if (
            isinstance(parts, list)
            and parts
            and isinstance(parts[0], list)
            and parts[0]
        ):
            return str(parts[0][0])[:20]
        if issued.get("raw"):
            return str(issued["raw"])[:20]
    return ""


def _new_works(groups: dict[Any, list[_Cited]]) -> dict[Any, Work]:
    """Unsaved works for groups of citations, described by one citation each (one
    linked to the group's record if there is one, else the oldest)."""
    representative: dict[Any, _Cited] = {}
    for number, members in groups.items():
        linked = [c for c in members if c.record_id]
        representative[number] = min(linked or members, key=lambda c: c.citation_id)
    by_id: dict[int, tuple[str, str, str, dict]] = {}
    ids = [c.citation_id for c in representative.values()]
    for chunk in _chunks(ids):
        for pk, title, author, material_type, metadata in Citation.objects.filter(
            pk__in=chunk
        ).values_list("id", "title", "author", "material_type", "metadata"):
            by_id[pk] = (title, author, material_type, metadata or {})
    works: dict[Any, Work] = {}
    for number, rep in representative.items():
        title, author, material_type, metadata = by_id[rep.citation_id]
        keys = {k for c in groups[number] for k in c.keys}
        records = [c.record_id for c in groups[number] if c.record_id]
        works[number] = Work(
            key=canonical(keys),
            title=(title or str(metadata.get("title") or ""))[:1000],
            author=(author or "")[:500],
            year=_year(metadata),
            material_type=material_type,
            record_id=min(records) if records else None,
            metadata=metadata,
        )
    return works


# --- co-citation ---------------------------------------------------------------------


def _list_courses(list_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    link = ReadingList.courses.through
    found: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(set(list_ids))):
        for list_id, course_id in link.objects.filter(
            readinglist_id__in=chunk
        ).values_list("readinglist_id", "course_id"):
            found[list_id].append(course_id)
    return {k: tuple(v) for k, v in found.items()}


def count_cocitations(
    pairs: Iterable[tuple[int, int]], anchors: Iterable[int] | None = None
) -> list[CoCitation]:
    """Unsaved co-citations from (list, work) pairs: for each anchor work (all works
    when None), the works cited with it on at least `min_lists()` other lists, the
    `top_n()` best by lists, then courses."""
    works_of: dict[int, list[int]] = defaultdict(list)
    for list_id, work_id in pairs:
        works_of[list_id].append(work_id)
    cap = max_list_works()
    works_of = {k: v for k, v in works_of.items() if len(v) <= cap}
    lists_of: dict[int, list[int]] = defaultdict(list)
    for list_id, work_ids in works_of.items():
        for work_id in work_ids:
            lists_of[work_id].append(list_id)
    courses_of = _list_courses(works_of)
    least, n = min_lists(), top_n()
    out: list[CoCitation] = []
    wanted = lists_of.keys() if anchors is None else anchors
    for anchor in sorted(set(wanted)):
        anchor_lists = lists_of.get(anchor)
        if not anchor_lists or len(anchor_lists) < least:
            continue
        counter: Counter[int] = Counter()
        for list_id in anchor_lists:
            counter.update(works_of[list_id])
        del counter[anchor]
        candidates = [(c, -w) for w, c in counter.items() if c >= least]
        if not candidates:
            continue
        anchor_set = set(anchor_lists)
        scored = []
        for c, neg in heapq.nlargest(n * 3, candidates):
            shared = anchor_set.intersection(lists_of[-neg])
            courses = {x for lst in shared for x in courses_of.get(lst, ())}
            scored.append((c, len(courses), neg))
        scored.sort(reverse=True)
        for rank, (c, courses_n, neg) in enumerate(scored[:n]):
            out.append(
                CoCitation(
                    work_id=anchor,
                    other_id=-neg,
                    lists=c,
                    courses=courses_n,
                    rank=rank,
                )
            )
    return out


# --- similar records -----------------------------------------------------------------

_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "de",
        "der",
        "des",
        "die",
        "du",
        "for",
        "from",
        "how",
        "in",
        "into",
        "is",
        "it",
        "la",
        "le",
        "les",
        "of",
        "on",
        "or",
        "other",
        "the",
        "their",
        "to",
        "und",
        "what",
        "when",
        "which",
        "why",
        "with",
    ]
)
_HEADING_SPACE = re.compile(r"\s*--\s*")
# A term on more records than this joins too much to say much, and its pairs cost
# its square: left out of the comparison (it still weighs in each record's norm).
MAX_DF = 500


def _heading(text: str) -> str:
    """ "Nationalism--History." and "Nationalism -- History" alike."""
    parts = (p.strip() for p in _HEADING_SPACE.split(text.strip().rstrip(".")))
    return " -- ".join(p for p in parts if p)


def record_terms(title: str, subjects: Any) -> dict[str, float]:
    """A record's terms and their weight before IDF: each subject heading whole
    (weight 1) and its main heading (0.5); each title word of three letters or more
    that is not a stop word (0.5)."""
    from lectio.catalog.search.base import tokens

    terms: dict[str, float] = {}
    for heading in _subject_strings(subjects):
        whole = _heading(heading)
        if not whole:
            continue
        terms["s:" + whole.casefold()] = 1.0
        main = whole.split(" -- ", 1)[0].casefold()
        if main != whole.casefold():
            terms.setdefault("s:" + main, 0.5)
    for word in tokens(title):
        if len(word) >= 3 and word not in _STOP and not word.isdigit():
            terms.setdefault("w:" + word, 0.5)
    return terms


def _subject_strings(subjects: Any) -> list[str]:
    from lectio.catalog.search.base import _strings

    return _strings(subjects)


def count_similar(records: Iterable[tuple[int, str, Any]]) -> list[SimilarRecord]:
    """Unsaved similar records: for each record, the `top_n()` others with the
    highest cosine of TF-IDF vectors over subject headings and title words, at
    least 0.2, sharing a subject heading or two title words. Terms on more than
    a twentieth of the records (and at least 200) are left out: they join
    everything to everything and tell little; so are terms on more than MAX_DF
    records, whose pairs would cost their square."""
    from lectio.lists.locate import normalise_title

    vectors: dict[int, dict[str, float]] = {}
    labels: dict[str, str] = {}
    titles: dict[int, str] = {}
    for pk, title, subjects in records:
        titles[pk] = normalise_title(title)
        terms = record_terms(title, subjects)
        if terms:
            vectors[pk] = terms
        for heading in _subject_strings(subjects):
            whole = _heading(heading)
            labels.setdefault("s:" + whole.casefold(), whole)
            main = whole.split(" -- ", 1)[0]
            labels.setdefault("s:" + main.casefold(), main)
    total = len(vectors)
    df: Counter[str] = Counter()
    for terms in vectors.values():
        df.update(terms.keys())
    cap = min(MAX_DF, max(200, total // 20))
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    weighted: dict[int, dict[str, float]] = {}
    for pk, terms in vectors.items():
        vec = {t: w * math.log(1 + total / df[t]) for t, w in terms.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        vec = {t: v / norm for t, v in vec.items()}
        weighted[pk] = vec
        for term, value in vec.items():
            if 2 <= df[term] <= cap:
                postings[term].append((pk, value))
    n = top_n()
    out: list[SimilarRecord] = []
    for pk in sorted(weighted):
        vec = weighted[pk]
        scores: dict[int, float] = defaultdict(float)
        overlap: dict[int, list[str]] = defaultdict(list)
        for term, value in vec.items():
            for other, other_value in postings.get(term, ()):
                if other != pk:
                    scores[other] += value * other_value
                    overlap[other].append(term)
        best = heapq.nlargest(
            n,
            (
                (score, -other)
                for other, score in scores.items()
                if score >= 0.2
                # Another edition or format of the same title is not a suggestion.
                and titles[other] != titles[pk]
                and (
                    any(t.startswith("s:") for t in overlap[other])
                    or len(overlap[other]) >= 2
                )
            ),
        )
        for rank, (score, neg) in enumerate(best):
            shared: list[str] = []
            for term in sorted(
                (t for t in overlap[-neg] if t.startswith("s:")),
                key=lambda t: (-vec[t], t),
            ):
                label = labels.get(term, term[2:])
                # A main heading says nothing more than a whole one it begins.
                if not any(s.startswith(label + " -- ") for s in shared):
                    shared.append(label)
            shared = shared[:3]
            out.append(
                SimilarRecord(
                    record_id=pk,
                    other_id=-neg,
                    score=round(score, 4),
                    shared=shared,
                    rank=rank,
                )
            )
    return out


# --- the refreshes -------------------------------------------------------------------


def _snapshot(list_ids: Sequence[int] | None) -> dict[int, tuple[int, str]]:
    qs = ReadingList.objects.all()
    if list_ids is not None:
        found: dict[int, tuple[int, str]] = {}
        for chunk in _chunks(list(list_ids)):
            found.update(
                (pk, (cv, pub))
                for pk, cv, pub in qs.filter(pk__in=chunk).values_list(
                    "pk", "content_version", "publication_status"
                )
            )
        return found
    return {
        pk: (cv, pub)
        for pk, cv, pub in qs.values_list("pk", "content_version", "publication_status")
    }


def _record_states(snapshot: dict[int, tuple[int, str]]) -> None:
    now = timezone.now()
    ids = list(snapshot)
    for chunk in _chunks(ids):
        ListState.objects.filter(pk__in=chunk).delete()
    ListState.objects.bulk_create(
        [
            ListState(
                reading_list_id=pk,
                content_version=cv,
                publication_status=pub,
                pending=False,
                refreshed_at=now,
            )
            for pk, (cv, pub) in snapshot.items()
        ],
        batch_size=BATCH,
    )


def _list_counts(work_ids: Iterable[int] | None = None) -> None:
    """Each work's number of published lists, from ListWork."""
    qs = (
        ListWork.objects.filter(reading_list__isnull=False)
        .values("work_id")
        .annotate(n=Count("id"))
    )
    ids = None if work_ids is None else sorted(set(work_ids))
    chunks = [qs] if ids is None else [qs.filter(work_id__in=c) for c in _chunks(ids)]
    counts: dict[int, int] = {}
    for part in chunks:
        counts.update((row["work_id"], row["n"]) for row in part)
    targets = ids if ids is not None else list(counts)
    by_count: dict[int, list[int]] = defaultdict(list)
    for work_id in targets:
        by_count[counts.get(work_id, 0)].append(work_id)
    for n, work_ids_n in by_count.items():
        for chunk in _chunks(work_ids_n):
            Work.objects.filter(pk__in=chunk).update(list_count=n)


def refresh_all(*, progress: ProgressFn | None = None) -> RefreshSummary:
    """Counts everything again, for the whole institution, in one transaction
    (readers see the old suggestions until it commits)."""
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    snapshot = _snapshot(None)
    cited = _read_citations(None)
    say(f"read {len(cited):,} citations")
    numbers = group([c.keys for c in cited])
    groups: dict[int, list[_Cited]] = defaultdict(list)
    for c, number in zip(cited, numbers, strict=True):
        groups[number].append(c)
    works = _new_works(groups)
    say(f"grouped them into {len(works):,} works")
    records = _records()
    similar = count_similar(records)
    say(f"found {len(similar):,} similar records among {len(records):,}")
    with transaction.atomic():
        _exclusive()
        CoCitation.objects.all().delete()
        ListWork.objects.all().delete()
        WorkAlias.objects.all().delete()
        Work.objects.all().delete()
        SimilarRecord.objects.all().delete()
        ordered = sorted(works)
        saved = Work.objects.bulk_create([works[n] for n in ordered], batch_size=BATCH)
        work_id = {n: w.pk for n, w in zip(ordered, saved, strict=True)}
        aliases: dict[str, int] = {}
        for number, members in groups.items():
            for c in members:
                for key in c.keys:
                    aliases.setdefault(key, work_id[number])
        WorkAlias.objects.bulk_create(
            [WorkAlias(alias=a, work_id=w) for a, w in aliases.items()],
            batch_size=BATCH,
        )
        pairs = sorted(
            {(c.list_id, work_id[n]) for c, n in zip(cited, numbers, strict=True)}
        )
        ListWork.objects.bulk_create(
            [ListWork(reading_list_id=lst, work_id=w) for lst, w in pairs],
            batch_size=BATCH,
        )
        _list_counts()
        cocitations = count_cocitations(pairs)
        CoCitation.objects.bulk_create(cocitations, batch_size=BATCH)
        say(f"counted {len(cocitations):,} co-citations")
        SimilarRecord.objects.bulk_create(similar, batch_size=BATCH)
        _record_states(snapshot)
    return RefreshSummary(
        lists=len(snapshot),
        works=len(works),
        cocitations=len(cocitations),
        records=len(records),
        similar=len(similar),
        seconds=time.perf_counter() - started,
    )


def _records() -> list[tuple[int, str, Any]]:
    return list(Record.objects.values_list("pk", "title", "subjects").iterator())


def refresh_similar(*, progress: ProgressFn | None = None) -> RefreshSummary:
    """Counts the similar records again, and nothing else, in one transaction
    (readers see the old ones until it commits): what a catalog change needs, as
    the works and co-citations come from the lists alone."""
    say = progress or (lambda _text: None)
    started = time.perf_counter()
    records = _records()
    similar = count_similar(records)
    say(f"found {len(similar):,} similar records among {len(records):,}")
    with transaction.atomic():
        _exclusive()
        SimilarRecord.objects.all().delete()
        SimilarRecord.objects.bulk_create(similar, batch_size=BATCH)
    return RefreshSummary(
        records=len(records),
        similar=len(similar),
        seconds=time.perf_counter() - started,
    )


def pending_list_ids() -> list[int]:
    """Lists marked pending, changed since they were counted (their content
    version or publication status), or never counted."""
    states = {
        pk: (cv, pub, pending)
        for pk, cv, pub, pending in ListState.objects.values_list(
            "pk", "content_version", "publication_status", "pending"
        )
    }
    out = []
    for pk, cv, pub in ReadingList.objects.values_list(
        "pk", "content_version", "publication_status"
    ):
        state = states.get(pk)
        if state is None or state[2] or state[0] != cv or state[1] != pub:
            out.append(pk)
    return sorted(out)


def refresh_lists(list_ids: Sequence[int]) -> RefreshSummary:
    """Counts these lists again, a few hundred a transaction, so that afterwards the
    counts are those a full refresh would give: the works of every citation these
    lists cite or cited (new citations join the works they share a key with, two
    works a citation joins become one, a work whose citations no longer share keys
    comes apart), and the co-citations of every work whose lists changed. The works
    of deleted lists are counted again too."""
    started = time.perf_counter()
    summary = RefreshSummary()
    todo = sorted(set(list_ids))
    waiting = set(todo)
    first = True
    while todo or (first and _orphans_exist()):
        first = False
        chunk, todo = todo[:200], todo[200:]
        with transaction.atomic():
            part, done = _refresh_chunk(chunk, waiting)
        waiting -= done
        todo = [pk for pk in todo if pk in waiting]
        summary.lists += part.lists
        summary.works += part.works
        summary.cocitations += part.cocitations
    summary.seconds = time.perf_counter() - started
    return summary


def refresh_pending() -> RefreshSummary:
    return refresh_lists(pending_list_ids())


def _orphans_exist() -> bool:
    return ListWork.objects.filter(reading_list__isnull=True).exists()


def _works_of_lists(list_ids: Iterable[int]) -> set[int]:
    found: set[int] = set()
    for chunk in _chunks(sorted(set(list_ids))):
        found.update(
            ListWork.objects.filter(reading_list_id__in=chunk).values_list(
                "work_id", flat=True
            )
        )
    return found


def _pairs_of_works(work_ids: Iterable[int]) -> set[tuple[int, int]]:
    """(list, work) rows of these works, deleted lists' rows left out."""
    found: set[tuple[int, int]] = set()
    for chunk in _chunks(sorted(set(work_ids))):
        found.update(
            ListWork.objects.filter(
                work_id__in=chunk, reading_list__isnull=False
            ).values_list("reading_list_id", "work_id")
        )
    return found  # type: ignore[return-value]


def _aliases_of_works(work_ids: Iterable[int]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(work_ids))):
        found.update(
            WorkAlias.objects.filter(work_id__in=chunk).values_list("alias", "work_id")
        )
    return found


def _aliases_of_keys(keys: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(keys))):
        found.update(
            WorkAlias.objects.filter(alias__in=chunk).values_list("alias", "work_id")
        )
    return found


def _refresh_chunk(
    list_ids: Sequence[int], waiting: set[int]
) -> tuple[RefreshSummary, set[int]]:
    """Counts `list_ids` again (and any list still `waiting` that cites one of
    their works, so that every list read here is read as it is now). Returns the
    lists counted.

    The works are the groups a full refresh would make of the same citations:
    every counted citation's keys name its work (WorkAlias), so the citations of a
    work are those of the lists citing it (ListWork) that have one of its keys.
    Grouping again the citations of every work these lists cite, cited, or share a
    key with gives the same groups as grouping everything: no other citation
    shares a key with them."""
    _exclusive()
    orphans = set(
        ListWork.objects.filter(reading_list__isnull=True).values_list(
            "work_id", flat=True
        )
    )
    ListWork.objects.filter(reading_list__isnull=True).delete()
    chunk = set(list_ids)
    theirs: list[_Cited] = []
    old_pairs: set[tuple[int, int]] = set()
    others: set[int] = set()
    aliases: dict[str, int] = {}
    while True:
        snapshot = _snapshot(sorted(chunk))
        chunk = set(snapshot)
        old = _works_of_lists(chunk) | orphans
        cited = _read_citations(sorted(chunk))
        seeds = old | set(_aliases_of_keys(k for c in cited for k in c.keys).values())
        # The other lists citing these works; their citations of them.
        while True:
            old_pairs = _pairs_of_works(seeds)
            others = {lst for lst, _w in old_pairs} - chunk
            late = others & waiting
            if late:
                break
            aliases = _aliases_of_works(seeds)
            theirs = [
                c
                for c in _read_citations(sorted(others))
                if any(k in aliases for k in c.keys)
            ]
            # Data counted by an older refresh may name further works.
            more = (
                set(_aliases_of_keys(k for c in theirs for k in c.keys).values())
                - seeds
            )
            if not more:
                break
            seeds |= more
        if late:
            chunk |= late
            continue
        break
    region = cited + theirs
    numbers = group([c.keys for c in region])
    groups: dict[int, list[_Cited]] = defaultdict(list)
    for c, number in zip(region, numbers, strict=True):
        groups[number].append(c)
    # Each group keeps the oldest work it has keys of that no bigger group took;
    # the others are new works.
    before = {
        n: {aliases[k] for c in members for k in c.keys if k in aliases}
        for n, members in groups.items()
    }
    shares = Counter(w for works in before.values() for w in works)
    assigned: dict[int, int] = {}
    taken: set[int] = set()
    order = sorted(
        groups, key=lambda n: (-len(groups[n]), min(c.citation_id for c in groups[n]))
    )
    for number in order:
        touched = sorted(before[number] - taken)
        if touched:
            assigned[number] = touched[0]
            taken.add(touched[0])
    # Merged, split or new: described again from their citations.
    changed = [
        n
        for n in order
        if n not in assigned
        or len(before[n]) > 1
        or any(shares[w] > 1 for w in before[n])
    ]
    described = _new_works({n: groups[n] for n in changed})
    made = 0
    for number in changed:
        work = described[number]
        if number in assigned:
            Work.objects.filter(pk=assigned[number]).update(
                title=work.title,
                author=work.author,
                year=work.year,
                material_type=work.material_type,
                record_id=work.record_id,
                metadata=work.metadata,
            )
            continue
        if Work.objects.filter(key=work.key).exists():
            work.key = f"{work.key[:280]}#{groups[number][0].citation_id}"
        work.save()
        assigned[number] = work.pk
        made += 1
    gone = seeds - set(assigned.values())
    for part in _chunks(sorted(gone)):
        Work.objects.filter(pk__in=part).delete()
    # Every key of every citation names its work, and no key names a work no
    # citation has it for.
    wanted = {k: assigned[n] for n in groups for c in groups[n] for k in c.keys}
    stale = [a for a in aliases if aliases[a] not in gone and a not in wanted]
    for part in _chunks(stale):
        WorkAlias.objects.filter(alias__in=part).delete()
    moved: dict[int, list[str]] = defaultdict(list)
    for key, work_id in wanted.items():
        if key in aliases and aliases[key] != work_id and aliases[key] not in gone:
            moved[work_id].append(key)
    for work_id, keys in moved.items():
        for part in _chunks(keys):
            WorkAlias.objects.filter(alias__in=part).update(work_id=work_id)
    fresh = [
        WorkAlias(alias=k, work_id=w)
        for k, w in wanted.items()
        if k not in aliases or aliases[k] in gone
    ]
    WorkAlias.objects.bulk_create(fresh, batch_size=BATCH)
    number_of = {c.citation_id: n for n in groups for c in groups[n]}
    pairs = {(c.list_id, assigned[number_of[c.citation_id]]) for c in region}
    old_other_pairs = {(lst, w) for lst, w in old_pairs if lst not in chunk}
    new_other_pairs = {(lst, w) for lst, w in pairs if lst not in chunk}
    for part in _chunks(sorted(chunk)):
        ListWork.objects.filter(reading_list_id__in=part).delete()
    for part in _chunks(sorted(others)):
        _delete_pairs(part, seeds)
    ListWork.objects.bulk_create(
        [ListWork(reading_list_id=lst, work_id=w) for lst, w in sorted(pairs)],
        batch_size=BATCH,
    )
    # A pair's count changes when one of its works is cited by other lists than
    # before: a work of these lists (and its pairs are all on them), or one whose
    # group changed, whose pairs may be on any list of it.
    anchors = (old - gone) | {w for lst, w in pairs if lst in chunk}
    regrouped = {w for _l, w in old_other_pairs ^ new_other_pairs} | (
        gone & {w for _l, w in old_other_pairs}
    )
    if regrouped:
        lists_moved = {
            lst for lst, w in old_other_pairs | new_other_pairs if w in regrouped
        }
        anchors |= _works_of_lists(lists_moved)
    anchors -= gone
    _list_counts(anchors | (set(assigned.values()) - gone))
    touching = {lst for lst, _w in _pairs_of_works(anchors)}
    all_pairs: list[tuple[int, int]] = []
    for part in _chunks(sorted(touching)):
        all_pairs += ListWork.objects.filter(reading_list_id__in=part).values_list(
            "reading_list_id", "work_id"
        )
    for part in _chunks(sorted(anchors)):
        CoCitation.objects.filter(work_id__in=part).delete()
    cocitations = count_cocitations(all_pairs, anchors=anchors)
    CoCitation.objects.bulk_create(cocitations, batch_size=BATCH)
    _record_states(snapshot)
    return (
        RefreshSummary(lists=len(chunk), works=made, cocitations=len(cocitations)),
        chunk,
    )


def _delete_pairs(list_ids: Sequence[int], work_ids: set[int]) -> None:
    for part in _chunks(sorted(work_ids)):
        ListWork.objects.filter(reading_list_id__in=list_ids, work_id__in=part).delete()


# --- marking lists pending -----------------------------------------------------------


def lists_mark_pending(list_ids: Sequence[int]) -> None:
    """Marks the lists for the next refresh of pending lists and, once the change
    has committed, queues that refresh (once a transaction), unless every one of
    them was pending already."""
    ids = sorted(set(list_ids))
    marked = 0
    for chunk in _chunks(ids):
        marked += ListState.objects.filter(pk__in=chunk, pending=False).update(
            pending=True
        )
    made = 0
    if marked < len(ids):
        known: set[int] = set()
        for chunk in _chunks(ids):
            known.update(
                ListState.objects.filter(pk__in=chunk).values_list("pk", flat=True)
            )
        missing = [pk for pk in ids if pk not in known]
        if missing:
            ListState.objects.bulk_create(
                [ListState(reading_list_id=pk, pending=True) for pk in missing],
                ignore_conflicts=True,
            )
            made = len(missing)
    if marked or made:
        _queue_refresh()


def _enqueue_refresh() -> None:
    from lectio.analytics.suggestions.tasks import refresh_pending_lists

    refresh_pending_lists.enqueue()


def _queue_refresh() -> None:
    _on_commit_once(_enqueue_refresh)


def _on_commit_once(enqueue: Callable[[], None]) -> None:
    conn = transaction.get_connection()
    if any(entry[1] is enqueue for entry in conn.run_on_commit):
        return
    transaction.on_commit(enqueue)


# --- following the catalog -----------------------------------------------------------


def records_changed() -> None:
    """Once the change to the catalog has committed, queues the recount of similar
    records (once a transaction)."""
    _on_commit_once(_enqueue_similar)


def _enqueue_similar() -> None:
    from lectio.analytics.suggestions.tasks import refresh_similar_records

    # A recount still waiting to start reads the catalog after this change
    # committed: another would count the same again.
    if not _waiting(refresh_similar_records):
        refresh_similar_records.enqueue()


def _waiting(task: Any) -> bool:
    """Whether a run of `task` is queued and not started (known only to the
    database backend; with another, it is queued again)."""
    from django_tasks import TaskResultStatus
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    return DBTaskResult.objects.filter(
        task_path=task.module_path, status=TaskResultStatus.READY
    ).exists()

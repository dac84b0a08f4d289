"""Locate: match citations to catalog records, and the librarian's decisions on the
matches.

`locate_citations` works through citations that have no catalog record yet, in
batches:

1. Exact identifiers. ISBN, ISSN, DOI (from the citation's CSL-JSON) and OCLC, LCCN
   (from its `lectio` block) are normalised with `lectio.core.identifiers` and looked
   up in `catalog.RecordIdentifier`, one query for the whole batch. When the
   citation's identifiers point at exactly one record, the match is confirmed and the
   citation linked; when one identifier is shared by several records, each becomes a
   suggestion for a librarian.
2. Title and author similarity for the rest. Candidates come from the catalog search
   (the citation's title as the query); each is scored with rapidfuzz on normalised
   titles, combined with author surname similarity and year agreement. Candidates at
   or above the threshold become suggestions.

A pair a librarian rejected is never suggested (or linked) again. Linking,
confirming, rejecting and unlinking record an audit event; linking and unlinking bump
the citation's version and the list's content version, as every citation edit does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from lectio.catalog.models import Record, RecordIdentifier
from lectio.core.concurrency import StaleVersion
from lectio.core.events import event_record
from lectio.core.identifiers import (
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)
from lectio.core.models import Event
from lectio.lists.models import (
    Citation,
    CitationMatch,
    MatchMethod,
    MatchState,
    ReadingList,
)
from lectio.lists.services import ServiceError

# A title-and-author candidate scoring at least this (0-100) becomes a suggestion.
# `lectio locate --threshold N` overrides it for one run.
DEFAULT_THRESHOLD = 85.0
# Citations read and written per transaction.
BATCH_SIZE = 200
# Candidates the catalog search is asked for, per citation.
CANDIDATES = 10
# Identifier kinds in the order they are trusted.
KINDS = (
    MatchMethod.ISBN,
    MatchMethod.ISSN,
    MatchMethod.DOI,
    MatchMethod.OCLC,
    MatchMethod.LCCN,
)
_NORMALISERS: dict[str, Callable[[str], str | None]] = {
    MatchMethod.ISBN: normalize_isbn,
    MatchMethod.ISSN: normalize_issn,
    MatchMethod.DOI: normalize_doi,
    MatchMethod.OCLC: normalize_oclc,
    MatchMethod.LCCN: normalize_lccn,
}
# Several identifiers in one field: "0-19-852663-6; 978-0-19-852663-6 (pbk.)".
_SEPARATORS = re.compile(r"[;,|\n]+")


@dataclass
class LocateSummary:
    examined: int = 0
    # Linked to a record by an exact identifier.
    linked: int = 0
    # With at least one suggestion waiting for a librarian.
    suggested: int = 0
    unmatched: int = 0
    dry_run: bool = False

    def as_dict(self) -> dict[str, int]:
        return {
            "examined": self.examined,
            "linked": self.linked,
            "suggested": self.suggested,
            "unmatched": self.unmatched,
        }


# --- reading a citation ------------------------------------------------------------


def citation_identifiers(metadata: dict[str, Any]) -> list[tuple[str, str]]:
    """The citation's identifiers as (kind, normal form), most trusted first; an
    invalid one (bad check digit, not an identifier at all) is left out."""
    raw: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for key, kind in (
        ("ISBN", MatchMethod.ISBN),
        ("ISSN", MatchMethod.ISSN),
        ("DOI", MatchMethod.DOI),
    ):
        raw[kind] += _texts(metadata.get(key))
    extra = metadata.get("lectio")
    if isinstance(extra, dict):
        raw[MatchMethod.OCLC] += _texts(extra.get("OCLC"))
        raw[MatchMethod.LCCN] += _texts(extra.get("LCCN"))
    found: list[tuple[str, str]] = []
    for kind in KINDS:
        for text in raw[kind]:
            parts = [text] if kind == MatchMethod.DOI else _SEPARATORS.split(text)
            for part in parts:
                value = _NORMALISERS[kind](part.strip())
                if value and (kind, value) not in found:
                    found.append((kind, value))
    return found


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int) and str(v).strip()]
    return []


def normalise_title(text: str) -> str:
    """Lower case, accents and punctuation gone, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[^\w\s]|_", " ", text)
    return " ".join(text.split())


# A name as compared: (surname, the whole name, whether it is a person's).
Name = tuple[str, str, bool]


def _surname(name: str) -> str:
    """ "Darwin, Charles, 1809-1882" and "Charles Darwin" both give "darwin"."""
    name = name.strip()
    if not name:
        return ""
    name = name.split(",", 1)[0] if "," in name else name.split()[-1]
    return normalise_title(name)


def citation_names(metadata: dict[str, Any]) -> list[Name]:
    """The citation's authors (or editors). "Family, Given" is a person's; a literal
    name or a family name of several words alone may be an organisation's."""
    names = metadata.get("author") or metadata.get("editor") or []
    out: list[Name] = []
    if not isinstance(names, list):
        return out
    for n in names:
        if not isinstance(n, dict):
            continue
        family = str(n.get("family") or "").strip()
        if family:
            given = str(n.get("given") or "").strip()
            personal = bool(given) or len(family.split()) == 1
            whole = normalise_title(f"{family} {given}")
            out.append((normalise_title(family), whole, personal))
        elif n.get("literal"):
            literal = str(n["literal"])
            out.append((_surname(literal), normalise_title(literal), False))
    return [n for n in out if n[0]]


def record_names(record: Record) -> list[Name]:
    """The record's contributors. MARC writes a person "Surname, Forename" and an
    organisation or meeting without that comma."""
    texts = [
        str(c.get("name") or "")
        for c in (record.contributors or [])
        if isinstance(c, dict)
    ]
    if record.author:
        texts.append(record.author)
    out: list[Name] = []
    for text in texts:
        name = (_surname(text), normalise_title(text), "," in text)
        if name[0] and name not in out:
            out.append(name)
    return out


def _name_score(a: Name, b: Name) -> float:
    surnames = fuzz.ratio(a[0], b[0])
    if a[2] and b[2]:
        return surnames
    # An organisation on either side: compare the whole names too.
    return max(surnames, fuzz.token_set_ratio(a[1], b[1]))


def citation_year(metadata: dict[str, Any]) -> int | None:
    issued = metadata.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if parts and isinstance(parts, list) and parts[0]:
            try:
                return int(parts[0][0])
            except (TypeError, ValueError):
                return None
        literal = str(issued.get("literal") or "")
        match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", literal)
        if match:
            return int(match.group(1))
    return None


def similarity(metadata: dict[str, Any], record: Record) -> float:
    """0-100: how likely the citation describes `record`.

    Title: a blend of token_set_ratio (generous to a shortened title) and
    token_sort_ratio (which penalises what the shorter one leaves out), against the
    record's title alone and with its subtitle, whichever is closer. Authors: the
    best surname similarity between the two (whole names when one is an
    organisation's); with no author on either side the
    title counts alone, a little discounted. Year: the same year adds a little, a
    difference of more than one takes some off (another edition)."""
    title = normalise_title(str(metadata.get("title") or ""))
    if not title:
        return 0.0
    candidates = [normalise_title(record.title)]
    if record.subtitle:
        candidates.append(normalise_title(f"{record.title} {record.subtitle}"))
    title_score = max(
        0.6 * fuzz.token_set_ratio(title, other)
        + 0.4 * fuzz.token_sort_ratio(title, other)
        for other in candidates
    )
    mine, theirs = citation_names(metadata), record_names(record)
    if mine and theirs:
        author_score = max(_name_score(a, b) for a in mine for b in theirs)
        score = 0.65 * title_score + 0.35 * author_score
    else:
        score = 0.9 * title_score
    year = citation_year(metadata)
    if year and record.year:
        if year == record.year:
            score += 5
        elif abs(year - record.year) > 1:
            score -= 10
    return round(max(0.0, min(100.0, score)), 1)


def _search_candidates(title: str) -> list[Record]:
    from lectio.catalog.search import SearchQuery, search

    result = search(SearchQuery(text=title[:300], limit=CANDIDATES, facets=False))
    return list(result.records)


# --- the run -----------------------------------------------------------------------


def _pending(
    citation_ids: Sequence[int] | None, reading_list: ReadingList | None
) -> Any:
    queryset = Citation.objects.filter(catalog_record__isnull=True)
    if citation_ids is not None:
        queryset = queryset.filter(pk__in=list(citation_ids))
    if reading_list is not None:
        queryset = queryset.filter(reading_list=reading_list)
    return queryset.order_by("pk")


def locate_citations(
    *,
    citation_ids: Sequence[int] | None = None,
    reading_list: ReadingList | None = None,
    threshold: float | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> LocateSummary:
    """Matches citations without a catalog record (these ids, this list, or all of
    them) to records. With `dry_run`, counts what would happen and writes nothing."""
    threshold = DEFAULT_THRESHOLD if threshold is None else float(threshold)
    summary = LocateSummary(dry_run=dry_run)
    queryset = _pending(citation_ids, reading_list)
    total = queryset.count() if progress else 0
    last_id = 0
    while True:
        batch = list(
            queryset.filter(pk__gt=last_id).only(
                "pk", "reading_list_id", "metadata", "title", "version"
            )[:batch_size]
        )
        if not batch:
            break
        last_id = batch[-1].pk
        # Reads and scoring outside the transaction (on SQLite a transaction holds
        # the write lock from its start); only the writes are atomic.
        links, suggestions, existing = _locate_batch(
            batch, summary, threshold=threshold
        )
        if not dry_run and (links or suggestions):
            with transaction.atomic():
                if suggestions:
                    CitationMatch.objects.bulk_create(
                        suggestions, ignore_conflicts=True
                    )
                if links:
                    _write_links(links, existing)
        if progress:
            progress(summary.examined, total)
    return summary


Link = tuple[Citation, int, str]
Existing = dict[tuple[int, int], tuple[int, str]]


def _locate_batch(
    batch: list[Citation], summary: LocateSummary, *, threshold: float
) -> tuple[list[Link], list[CitationMatch], Existing]:
    """What to write for this batch: the links, the new suggestions, and the matches
    the citations had already. Counts into `summary`."""
    ids = [c.pk for c in batch]
    idents = {c.pk: citation_identifiers(c.metadata or {}) for c in batch}
    # Every record each (kind, value) names, for the whole batch in one query.
    wanted: dict[str, set[str]] = {}
    for pairs in idents.values():
        for kind, value in pairs:
            wanted.setdefault(kind, set()).add(value)
    holders: dict[tuple[str, str], set[int]] = {}
    if wanted:
        condition = Q()
        for kind, values in wanted.items():
            condition |= Q(kind=kind, value__in=sorted(values))
        for kind, value, record_id in RecordIdentifier.objects.filter(
            condition
        ).values_list("kind", "value", "record_id"):
            holders.setdefault((kind, value), set()).add(record_id)
    # The matches these citations have already: rejected pairs stay rejected, a
    # suggestion is not made twice.
    existing: Existing = {
        (cid, rid): (pk, state)
        for pk, cid, rid, state in CitationMatch.objects.filter(
            citation_id__in=ids
        ).values_list("pk", "citation_id", "record_id", "state")
    }

    links: list[Link] = []
    suggestions: list[CitationMatch] = []
    leftover: list[Citation] = []
    for citation in batch:
        summary.examined += 1
        unique: dict[int, str] = {}
        shared: dict[int, str] = {}
        for kind, value in idents[citation.pk]:
            records = {
                r
                for r in holders.get((kind, value), ())
                if existing.get((citation.pk, r), (0, ""))[1] != MatchState.REJECTED
            }
            target = unique if len(records) == 1 else shared
            for r in records:
                target.setdefault(r, kind)
        if len(unique) == 1:
            record_id, kind = next(iter(unique.items()))
            links.append((citation, record_id, kind))
            summary.linked += 1
            continue
        found = {**shared, **unique}
        if found:
            fresh = [
                CitationMatch(
                    citation_id=citation.pk, record_id=r, method=kind, score=100.0
                )
                for r, kind in found.items()
                if (citation.pk, r) not in existing
            ]
            suggestions += fresh
            summary.suggested += 1
            continue
        leftover.append(citation)

    for citation in leftover:
        metadata = citation.metadata or {}
        title = str(metadata.get("title") or citation.title or "").strip()
        scored = []
        if title:
            for record in _search_candidates(title):
                state = existing.get((citation.pk, record.pk), (0, ""))[1]
                if state == MatchState.REJECTED:
                    continue
                score = similarity(metadata, record)
                if score >= threshold:
                    scored.append((score, record.pk, state))
        if not scored:
            summary.unmatched += 1
            continue
        summary.suggested += 1
        suggestions += [
            CitationMatch(
                citation_id=citation.pk,
                record_id=record_id,
                method=MatchMethod.TITLE,
                score=score,
            )
            for score, record_id, state in scored
            if not state
        ]

    return links, suggestions, existing


def _write_links(links: list[Link], existing: Existing) -> None:
    """Links each citation to its record (unless someone linked it meanwhile),
    confirms the match, and records one event each."""
    now = timezone.now()
    written: list[Link] = []
    for citation, record_id, kind in links:
        updated = Citation.objects.filter(
            pk=citation.pk, catalog_record__isnull=True
        ).update(catalog_record_id=record_id, version=F("version") + 1, updated_at=now)
        if updated:
            written.append((citation, record_id, kind))
    if not written:
        return
    new, confirm = [], []
    for citation, record_id, kind in written:
        known = existing.get((citation.pk, record_id))
        if known:
            confirm.append(known[0])
        else:
            new.append(
                CitationMatch(
                    citation_id=citation.pk,
                    record_id=record_id,
                    method=kind,
                    score=100.0,
                    state=MatchState.CONFIRMED,
                    decided_at=now,
                )
            )
    CitationMatch.objects.bulk_create(new, ignore_conflicts=True)
    if confirm:
        CitationMatch.objects.filter(pk__in=confirm).update(
            state=MatchState.CONFIRMED, decided_at=now, decided_by=None
        )
    ReadingList.objects.filter(
        pk__in={c.reading_list_id for c, _r, _k in written}
    ).update(content_version=F("content_version") + 1, updated_at=now)
    Event.objects.bulk_create(
        Event(
            actor=None,
            verb="citation.locate",
            target_type="citation",
            target_id=citation.pk,
            list_id=citation.reading_list_id,
            summary=(
                _("Linked “%(title)s” to a catalog record by %(kind)s")
                % {"title": citation.title[:120], "kind": MatchMethod(kind).label}
            )[:500],
            params={"record": record_id, "method": kind},
        )
        for citation, record_id, kind in written
    )


# --- a librarian's decisions ---------------------------------------------------------


def _check_version(citation: Citation, expected_version: int | None) -> None:
    if expected_version is not None and citation.version != expected_version:
        raise StaleVersion(citation.version)


def _touch(list_id: int) -> None:
    ReadingList.objects.filter(pk=list_id).update(
        content_version=F("content_version") + 1, updated_at=timezone.now()
    )


@transaction.atomic
def match_confirm(
    *, actor: Any, match: CitationMatch, expected_version: int | None = None
) -> CitationMatch:
    """Links the citation to the suggested record. `expected_version` is the
    citation's version the librarian saw: if the citation changed since, nothing is
    written (StaleVersion)."""
    citation = Citation.objects.select_for_update().get(pk=match.citation_id)
    current = CitationMatch.objects.select_for_update().get(pk=match.pk)
    _check_version(citation, expected_version)
    if current.state != MatchState.SUGGESTED:
        raise ServiceError(_("Someone has decided on this match already."))
    if citation.catalog_record_id is not None:
        raise ServiceError(_("This item is linked to a catalog record already."))
    now = timezone.now()
    Citation.objects.filter(pk=citation.pk).update(
        catalog_record_id=current.record_id, version=F("version") + 1, updated_at=now
    )
    CitationMatch.objects.filter(pk=current.pk).update(
        state=MatchState.CONFIRMED, decided_by=actor, decided_at=now
    )
    _touch(citation.reading_list_id)
    record_title = (
        Record.objects.filter(pk=current.record_id)
        .values_list("title", flat=True)
        .first()
        or ""
    )
    event_record(
        actor=actor,
        verb="citation.locate",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("Linked “%(title)s” to the catalog record “%(record)s”")
        % {"title": citation.title[:120], "record": record_title[:120]},
        params={
            "record": current.record_id,
            "method": current.method,
            "score": current.score,
        },
    )
    current.state = MatchState.CONFIRMED
    current.decided_by = actor
    current.decided_at = now
    match.state = current.state
    return current


@transaction.atomic
def match_reject(
    *, actor: Any, match: CitationMatch, expected_version: int | None = None
) -> CitationMatch:
    """Marks the suggestion wrong: locate never offers this record for this citation
    again. The citation itself does not change."""
    citation = Citation.objects.select_for_update().get(pk=match.citation_id)
    current = CitationMatch.objects.select_for_update().get(pk=match.pk)
    _check_version(citation, expected_version)
    if current.state != MatchState.SUGGESTED:
        raise ServiceError(_("Someone has decided on this match already."))
    now = timezone.now()
    CitationMatch.objects.filter(pk=current.pk).update(
        state=MatchState.REJECTED, decided_by=actor, decided_at=now
    )
    event_record(
        actor=actor,
        verb="citation.locate_reject",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("Rejected a catalog record suggested for “%(title)s”")
        % {"title": citation.title[:120]},
        params={"record": current.record_id, "method": current.method},
    )
    current.state = MatchState.REJECTED
    current.decided_by = actor
    current.decided_at = now
    match.state = current.state
    return current


@transaction.atomic
def citation_unlink(
    *, actor: Any, citation: Citation, expected_version: int | None = None
) -> Citation:
    """Removes the citation's link to its catalog record. The pair is marked
    rejected, so the next locate run does not link it again."""
    current = Citation.objects.select_for_update().get(pk=citation.pk)
    _check_version(current, expected_version)
    record_id = current.catalog_record_id
    if record_id is None:
        raise ServiceError(_("This item is not linked to a catalog record."))
    now = timezone.now()
    Citation.objects.filter(pk=current.pk).update(
        catalog_record=None, version=F("version") + 1, updated_at=now
    )
    rows = CitationMatch.objects.filter(citation_id=current.pk, record_id=record_id)
    if not rows.update(state=MatchState.REJECTED, decided_by=actor, decided_at=now):
        CitationMatch.objects.create(
            citation_id=current.pk,
            record_id=record_id,
            method=MatchMethod.TITLE,
            score=0.0,
            state=MatchState.REJECTED,
            decided_by=actor if getattr(actor, "is_authenticated", False) else None,
            decided_at=now,
        )
    _touch(current.reading_list_id)
    event_record(
        actor=actor,
        verb="citation.unlink",
        target_type="citation",
        target_id=current.pk,
        list_id=current.reading_list_id,
        summary=_("Removed the catalog record from “%(title)s”")
        % {"title": current.title[:120]},
        params={"record": record_id},
    )
    citation.catalog_record_id = None
    citation.version = current.version + 1
    return citation


# --- the librarian's queue -----------------------------------------------------------


def suggestion_queue(*, list_id: int | None = None) -> Any:
    """Suggestions waiting for a decision, best first, on citations still without a
    record."""
    queryset = CitationMatch.objects.filter(
        state=MatchState.SUGGESTED, citation__catalog_record__isnull=True
    )
    if list_id is not None:
        queryset = queryset.filter(citation__reading_list_id=list_id)
    return queryset.select_related(
        "citation", "citation__reading_list", "record"
    ).order_by("-score", "citation_id", "id")


def lists_with_suggestions() -> list[tuple[int, str, str]]:
    """(id, code, name) of the lists with suggestions waiting, for the filter."""
    ids = (
        CitationMatch.objects.filter(
            state=MatchState.SUGGESTED, citation__catalog_record__isnull=True
        )
        .values("citation__reading_list_id")
        .distinct()
    )
    return list(
        ReadingList.objects.filter(pk__in=ids)
        .order_by("code")
        .values_list("pk", "code", "name")[:500]
    )

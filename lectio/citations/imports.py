"""Importing citation files (RIS, BibTeX, CSL-JSON, EndNote XML) into a list section.

Two steps, so nothing is saved before the person has seen what the file gives:

1. `import_preview(data=..., target=...)` reads the file (`formats.parse_bytes`) and
   says, entry by entry, what each becomes (material type, title, authors, year,
   container) and which entries failed and why; entries already in the target
   (same DOI or ISBN, or same title, first author and year), or earlier in the same
   file, are flagged as duplicates and left unticked.
2. `import_confirm(...)` reads the file again (from the server's copy, never from
   what the browser sends back) and adds the chosen entries in one transaction
   through `lists.services.citation_add_many` (citation_add for many: the same
   checks, status rules and events, in a fixed number of queries), with one audit
   event for the import. All or nothing.

The target is a list section (`SectionTarget`); a personal collection can become
another target with the same two methods.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections import OrderedDict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.accounts.models import InstitutionSettings, User
from lectio.citations import formats
from lectio.citations.formats.common import Entry, EntryError, name_text
from lectio.citations.models import PendingImport
from lectio.core.events import event_record
from lectio.core.identifiers import normalize_doi, normalize_isbn
from lectio.lists import services
from lectio.lists.models import Citation, MaterialType, ReadingList, Section
from lectio.lists.services import ServiceError

# Formats a person may name; None guesses from the file.
FORMATS: dict[str, str] = {
    "ris": "RIS",
    "bibtex": "BibTeX",
    "csl-json": "CSL-JSON",
    "endnote-xml": "EndNote XML",
}
# Imports larger than this are formatted in the background (citeproc takes several
# milliseconds a record); until then a citation shows its title.
RENDER_INLINE_UP_TO = 200
PENDING_LIFETIME = timedelta(hours=2)


def max_bytes() -> int:
    return int(getattr(settings, "LECTIO_IMPORT_MAX_BYTES", 20 * 1024 * 1024))


class ImportGone(ServiceError):
    """The import cannot go on (file gone or expired, section deleted...)."""


# --- reading --------------------------------------------------------------------------


def too_large(size: int) -> EntryError:
    return EntryError(
        0,
        0,
        _("The file has %(n)s bytes; files up to %(max)s are read.")
        % {"n": f"{size:,}", "max": f"{max_bytes():,}"},
    )


def import_parse(*, data: bytes, format: str | None = None) -> formats.ParseResult:
    """Reads the file; a file over the size cap or an unknown format is one error
    (number 0), never an exception."""
    if format and format not in FORMATS:
        return formats.ParseResult(
            errors=[EntryError(0, 0, _("Unknown format %(f)s.") % {"f": format})]
        )
    if len(data) > max_bytes():
        return formats.ParseResult(errors=[too_large(len(data))])
    if not data.strip():
        return formats.ParseResult(errors=[EntryError(0, 0, _("The file is empty."))])
    key = (hashlib.sha256(data).digest(), format or "")
    result = _PARSED.get(key)
    if result is None:
        result = formats.parse_bytes(data, format or None)
        _PARSED[key] = result
        while len(_PARSED) > 2:
            _PARSED.popitem(last=False)
    else:
        _PARSED.move_to_end(key)
    return result


# The last files read in this process, by content: the confirmation reads the same
# bytes as the preview did (from the server's copy), so it need not parse them
# again. Read-only: the entries' records are shared by whoever asks.
_PARSED: OrderedDict[tuple[bytes, str], formats.ParseResult] = OrderedDict()


# --- what an entry becomes -------------------------------------------------------------


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).casefold()
    return re.sub(
        r"[^\w]+", "", "".join(c for c in text if not unicodedata.combining(c))
    )


def _year(csl: dict[str, Any]) -> str:
    issued = csl.get("issued")
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if parts and parts[0] and parts[0][0]:
            return str(parts[0][0])
        match = re.search(r"\b(\d{4})\b", str(issued.get("literal") or ""))
        if match:
            return match.group(1)
    return ""


def _first_family(csl: dict[str, Any]) -> str:
    for role in ("author", "editor"):
        names = csl.get(role)
        if isinstance(names, list) and names and isinstance(names[0], dict):
            first = names[0]
            return str(first.get("family") or first.get("literal") or "")
    return ""


def duplicate_keys(csl: dict[str, Any]) -> set[str]:
    """What makes two records the same citation: the DOI, the ISBN, or title with
    first author and year."""
    keys = set()
    doi = normalize_doi(str(csl.get("DOI") or ""))
    if doi:
        keys.add("doi:" + doi)
    for isbn in re.split(r"[;,\s]+(?=\d)", str(csl.get("ISBN") or "")):
        normalized = normalize_isbn(isbn)
        if normalized:
            keys.add("isbn:" + normalized)
    title = _fold(str(csl.get("title") or ""))
    if title:
        keys.add(f"t:{title}|{_fold(_first_family(csl))}|{_year(csl)}")
    return keys


@dataclass
class PreviewEntry:
    number: int  # the entry's place among the file's entries, from 1
    line: int
    material_type: str
    csl: dict[str, Any]
    duplicate: str = ""  # why it looks like one already there, or ""

    @property
    def title(self) -> str:
        return str(self.csl.get("title") or "")

    @property
    def authors(self) -> str:
        for role in ("author", "editor"):
            names = self.csl.get(role)
            if isinstance(names, list) and names:
                text = "; ".join(name_text(n) for n in names[:3] if isinstance(n, dict))
                return text + ("; …" if len(names) > 3 else "")
        return ""

    @property
    def year(self) -> str:
        return _year(self.csl)

    @property
    def container(self) -> str:
        return str(self.csl.get("container-title") or "")

    @property
    def material_label(self) -> str:
        try:
            return str(MaterialType(self.material_type).label)
        except ValueError:
            return self.material_type

    @property
    def checked(self) -> bool:
        return not self.duplicate

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "number": self.number,
            "line": self.line,
            "material_type": self.material_type,
            "csl": self.csl,
        }
        if self.duplicate:
            data["duplicate"] = self.duplicate
        return data


@dataclass
class Preview:
    format: str
    entries: list[PreviewEntry] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)

    @property
    def file_error(self) -> EntryError | None:
        return next((e for e in self.errors if e.number == 0), None)

    @property
    def duplicate_count(self) -> int:
        return sum(1 for e in self.entries if e.duplicate)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "entries": [e.as_json() for e in self.entries],
            "errors": [
                {"entry": e.number, "line": e.line, "reason": e.reason}
                for e in self.errors
            ],
        }


class ImportTarget(Protocol):
    """Where imported citations go."""

    def existing_keys(self) -> dict[str, str]: ...

    def add(self, *, actor: User, entries: list[PreviewEntry]) -> list[int]: ...

    def describe(self) -> str: ...


@dataclass
class SectionTarget:
    reading_list: ReadingList
    section: Section

    def existing_keys(self) -> dict[str, str]:
        """Duplicate keys of the section's citations -> the title they belong to."""
        keys: dict[str, str] = {}
        rows = Citation.objects.filter(section=self.section).values_list(
            "title", "metadata"
        )
        for title, metadata in rows:
            for key in duplicate_keys(metadata or {}):
                keys.setdefault(key, title)
        return keys

    def add(self, *, actor: User, entries: list[PreviewEntry]) -> list[int]:
        render = len(entries) <= RENDER_INLINE_UP_TO
        added = services.citation_add_many(
            actor=actor,
            reading_list=self.reading_list,
            section=self.section,
            items=[(e.material_type, e.csl) for e in entries],
            render=render,
        )
        if not render and added:
            _render_later()
        return [c.pk for c in added]

    def describe(self) -> str:
        return self.section.name


def _render_later() -> None:
    from lectio.lists.tasks import rerender_citations

    style = InstitutionSettings.cached().citation_style
    transaction.on_commit(lambda: rerender_citations.enqueue(style))


def import_preview(
    *, data: bytes, target: ImportTarget | None, format: str | None = None
) -> Preview:
    """What the file would give in `target` (None: the file alone, duplicates only
    within it); writes nothing."""
    result = import_parse(data=data, format=format)
    preview = Preview(
        format=format or formats.guess_format(formats.decode(data[:4096])) or ""
    )
    preview.errors = list(result.errors)
    if result.entries:
        existing = target.existing_keys() if target is not None else {}
        seen: dict[str, int] = {}
        for number, entry in _numbered(result.entries, result.errors):
            if not str(entry.csl.get("title") or "").strip():
                # Lectio keeps no citation without a title (the services refuse it).
                preview.errors.append(
                    EntryError(number, entry.line, _("the entry has no title"))
                )
                continue
            item = PreviewEntry(
                number=number,
                line=entry.line,
                material_type=entry.material_type,
                csl=entry.csl,
            )
            keys = duplicate_keys(entry.csl)
            already = next((existing[k] for k in sorted(keys) if k in existing), None)
            earlier = next((seen[k] for k in sorted(keys) if k in seen), None)
            if already is not None and target is not None:
                item.duplicate = _("Already in %(where)s: “%(title)s”.") % {
                    "where": target.describe(),
                    "title": already[:120],
                }
            elif earlier is not None:
                item.duplicate = _("Same as entry %(n)s of this file.") % {"n": earlier}
            for key in keys:
                seen.setdefault(key, number)
            preview.entries.append(item)
        preview.errors.sort(key=lambda e: (e.number, e.line))
    return preview


def _numbered(
    entries: list[Entry], errors: list[EntryError]
) -> Iterable[tuple[int, Entry]]:
    """Entry numbers in file order, counting the entries that failed (the readers
    number their errors that way) so numbers match what the person sees."""
    failed = {e.number for e in errors if e.number > 0}
    number = 0
    for entry in entries:
        number += 1
        while number in failed:
            number += 1
        yield number, entry


# --- keeping the file between preview and confirmation ----------------------------------


def pending_import_create(
    *,
    actor: User,
    reading_list: ReadingList,
    section: Section,
    data: bytes,
    file_name: str = "",
    format: str = "",
) -> PendingImport:
    """Keeps the uploaded file for `actor` until they confirm or it expires. The
    caller has checked that `actor` may edit the list."""
    if section.reading_list_id != reading_list.pk:
        raise ServiceError(_("That section belongs to another list."))
    if len(data) > max_bytes():
        raise ServiceError(
            _("The file is too large: files up to %(max)s bytes are read.")
            % {"max": f"{max_bytes():,}"}
        )
    now = timezone.now()
    PendingImport.objects.filter(expires_at__lt=now).delete()
    return PendingImport.objects.create(
        token=secrets.token_urlsafe(24),
        user=actor,
        reading_list=reading_list,
        section=section,
        data=bytes(data),
        file_name=file_name[:255],
        format=format if format in FORMATS else "",
        expires_at=now + PENDING_LIFETIME,
    )


def pending_import_get(
    *, user: User, reading_list: ReadingList, token: str
) -> PendingImport | None:
    """The person's own file for this list, if it is still there and not expired."""
    return PendingImport.objects.filter(
        token=token,
        user=user,
        reading_list=reading_list,
        expires_at__gte=timezone.now(),
    ).first()


def target_for(pending: PendingImport) -> SectionTarget:
    if pending.section is None or pending.reading_list is None:
        raise ImportGone(
            _("The section chosen for this import no longer exists; start again.")
        )
    return SectionTarget(pending.reading_list, pending.section)


def pending_preview(pending: PendingImport) -> Preview:
    return import_preview(
        data=bytes(pending.data),
        target=target_for(pending),
        format=pending.format or None,
    )


@dataclass
class ImportOutcome:
    added: list[int]
    skipped: int
    failed: int


@transaction.atomic
def import_confirm(
    *,
    actor: User,
    target: ImportTarget,
    data: bytes,
    format: str | None = None,
    chosen: Collection[int] | None = None,
    file_name: str = "",
    reading_list: ReadingList | None = None,
) -> ImportOutcome:
    """Adds the chosen entries (numbers from the preview; None: every entry that is
    not a duplicate) to `target` in one transaction. The file is read again here.
    Refuses (ServiceError) a file that gives nothing, or a choice of nothing; any
    entry refused by the list services undoes the whole import."""
    preview = import_preview(data=data, target=target, format=format)
    if preview.file_error is not None:
        raise ServiceError(preview.file_error.reason)
    if chosen is None:
        picked = [e for e in preview.entries if not e.duplicate]
    else:
        wanted = set(chosen)
        picked = [e for e in preview.entries if e.number in wanted]
    if not picked:
        raise ServiceError(_("No entries were chosen to import."))
    try:
        ids = target.add(actor=actor, entries=picked)
    except ServiceError as error:
        raise ServiceError(
            _("Nothing was imported: %(reason)s") % {"reason": error}
        ) from error
    event_record(
        actor=actor,
        verb="citations.import",
        target_type="list" if reading_list is not None else "collection",
        target_id=reading_list.pk if reading_list is not None else None,
        list_id=reading_list.pk if reading_list is not None else None,
        summary=_("Imported %(n)s citations from %(file)s into %(where)s")
        % {
            "n": len(ids),
            "file": file_name or _("a file"),
            "where": target.describe(),
        },
        params={
            "format": preview.format,
            "file": file_name,
            "added": len(ids),
            "skipped": len(preview.entries) - len(picked),
            "failed": len(preview.errors),
        },
    )
    return ImportOutcome(
        added=ids,
        skipped=len(preview.entries) - len(picked),
        failed=len(preview.errors),
    )


def pending_import_confirm(
    *, actor: User, pending: PendingImport, chosen: Collection[int] | None
) -> ImportOutcome:
    """Confirms a kept file and forgets it, in the import's transaction."""
    target = target_for(pending)
    with transaction.atomic():
        outcome = import_confirm(
            actor=actor,
            target=target,
            data=bytes(pending.data),
            format=pending.format or None,
            chosen=chosen,
            file_name=pending.file_name,
            reading_list=target.reading_list,
        )
        PendingImport.objects.filter(pk=pending.pk).delete()
    return outcome


def pending_import_discard(*, pending: PendingImport) -> None:
    PendingImport.objects.filter(pk=pending.pk).delete()

"""Files uploaded to citations: checking, keeping, opening and removing them.

A file is checked before anything is kept (size against the institution's limit,
kind by content, no active content in PDFs), written to the private storage under a
generated name, and its row created in the same transaction; if that transaction
fails the stored file is removed again. A stored file may be named by several rows
(a list rolled over keeps its files): it is removed after the commit that leaves no
row naming it.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import unicodedata
import uuid
from collections.abc import Iterable
from pathlib import PurePath
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from lectio.accounts.models import InstitutionSettings
from lectio.core import filetypes
from lectio.core.events import event_record
from lectio.lists.extensions import request_clearance
from lectio.lists.models import (
    Citation,
    CitationFile,
    FileCopyright,
    citation_file_storage,
)
from lectio.lists.permissions import Right, may_open_material
from lectio.lists.rules import rule_status
from lectio.lists.services import ServiceError, _touch_content, citation_set_status
from lectio.lists.statuses import CITATION_MACHINE, CitationStatus, CopyrightStatus

log = logging.getLogger("lectio.files")

# The citation's copyright status a file's declaration gives, when the citation's
# own status says nothing yet (a library decision is never overwritten).
COPYRIGHT_FOR_FILE = {
    FileCopyright.SELF_DECLARED: CopyrightStatus.SELF_DECLARED,
    FileCopyright.CREATIVE_COMMONS: CopyrightStatus.CREATIVE_COMMONS,
    FileCopyright.NEEDS_CLEARANCE: CopyrightStatus.WAITING,
}
UNDECIDED = (CopyrightStatus.NOT_DETERMINED,)
# Statuses a citation has from its creation until the library works on it: a file
# added then may still decide it by the institution's rules, as a file present when
# the citation was made would have (rollover applies the same rules).
BEFORE_THE_LIBRARY = (
    CitationStatus.BEING_PREPARED,
    CitationStatus.READY_FOR_PROCESSING,
)
MAX_NAME = 200


class FileRefused(ServiceError):
    """The file was not kept; `code` for machines, `status` for HTTP (413: too
    large, 400: anything else)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        self.code = code
        self.status = status
        super().__init__(message)


def upload_limit() -> int:
    """The institution's upload limit in bytes."""
    return int(InstitutionSettings.cached().max_upload_mb) * 1024 * 1024


def too_large(limit: int | None = None) -> FileRefused:
    limit = upload_limit() if limit is None else limit
    return FileRefused(
        "too_large",
        _("The file is larger than %(mb)s MB, the most this institution accepts.")
        % {"mb": limit // (1024 * 1024)},
        status=413,
    )


def clean_name(name: str, kind: filetypes.Kind) -> str:
    """The name to show and offer: no directories, no control characters, at most
    MAX_NAME characters, ending in the kind's extension."""
    base = PurePath(str(name).replace("\\", "/")).name
    base = "".join(
        ch
        for ch in unicodedata.normalize("NFC", base)
        if unicodedata.category(ch)[0] != "C"
    ).strip(" .")
    stem = PurePath(base).stem if PurePath(base).suffix else base
    suffix = PurePath(base).suffix.lower()
    if suffix not in kind.extensions:
        suffix = kind.extensions[0]
    stem = (stem or _("file"))[: MAX_NAME - len(suffix)]
    return stem + suffix


def ascii_name(name: str) -> str:
    """An ASCII fallback of a name for Content-Disposition's filename="..."."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._ -]+", "_", text).strip(" ._") or "file"
    return text


def _digest(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _delete_stored(names: Iterable[str]) -> None:
    """Removes stored files no row names any more (after a commit)."""
    storage = citation_file_storage()
    for name in set(names):
        if not name or CitationFile.objects.filter(file=name).exists():
            continue
        try:
            storage.delete(name)
        except OSError:
            log.warning("could not remove the stored file %s", name, exc_info=True)


def release_stored_files(names: Iterable[str]) -> None:
    """After the current transaction commits, removes those of `names` that no row
    names any more. Services that delete citations (and so their file rows) call it
    with the names the rows held."""
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: _delete_stored(names))


def stored_names(**filters: Any) -> list[str]:
    return list(CitationFile.objects.filter(**filters).values_list("file", flat=True))


def _check_editor(actor: Any, citation: Citation) -> None:
    from lectio.lists.permissions import list_right

    if list_right(actor, citation.reading_list) < Right.EDIT:
        raise ServiceError(_("Only people who may edit the list can change its files."))


def citation_file_add(
    *,
    actor: Any,
    citation: Citation,
    upload: Any,
    name: str,
    copyright: str,
) -> CitationFile:
    """Checks `upload` (a Django File on disk or in memory) and keeps it for the
    citation. The actor must be able to edit the list. Refusals raise FileRefused
    and keep nothing. "Needs clearance" sets the citation's copyright status to
    waiting and puts a copyright-clearance request in front of the library."""
    _check_editor(actor, citation)
    if copyright not in FileCopyright.values:
        raise FileRefused(
            "copyright", _("Say whether the file may be shared with the course.")
        )
    limit = upload_limit()
    size = upload.size
    if size is None or size > limit:
        raise too_large(limit)
    try:
        kind = filetypes.inspect(upload, name)
    except filetypes.Refused as refused:
        raise FileRefused(refused.code, refused.message) from None
    digest = _digest(upload)
    storage = citation_file_storage()
    generated = f"{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}{kind.extensions[0]}"
    upload.seek(0)
    stored = storage.save(generated, upload)
    try:
        with transaction.atomic():
            row = _add_row(actor, citation, stored, name, kind, size, digest, copyright)
    except BaseException:
        with contextlib.suppress(OSError):
            storage.delete(stored)
        raise
    # Called inside a larger transaction that later rolls back, the row goes but
    # the stored file stays: `sweep_stored_files` (lectio sweep-files) removes it.
    return row


def _add_row(
    actor: Any,
    citation: Citation,
    stored: str,
    name: str,
    kind: filetypes.Kind,
    size: int,
    digest: str,
    copyright: str,
) -> CitationFile:
    row = CitationFile.objects.create(
        citation=citation,
        file=stored,
        name=clean_name(name, kind),
        kind=kind.key,
        content_type=kind.content_type,
        size=size,
        sha256=digest,
        copyright=copyright,
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _touch_content(citation.reading_list_id)
    event_record(
        actor=actor,
        verb="citation.file_add",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("Uploaded “%(name)s” to “%(title)s”")
        % {"name": row.name, "title": citation.title[:120]},
        params={
            "file": row.pk,
            "kind": kind.key,
            "size": size,
            "copyright": copyright,
        },
    )
    wanted = COPYRIGHT_FOR_FILE[FileCopyright(copyright)]
    current = citation.copyright_status
    if current in UNDECIDED or (
        wanted == CopyrightStatus.WAITING
        and current in (CopyrightStatus.SELF_DECLARED, CopyrightStatus.CREATIVE_COMMONS)
    ):
        from lectio.lists.processing import citation_set_copyright

        if current != wanted:
            citation_set_copyright(
                actor=actor,
                citation=citation,
                copyright_status=wanted,
                reason=_("Declared when uploading “%(name)s”") % {"name": row.name},
                by_rule=True,
            )
    if copyright == FileCopyright.NEEDS_CLEARANCE:
        request_clearance(
            actor,
            citation,
            _("Uploaded file “%(name)s” needs copyright clearance.")
            % {"name": row.name},
        )
    else:
        _apply_file_rules(actor, citation)
    return row


def _apply_file_rules(actor: Any, citation: Citation) -> None:
    """Runs the institution's status rules again now that the citation has a file
    (e.g. "an item with an uploaded file is Complete"), while nobody at the library
    has worked on it yet. A file that needs clearance does not: its clearance request
    decides. Removing a file changes no status (what the rules gave, someone may
    have relied on since)."""
    current = (
        Citation.objects.filter(pk=citation.pk).values_list("status", flat=True).first()
    )
    if current not in BEFORE_THE_LIBRARY:
        return
    ruled = rule_status(
        material_type=citation.material_type,
        metadata=citation.metadata,
        has_file=True,
    )
    if ruled and ruled != current and CITATION_MACHINE.can(current, ruled):
        citation_set_status(actor=actor, citation=citation, status=ruled)


@transaction.atomic
def citation_file_delete(*, actor: Any, row: CitationFile) -> None:
    """Removes the file from its citation; the stored file goes after the commit
    unless another row (a rolled-over copy) still names it."""
    citation = row.citation
    _check_editor(actor, citation)
    name, stored, file_id = row.name, row.file.name, row.pk
    row.delete()
    _touch_content(citation.reading_list_id)
    event_record(
        actor=actor,
        verb="citation.file_delete",
        target_type="citation",
        target_id=citation.pk,
        list_id=citation.reading_list_id,
        summary=_("Removed the file “%(name)s” from “%(title)s”")
        % {"name": name, "title": citation.title[:120]},
        params={"file": file_id},
    )
    release_stored_files([stored])


def copy_file_rows(new_ids: dict[int, int]) -> int:
    """Rows for copied citations (old id -> new id) naming the same stored files as
    the originals' (a duplicated list); returns how many."""
    rows = [
        CitationFile(
            citation_id=new_ids[row.citation_id],
            file=row.file.name,
            name=row.name,
            kind=row.kind,
            content_type=row.content_type,
            size=row.size,
            sha256=row.sha256,
            copyright=row.copyright,
            uploaded_by_id=row.uploaded_by_id,
        )
        for row in CitationFile.objects.filter(citation_id__in=list(new_ids)).order_by(
            "id"
        )
    ]
    CitationFile.objects.bulk_create(rows)
    return len(rows)


def sweep_stored_files(*, older_than_seconds: int = 3600) -> list[str]:
    """Removes stored files that no row names and that are older than the given age
    (an upload whose transaction failed after the file was written); returns their
    names."""
    import datetime

    from django.utils import timezone

    storage = citation_file_storage()
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    removed: list[str] = []

    def walk(prefix: str) -> Iterable[str]:
        try:
            directories, files = storage.listdir(prefix)
        except FileNotFoundError:
            return
        for directory in directories:
            yield from walk(f"{prefix}{directory}/")
        for file in files:
            yield f"{prefix}{file}"

    known = set(CitationFile.objects.values_list("file", flat=True))
    for name in walk(""):
        if name in known or PurePath(name).name.startswith(".partial-"):
            continue
        with contextlib.suppress(OSError, NotImplementedError):
            if storage.get_modified_time(name) > cutoff:
                continue
        if not CitationFile.objects.filter(file=name).exists():
            storage.delete(name)
            removed.append(name)
    return removed


# --- reads ------------------------------------------------------------------------


def files_of(citation_ids: Iterable[int]) -> dict[int, list[CitationFile]]:
    """The files of many citations at once (one query), by citation id."""
    by_citation: dict[int, list[CitationFile]] = {}
    ids = list(citation_ids)
    if not ids:
        return by_citation
    for row in CitationFile.objects.filter(citation_id__in=ids).order_by(
        "uploaded_at", "id"
    ):
        by_citation.setdefault(row.citation_id, []).append(row)
    return by_citation


def file_get_for_reader(*, user: Any, file_id: int) -> tuple[CitationFile, Right]:
    """A file its citation's reader may open: 404 when they may not see the
    citation, 403 when the list's material access keeps its files from them."""
    from lectio.lists.selectors import citation_get_for_reader

    row = CitationFile.objects.filter(pk=file_id).first()
    if row is None:
        raise Http404("No such file")
    citation, right = citation_get_for_reader(user=user, citation_id=row.citation_id)
    if not may_open_material(user, citation.reading_list, right):
        raise PermissionDenied(
            _("The files of this list's readings are for the course's students.")
        )
    if not readers_may_open(row, citation, right):
        raise PermissionDenied(
            _("This file is waiting for the library to clear its copyright.")
        )
    row.citation = citation
    return row, right


def readers_may_open(row: CitationFile, citation: Citation, right: Right) -> bool:
    """A file that needs copyright clearance reaches readers once it is approved;
    the list's editors and the library open it at any time."""
    if right >= Right.EDIT or row.copyright != FileCopyright.NEEDS_CLEARANCE:
        return True
    return citation.copyright_status == CopyrightStatus.APPROVED


def file_get_for_editor(*, user: Any, file_id: int) -> CitationFile:
    from lectio.lists.selectors import citation_get_for_editor

    row = CitationFile.objects.filter(pk=file_id).first()
    if row is None:
        raise Http404("No such file")
    row.citation = citation_get_for_editor(user=user, citation_id=row.citation_id)
    return row

"""Lectio's values and Alma's codes, both ways. Tables, not ifs; docs/alma-api.md
prints them."""

from __future__ import annotations

from typing import Any

from lectio.lists.models import CollaboratorRight, MaterialType, TagKind
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    PublicationStatus,
    Visibility,
)

PUBLISHING = {
    PublicationStatus.PUBLISHED: "PUBLISHED",
    PublicationStatus.DRAFT: "DRAFT",
    PublicationStatus.ARCHIVED: "ARCHIVED",
}
VISIBILITY = {
    Visibility.COURSE: "RESTRICTED",
    Visibility.INSTITUTION: "PUBLIC",
    Visibility.PUBLIC: "OPEN_TO_WORLD",
}
COPYRIGHT = {
    CopyrightStatus.NOT_DETERMINED: "NOTDETERMINED",
    CopyrightStatus.NOT_REQUIRED: "NOTREQUIRED",
    CopyrightStatus.WAITING: "WAITINGFORAPPROVAL",
    CopyrightStatus.APPROVED: "APPROVED",
    CopyrightStatus.DECLINED: "DECLINED",
    CopyrightStatus.SELF_DECLARED: "SELFDECLARED",
    CopyrightStatus.CREATIVE_COMMONS: "CREATIVECOMMONS",
}
# Material type -> Alma's secondary type (citation type codes).
SECONDARY_TYPE = {
    MaterialType.BOOK: "BK",
    MaterialType.BOOK_CHAPTER: "BK_C",
    MaterialType.ARTICLE: "CR",
    MaterialType.JOURNAL: "JR",
    MaterialType.EBOOK: "E_BK",
    MaterialType.WEBSITE: "WS",
    MaterialType.VIDEO: "VD",
    MaterialType.AUDIO: "AR",
    MaterialType.THESIS: "THESIS",
    MaterialType.CONFERENCE_PAPER: "CONFERENCE",
    MaterialType.REPORT: "REPORT",
    MaterialType.LEGAL_DOCUMENT: "LEGAL_DOCUMENT",
    MaterialType.NOTE: "NOTE",
    MaterialType.OTHER: "OTHER",
}
# Codes seen in Alma data with no type of their own in Lectio.
SECONDARY_TYPE_ALIASES = {
    "E_CR": MaterialType.ARTICLE,
    "DO": MaterialType.OTHER,
    "CASE": MaterialType.LEGAL_DOCUMENT,
    "LEGISLATION": MaterialType.LEGAL_DOCUMENT,
}
# Alma's citation `type` is the broad kind: articles (CR) or books and the rest (BK).
ARTICLE_TYPES = {MaterialType.ARTICLE, MaterialType.JOURNAL}
TYPE_DESC = {"BK": "Book", "CR": "Article"}
TAG_KIND = {
    TagKind.PUBLIC: "PUBLIC",
    TagKind.INSTRUCTOR_LIBRARY: "INSTRUCTOR_LIBRARY",
    TagKind.LIBRARY_INTERNAL: "LIBRARY_INTERNAL",
}
ACCESS_RIGHTS = {CollaboratorRight.OWNER: "FULL", CollaboratorRight.EDITOR: "EDIT"}
ACCESS_RIGHTS_ALIASES = {
    "MANAGE": CollaboratorRight.OWNER,
    "READ_WRITE": CollaboratorRight.EDITOR,
}


def code(value: str, desc: Any) -> dict[str, Any]:
    return {"value": value, "desc": str(desc)}


def reverse(
    table: dict[Any, str], aliases: dict[str, Any] | None = None
) -> dict[str, str]:
    """Alma code (and Lectio's own value), upper-cased -> Lectio value."""
    out = {alma.upper(): str(lectio) for lectio, alma in table.items()}
    out.update({str(lectio).upper(): str(lectio) for lectio in table})
    out.update({k.upper(): str(v) for k, v in (aliases or {}).items()})
    return out


PUBLISHING_IN = reverse(PUBLISHING)
VISIBILITY_IN = reverse(VISIBILITY)
COPYRIGHT_IN = reverse(COPYRIGHT)
SECONDARY_TYPE_IN = reverse(SECONDARY_TYPE, SECONDARY_TYPE_ALIASES)
TAG_KIND_IN = reverse(TAG_KIND)
ACCESS_RIGHTS_IN = reverse(ACCESS_RIGHTS, ACCESS_RIGHTS_ALIASES)
LIST_STATUS_IN = {s.upper(): s for s in ListStatus.values}
CITATION_STATUS_IN = {s.upper(): s for s in CitationStatus.values}

"""Plain text from whatever a page said."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import nh3

MAX_TEXT = 2000
_TAG = re.compile(r"<[a-zA-Z/!?]")


def _printable(text: str) -> str:
    """Without control characters (and the replacement character a parser put for
    one): dropped first, so none can split a "<" from the tag name after it."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n" or (unicodedata.category(ch)[0] != "C" and ch != "\ufffd")
    )


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """Plain text from whatever a page said: markup stripped (by nh3, twice if the
    page escaped its markup), entities decoded, control characters dropped,
    whitespace squeezed, NFC, at most `limit` characters."""
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if isinstance(v, str | int | float))
    text = _printable(str(value)[: limit * 4])
    # Until nothing changes: a page that escaped its markup (once or twice) gets
    # it stripped too, not shown as text.
    for _round in range(4):
        cleaned = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
        if cleaned == text:
            break
        text = cleaned
    text = _printable(text)  # entities may have made new ones
    if _TAG.search(text):
        text = text.replace("<", "").replace(">", "")
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    return text[:limit].strip()

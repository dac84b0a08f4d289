"""The `figure` filter: a usage figure as the Usage page and the library reports
show it, the number, or "fewer than N" for a figure about too few students (a
filter, not an include: a long list's Usage page shows thousands)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lectio.analytics.reports import Hidden

register = template.Library()


@register.filter
def figure(value: Any) -> SafeString | str:
    if type(value) is int:  # most figures: digits need no escaping
        return SafeString(str(value))
    if isinstance(value, Hidden):
        return _hidden(value.threshold, get_language())
    return format_html("{}", value)


@lru_cache(maxsize=64)
def _hidden(threshold: int, language: str | None) -> SafeString:
    """The same few words for every hidden figure of a page (a long list has
    thousands), translated once per threshold and language."""
    return format_html(
        '<span class="muted">{}</span>', _("fewer than %(n)s") % {"n": threshold}
    )

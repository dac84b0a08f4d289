"""The `figure` filter: a usage figure as the Usage page shows it, the number, or
"fewer than N" for a figure about too few students (as analytics/_figure.html
does, without the cost of an include for each of a long list's items)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from lectio.analytics.reports import Hidden

register = template.Library()


@register.filter
def figure(value: Any) -> SafeString | str:
    if isinstance(value, Hidden):
        return format_html(
            '<span class="muted">{}</span>',
            _("fewer than %(n)s") % {"n": value.threshold},
        )
    return format_html("{}", value)

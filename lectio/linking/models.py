"""How the institution resolves links: one row, edited by administrators."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OptionKind(models.TextChoices):
    """The kinds of option a Find it page offers, in a preference order."""

    LICENSED = "licensed", _("Full text the library licenses")
    OPEN_ACCESS = "open_access", _("Open-access full text")
    PRINT = "print", _("A copy on the shelf")


DEFAULT_PREFERENCE = [OptionKind.LICENSED, OptionKind.OPEN_ACCESS, OptionKind.PRINT]


class ProxyScope(models.TextChoices):
    LICENSED = "licensed", _("Licensed resources (not open access)")
    NONE = "none", _("None (the proxy is off)")


class LinkingSettings(models.Model):
    """Resolver policy. `proxy_prefix` is an EZproxy-style prefix the target URL is
    appended to, percent-encoded (`https://proxy.example.edu/login?url=`)."""

    proxy_prefix = models.URLField(_("proxy prefix"), max_length=500, blank=True)
    proxy_scope = models.CharField(
        _("links that go through the proxy"),
        max_length=16,
        choices=ProxyScope.choices,
        default=ProxyScope.LICENSED,
    )
    # Host names (one a line) reached without the proxy although licensed, e.g.
    # platforms that authenticate by single sign-on themselves.
    proxy_skip_hosts = models.TextField(_("hosts never proxied"), blank=True)
    one_click = models.BooleanField(
        _("go straight to the full text when there is exactly one online option"),
        default=False,
    )
    external_resolver_url = models.URLField(
        _("external link resolver base URL"), max_length=500, blank=True
    )
    # OptionKind values, most preferred first.
    preference = models.JSONField(default=list)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("link resolver settings")

    def __str__(self) -> str:
        return str(_("Link resolver settings"))

    @property
    def preference_order(self) -> list[str]:
        """The preference with any kind it does not name appended in the default
        order, so a stored list from an older version still ranks every option."""
        known = [str(k) for k in (self.preference or []) if k in OptionKind.values]
        return known + [str(k) for k in DEFAULT_PREFERENCE if str(k) not in known]

    @property
    def skip_hosts(self) -> set[str]:
        return {
            line.strip().lower()
            for line in self.proxy_skip_hosts.splitlines()
            if line.strip()
        }

    @classmethod
    def current(cls) -> LinkingSettings:
        obj, _created = cls.objects.get_or_create(
            pk=1, defaults={"preference": [str(k) for k in DEFAULT_PREFERENCE]}
        )
        return obj

    @classmethod
    def cached(cls) -> LinkingSettings:
        """For read paths: kept in this process for a few seconds, so a change
        reaches other server processes within CACHE_SECONDS."""
        now = time.monotonic()
        entry = _CACHE.get("row")
        if entry is None or entry[0] < now:
            entry = (now + CACHE_SECONDS, cls.current())
            _CACHE["row"] = entry
        return entry[1]

    @staticmethod
    def forget_cached() -> None:
        _CACHE.clear()


CACHE_SECONDS = 10.0
_CACHE: dict[str, tuple[float, LinkingSettings]] = {}


# --- link checking -------------------------------------------------------------------


class LinkStatus(models.TextChoices):
    UNCHECKED = "unchecked", _("Not checked yet")
    OK = "ok", _("Working")
    BROKEN = "broken", _("Broken")
    # The site could not be asked or did not answer usefully (timeouts, 5xx, a
    # refused address): not broken yet, checked again later.
    UNSURE = "unsure", _("Could not be checked")


class CheckedLink(models.Model):
    """One distinct URL of a citation on an active list, with its latest check.
    `failures` counts consecutive checks that were not OK."""

    url = models.URLField(max_length=2000, unique=True)
    host = models.CharField(max_length=255, db_index=True)
    status = models.CharField(
        max_length=16, choices=LinkStatus.choices, default=LinkStatus.UNCHECKED
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    failures = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField(null=True, blank=True)
    broken_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["url"]
        indexes = [models.Index(fields=["status", "checked_at"], name="link_status")]

    def __str__(self) -> str:
        return self.url


class LinkCheckResult(models.Model):
    """The history: one row per check of a link."""

    link = models.ForeignKey(
        CheckedLink, on_delete=models.CASCADE, related_name="history"
    )
    checked_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=LinkStatus.choices)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=8, blank=True)
    error = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(default=1)
    elapsed_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            models.Index(fields=["link", "-checked_at"], name="link_history_recent")
        ]


class BrokenLinkReport(models.Model):
    """A reader's "this link is broken" on a citation, until the library deals with
    it. One open report per citation and person."""

    citation = models.ForeignKey(
        "lists.Citation", on_delete=models.CASCADE, related_name="broken_link_reports"
    )
    url = models.URLField(max_length=2000, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["citation", "reported_by"],
                condition=models.Q(resolved_at__isnull=True),
                name="broken_link_one_open_report",
            )
        ]

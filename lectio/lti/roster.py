"""Roster sync: a course's members read from the platform's Names and Role
Provisioning Services (NRPS 2.0) and made Lectio enrolments.

The tool asks the platform's token URL for an access token with a client assertion
signed by its own key (LTI Security Framework, OAuth 2 client credentials with a JWT
bearer assertion), then reads the memberships URL a launch brought, page by page
(`Link: <...>; rel="next"`). Every request goes through the guarded client, without
following redirects: the bearer token is never sent anywhere but the URL it is for,
and a next page must be on the memberships URL's own origin.

Members become accounts as a launch would (by sub, then primary id, then e-mail if
the platform allows it) and are enrolled with the role their LTI roles give; an
enrolment the LMS made is removed when its person is no longer an active member. An
enrolment from the student information system is never removed here, and a role is
never lowered.
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lectio.core import http_guard
from lectio.core.events import event_record
from lectio.courses.models import Course, CourseRole, Enrolment, EnrolmentSource
from lectio.courses.services import enrolment_set
from lectio.lti import claims as c
from lectio.lti.arrival import course_role, person_account, person_from
from lectio.lti.keys import guarded_fetch, tool_sign
from lectio.lti.models import Platform, PlatformUser, RosterLink, RosterStatus

log = logging.getLogger("lectio.lti")

NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
TOKEN_TYPES = ("application/json",)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# A launch reads the roster again only when the last reading is older than this.
RESYNC_SECONDS = 15 * 60


class RosterFailed(Exception):
    """The roster could not be read; nothing was changed."""


@dataclass
class RosterResult:
    added: int = 0
    raised: int = 0
    removed: int = 0
    unchanged: int = 0
    inactive: int = 0
    owners: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "raised": self.raised,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "inactive": self.inactive,
            "owners": self.owners,
            "skipped": len(self.skipped),
        }


# --- the access token --------------------------------------------------------------


def client_assertion(platform: Platform) -> str:
    """The JWT the tool proves itself with at the platform's token URL."""
    now = int(time.time())
    return tool_sign(
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
    )


def _token_cache_key(platform: Platform, scope: str) -> str:
    return f"lti:token:{platform.pk}:{platform.auth_token_url}:{scope}"


def access_token(platform: Platform, scope: str = NRPS_SCOPE) -> str:
    """A bearer token for `scope`, kept until shortly before it expires."""
    key = _token_cache_key(platform, scope)
    cached = cache.get(key)
    if isinstance(cached, str):
        return cached
    body = urlencode(
        {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": client_assertion(platform),
            "scope": scope,
        }
    ).encode()
    try:
        result = guarded_fetch(
            platform.auth_token_url,
            method="POST",
            accept=TOKEN_TYPES,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            content=body,
            max_redirects=0,
        )
    except (http_guard.FetchRefused, http_guard.FetchFailed) as exc:
        raise RosterFailed(f"token URL: {exc}") from exc
    if result.status != 200:
        raise RosterFailed(f"the token URL answered {result.status}")
    try:
        answer = json.loads(result.content)
        token = answer["access_token"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RosterFailed("the token URL's answer has no access_token") from exc
    if not isinstance(token, str) or not token:
        raise RosterFailed("the token URL's answer has no access_token")
    expires = answer.get("expires_in", 3600)
    lifetime = int(expires) if isinstance(expires, int | float) else 3600
    if lifetime > 60:
        cache.set(key, token, min(lifetime, 3600) - 30)
    return token


# --- the members -------------------------------------------------------------------

_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")


def next_link(header: str) -> str:
    """The rel="next" target of an HTTP Link header, or ""."""
    for target, params in _LINK.findall(header or ""):
        rels = re.findall(r'rel\s*=\s*"?([^";]+)"?', params, flags=re.IGNORECASE)
        if any("next" in rel.lower().split() for rel in rels):
            return target.strip()
    return ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def members_read(
    platform: Platform, url: str, *, token: str | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Every member of the memberships container at `url`, following next pages on
    the same origin, within LECTIO_LTI_ROSTER_MAX_MEMBERS and
    LECTIO_LTI_ROSTER_MAX_PAGES; and the container's context."""
    token = token or access_token(platform)
    max_members = int(getattr(settings, "LECTIO_LTI_ROSTER_MAX_MEMBERS", 20000))
    max_pages = int(getattr(settings, "LECTIO_LTI_ROSTER_MAX_PAGES", 200))
    members: list[dict[str, Any]] = []
    context: dict[str, Any] = {}
    seen: set[str] = set()
    current = url
    while current:
        if current in seen:
            raise RosterFailed("the roster's pages go round in a circle")
        if len(seen) >= max_pages:
            raise RosterFailed(f"the roster has more than {max_pages} pages")
        if _origin(current) != _origin(url):
            raise RosterFailed("a roster page is on another site")
        seen.add(current)
        try:
            result = guarded_fetch(
                current,
                accept=(MEMBERSHIP_TYPE, "application/json"),
                headers={"Authorization": f"Bearer {token}"},
                max_redirects=0,
            )
        except (http_guard.FetchRefused, http_guard.FetchFailed) as exc:
            raise RosterFailed(f"memberships URL: {exc}") from exc
        if result.status in (401, 403):
            cache.delete(_token_cache_key(platform, NRPS_SCOPE))
        if result.status != 200:
            raise RosterFailed(f"the memberships URL answered {result.status}")
        try:
            page = json.loads(result.content)
            found = page["members"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RosterFailed("a roster page is not a membership container") from exc
        if not isinstance(found, list):
            raise RosterFailed("a roster page is not a membership container")
        if not context and isinstance(page.get("context"), dict):
            context = page["context"]
        members.extend(m for m in found if isinstance(m, dict))
        if len(members) > max_members:
            raise RosterFailed(f"the roster has more than {max_members} members")
        current = next_link(result.headers.get("link", ""))
    return members, context


# --- the sync ----------------------------------------------------------------------


def _member_role(member: dict[str, Any], platform: Platform) -> tuple[str, bool]:
    roles = member.get("roles")
    return c.lectio_role(
        roles if isinstance(roles, list) else [],
        administrator_role=platform.administrator_role,
    )


def _owners_add(course: Course, users: list[Any], actor: Any) -> int:
    """Makes each teaching user an owner of the course's lists (where the platform
    says so); returns how many owner rows were new."""
    from lectio.lists.models import Collaborator, CollaboratorRight
    from lectio.lists.services import collaborator_set

    made = 0
    lists = list(course.reading_lists.all())
    for reading_list in lists:
        have = set(
            Collaborator.objects.filter(
                reading_list=reading_list, right=CollaboratorRight.OWNER
            ).values_list("user_id", flat=True)
        )
        for user in users:
            if user.pk not in have:
                collaborator_set(
                    actor=actor,
                    reading_list=reading_list,
                    user=user,
                    right=CollaboratorRight.OWNER,
                )
                made += 1
    return made


def roster_apply(
    link: RosterLink, members: list[dict[str, Any]], *, actor: Any = None
) -> RosterResult:
    """Makes the course's LMS enrolments those of the active `members`. One
    transaction: a member that cannot be read is skipped and reported, never half
    applied."""
    platform, course = link.platform, link.course
    result = RosterResult()
    active: dict[str, dict[str, Any]] = {}
    for number, member in enumerate(members, 1):
        sub = member.get("user_id")
        if not isinstance(sub, str) or not sub.strip():
            result.skipped.append(_("member %(n)d has no user_id") % {"n": number})
            continue
        status = member.get("status", "Active")
        if status not in ("Active", None):
            result.inactive += 1
            continue
        active[sub.strip()[:255]] = member
    with transaction.atomic():
        links = {
            row.sub: row
            for row in PlatformUser.objects.select_related("user").filter(
                platform=platform, sub__in=list(active)
            )
        }
        enrolments = {e.user_id: e for e in Enrolment.objects.filter(course=course)}
        kept: set[int] = set()
        teaching: list[Any] = []
        for sub, member in active.items():
            role, assistant = _member_role(member, platform)
            person = person_from(
                member, sub=sub, primary_id=member.get("lis_person_sourcedid") or ""
            )
            user = person_account(platform, person, role, link=links.get(sub))
            if not user.is_active:
                result.skipped.append(
                    _("account %(user)s is disabled") % {"user": user.username}
                )
                continue
            kept.add(user.pk)
            wanted = course_role(role, assistant)
            before = enrolments.get(user.pk)
            _enrolment, changed = enrolment_set(
                user=user, course=course, role=wanted, source=EnrolmentSource.LMS
            )
            if before is None:
                result.added += 1
            elif changed:
                result.raised += 1
            else:
                result.unchanged += 1
            if wanted != CourseRole.STUDENT:
                teaching.append(user)
        # The LMS's own enrolments of people the roster no longer lists as active.
        # Someone enrolled through this platform has a PlatformUser row; enrolments
        # of people from another platform are that platform's to remove.
        ours = set(
            PlatformUser.objects.filter(
                platform=platform,
                user_id__in=[
                    e.user_id
                    for e in enrolments.values()
                    if e.source == EnrolmentSource.LMS
                ],
            ).values_list("user_id", flat=True)
        )
        gone = sorted(ours - kept)
        if gone:
            result.removed = Enrolment.objects.filter(
                course=course, user_id__in=gone, source=EnrolmentSource.LMS
            ).delete()[0]
        if platform.roster_owners and teaching:
            result.owners = _owners_add(course, teaching, actor or teaching[0])
        link.status = RosterStatus.OK
        link.message = "; ".join(result.skipped)[:500]
        link.counts = result.as_dict()
        link.synced_at = timezone.now()
        link.save(
            update_fields=["status", "message", "counts", "synced_at", "updated_at"]
        )
        event_record(
            actor=actor,
            verb="lti.roster.sync",
            target_type="course",
            target_id=course.pk,
            summary=_("Roster from %(platform)s: %(added)d added, %(removed)d removed")
            % {
                "platform": platform.name,
                "added": result.added,
                "removed": result.removed,
            },
            params={"platform": platform.pk, **result.as_dict()},
        )
    return result


def roster_sync(link: RosterLink, *, actor: Any = None) -> RosterResult:
    """Reads the roster and applies it. A roster that cannot be read changes no
    enrolment; the link records why, and RosterFailed is raised."""
    try:
        members, _context = members_read(link.platform, link.memberships_url)
    except RosterFailed as exc:
        RosterLink.objects.filter(pk=link.pk).update(
            status=RosterStatus.FAILED,
            message=str(exc)[:500],
            synced_at=timezone.now(),
        )
        log.warning(
            "LTI roster of course %s from %s not read: %s",
            link.course_id,
            link.platform.issuer,
            exc,
        )
        raise
    return roster_apply(link, members, actor=actor)


def roster_note(
    *, platform: Platform, course: Course, claim: Any, context_id: str
) -> RosterLink | None:
    """Keeps the memberships URL a launch brought (the NRPS claim) and says whether
    the roster is due a reading: never read, or read more than RESYNC_SECONDS ago.
    Returns the link when a sync should be queued, else None. Writes only when the
    URL is new or changed."""
    if not platform.roster_sync or not isinstance(claim, dict):
        return None
    url = claim.get("context_memberships_url")
    versions = claim.get("service_versions") or ["2.0"]
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    if isinstance(versions, list) and "2.0" not in versions:
        return None
    url = url.strip()[:1000]
    link = RosterLink.objects.filter(platform=platform, course=course).first()
    if link is None:
        link, _created = RosterLink.objects.get_or_create(
            platform=platform,
            course=course,
            defaults={"memberships_url": url, "context_id": context_id[:255]},
        )
    elif link.memberships_url != url:
        link.memberships_url = url
        link.context_id = context_id[:255]
        link.save(update_fields=["memberships_url", "context_id", "updated_at"])
    fresh = timezone.now() - datetime.timedelta(seconds=RESYNC_SECONDS)
    if link.synced_at is not None and link.synced_at > fresh:
        return None
    # Many launches from one course at once queue one sync.
    if not cache.add(f"lti:roster:queued:{link.pk}", secrets.token_hex(4), 300):
        return None
    return link

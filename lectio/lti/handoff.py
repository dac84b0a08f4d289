"""Carrying the session from the LMS's frame to a Lectio tab of its own.

The frame's session cookie is partitioned to the LMS's site, so a top-level tab
opened from it starts signed out, and people who only ever came through the LMS
have no other way in. Links from the embedded pages to the full site therefore go
through /lti/open/<token>: a signed token naming the user and the page, valid for a
few minutes and once (its nonce is recorded like a launch's)."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from lectio.accounts.models import User
from lectio.lti.models import UsedNonce

SALT = "lectio.lti.handoff"
MAX_AGE = 600
ISSUER = "lectio:handoff"


def handoff_url(user: Any, path: str) -> str:
    token = signing.dumps(
        {"u": user.pk, "n": secrets.token_urlsafe(16), "p": path}, salt=SALT
    )
    return reverse("lti:open", args=[token])


def handoff_take(token: str) -> tuple[User, str] | None:
    """The user and the page of a valid, unused token; None otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    path = data.get("p") if isinstance(data, dict) else None
    if not isinstance(path, str) or not url_has_allowed_host_and_scheme(
        path, allowed_hosts=None
    ):
        return None
    try:
        with transaction.atomic():
            UsedNonce.objects.create(
                issuer=ISSUER,
                nonce=str(data.get("n"))[:255],
                expires_at=timezone.now() + datetime.timedelta(seconds=MAX_AGE),
            )
    except IntegrityError:
        return None
    user = User.objects.filter(pk=data.get("u"), is_active=True).first()
    return (user, path) if user is not None else None

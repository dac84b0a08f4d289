"""LTI 1.3: the platforms (LMSs) an administrator registered, their deployments, the
tool's own signing keys, and the one-time values a launch consumes (login states and
nonces)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CourseClaim(models.TextChoices):
    """Which claim of a launch names the Lectio course."""

    CONTEXT_LABEL = "context_label", _("Context label (the course code in the LMS)")
    LIS_COURSE_CODE = "lis_course_code", _("Custom parameter lis_course_code")
    COURSE_SECTION_SOURCEDID = (
        "course_section_sourcedid",
        _("Course section sourcedId (from the student information system)"),
    )


class AdministratorRole(models.TextChoices):
    """What an LMS administrator launching into a course is in Lectio."""

    INSTRUCTOR = "instructor", _("Instructor of the course")
    STUDENT = "student", _("Student of the course")


class Platform(models.Model):
    """An LMS registered by an administrator. (issuer, client id) names it: one LMS
    may register Lectio several times under different client ids."""

    name = models.CharField(_("name"), max_length=200)
    issuer = models.URLField(_("issuer"), max_length=500)
    client_id = models.CharField(_("client id"), max_length=255)
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    jwks_url = models.URLField(_("public key set URL"), max_length=500)
    active = models.BooleanField(_("active"), default=True)
    # What the institution chooses for launches from this platform.
    course_claim = models.CharField(
        _("course matched by"),
        max_length=32,
        choices=CourseClaim.choices,
        default=CourseClaim.CONTEXT_LABEL,
    )
    administrator_role = models.CharField(
        _("LMS administrators are"),
        max_length=16,
        choices=AdministratorRole.choices,
        default=AdministratorRole.INSTRUCTOR,
    )
    link_by_email = models.BooleanField(
        _("link to an existing account with the same e-mail address"),
        default=False,
        help_text=_(
            "Only if this LMS verifies e-mail addresses: whoever controls an address "
            "there gets the Lectio account that has it."
        ),
    )
    create_courses = models.BooleanField(
        _(
            "make a course for an instructor's launch from a course Lectio does not know"
        ),
        default=False,
        help_text=_(
            "With the matched value as its code and the LMS's course title as its "
            "name. Off: such launches land on a page saying the course is unknown."
        ),
    )
    roster_sync = models.BooleanField(
        _("read course rosters (Names and Role Provisioning Services)"),
        default=True,
        help_text=_(
            "When a launch brings the course's membership service, Lectio reads "
            "the members and enrols them, and again on every periodic sync."
        ),
    )
    roster_owners = models.BooleanField(
        _("instructors on a roster become owners of the course's lists"),
        default=False,
        help_text=_(
            "Off: they manage the course's lists as its instructors, while they "
            "teach it. On: they are also made owners of each list, which stays "
            "theirs after the course ends."
        ),
    )
    frame_origins = models.CharField(
        _("other origins that frame Lectio"),
        max_length=1000,
        blank=True,
        help_text=_(
            "Space-separated, like https://school.instructure.com, when the LMS "
            "shows Lectio from an address other than its issuer."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("LTI platform")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_platform_issuer_client_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def origins(self) -> list[str]:
        """The origins allowed to frame the embedded views for this platform."""
        found: list[str] = []
        for url in (self.issuer, self.auth_login_url, *self.frame_origins.split()):
            parts = urlsplit(url)
            if parts.scheme in ("http", "https") and parts.netloc:
                origin = f"{parts.scheme}://{parts.netloc}".lower()
                if origin not in found:
                    found.append(origin)
        return found


class Deployment(models.Model):
    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="deployments"
    )
    deployment_id = models.CharField(_("deployment id"), max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deployment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lti_deployment_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.deployment_id


class PlatformUser(models.Model):
    """The Lectio account an LMS user (`sub`, stable per platform) is."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="users"
    )
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "sub"], name="lti_platform_user_uniq"
            )
        ]


class ToolKey(models.Model):
    """One of the tool's RSA key pairs. The newest active key signs; every published
    key is in /lti/jwks, so a key can be retired (unpublished) after the platforms
    have fetched its successor."""

    kid = models.CharField(max_length=64, unique=True)
    private_pem = models.TextField()
    public_jwk = models.JSONField()
    active = models.BooleanField(default=True)
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class LoginState(models.Model):
    """Begun by /lti/login, consumed by the one /lti/launch it was made for. The
    browser that began the login holds a cookie whose hash is kept here."""

    state = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64)
    browser_hash = models.CharField(max_length=64)
    platform = models.ForeignKey(Platform, on_delete=models.CASCADE, related_name="+")
    target_link_uri = models.URLField(max_length=1000, blank=True)
    expires_at = models.DateTimeField(db_index=True)


class UsedNonce(models.Model):
    """A nonce a launch has used. The unique constraint makes a replay fail even
    when two processes see the same token at once."""

    issuer = models.CharField(max_length=500)
    nonce = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "nonce"], name="lti_used_nonce_uniq"
            )
        ]


class RosterStatus(models.TextChoices):
    NEVER = "", _("Not read yet")
    OK = "ok", _("Read")
    FAILED = "failed", _("Failed")


class RosterLink(models.Model):
    """A course's roster at a platform: the memberships URL (NRPS) the launches from
    that course bring, and how the last reading of it went."""

    platform = models.ForeignKey(
        Platform, on_delete=models.CASCADE, related_name="rosters"
    )
    course = models.ForeignKey(
        "courses.Course", on_delete=models.CASCADE, related_name="+"
    )
    context_id = models.CharField(max_length=255, blank=True)
    memberships_url = models.URLField(max_length=1000)
    status = models.CharField(
        max_length=8,
        choices=RosterStatus.choices,
        default=RosterStatus.NEVER,
        blank=True,
    )
    message = models.CharField(max_length=500, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["platform", "course"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "course"], name="lti_roster_platform_course_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.memberships_url


class RegistrationInvite(models.Model):
    """A one-time URL an administrator makes for LTI Dynamic Registration: pasted
    into the LMS, it lets that LMS register itself once, within a day. Only a hash
    of its secret is kept."""

    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    platform = models.ForeignKey(
        Platform, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

import time

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A user's role at the institution. Course roles come from enrolments."""

    STUDENT = "student", _("Student")
    INSTRUCTOR = "instructor", _("Instructor")
    LIBRARIAN = "librarian", _("Librarian")
    ADMIN = "admin", _("Administrator")


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    # The id the student information system knows the person by (loaders, LTI, Alma API).
    primary_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    preferred_name = models.CharField(_("preferred name"), max_length=150, blank=True)
    # Made by a loader for someone Lectio had not met (an instructor named in a course
    # file): no password; they sign in through the institution's login or the LMS.
    pending = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("user")

    @property
    def display_name(self) -> str:
        if self.preferred_name:
            return self.preferred_name
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.username

    @property
    def is_library_staff(self) -> bool:
        return self.role in (Role.LIBRARIAN, Role.ADMIN)

    @property
    def is_institution_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def can_author_lists(self) -> bool:
        return self.role in (Role.INSTRUCTOR, Role.LIBRARIAN, Role.ADMIN)


class PublishingWorkflow(models.TextChoices):
    INSTRUCTOR_PUBLISHES = (
        "instructor",
        _("Instructors publish their lists when they like"),
    )
    LIBRARY_PUBLISHES = "library", _("The library reviews lists, then publishes them")
    PUBLISH_ON_SEND = "on_send", _("Lists are published when sent to the library")


class LoaderUnknown(models.TextChoices):
    CREATE = "create", _("Create them")
    REJECT = "reject", _("Reject the row")


class InstitutionSettings(models.Model):
    """Institution policy, one row, edited by administrators."""

    name = models.CharField(max_length=200, default="Lectio University")
    citation_style = models.CharField(max_length=100, default="apa")
    # Students see only Complete citations of published lists unless this is off.
    students_see_only_complete = models.BooleanField(default=True)
    # Items an instructor adds to a list already with the library go straight to the
    # library's task list (ReadyForProcessing) rather than waiting to be sent.
    send_updates_automatically = models.BooleanField(default=True)
    publishing_workflow = models.CharField(
        max_length=16,
        choices=PublishingWorkflow.choices,
        default=PublishingWorkflow.INSTRUCTOR_PUBLISHES,
    )
    # Loaders (course, user, enrolment and reading-list files).
    loader_date_format = models.CharField(
        _("date format in loader files"),
        max_length=32,
        default="%Y-%m-%d",
        help_text=_("As strftime: %Y-%m-%d is 2026-09-01, %d/%m/%Y is 01/09/2026."),
    )
    loader_unknown_users = models.CharField(
        _("people a loader file names that Lectio does not know"),
        max_length=8,
        choices=LoaderUnknown.choices,
        default=LoaderUnknown.CREATE,
    )
    loader_unknown_codes = models.CharField(
        _("departments, terms and campuses Lectio does not know"),
        max_length=8,
        choices=LoaderUnknown.choices,
        default=LoaderUnknown.CREATE,
    )
    # Rollover: what a list rolled over to the next course keeps. Due dates, list and
    # section dates, student discussions and usage always start afresh.
    rollover_recalculate_statuses = models.BooleanField(
        _("recalculate citation statuses by the rules"), default=True
    )
    rollover_copy_public_notes = models.BooleanField(
        _("copy public notes and public tags"), default=True
    )
    rollover_copy_library_tags = models.BooleanField(
        _("copy instructor-library and library-internal tags and notes"), default=True
    )
    rollover_copy_collaborators = models.BooleanField(
        _("copy collaborators"), default=True
    )
    rollover_copy_syllabus = models.BooleanField(_("copy the syllabus"), default=True)
    # Adding by identifier: DOIs, ISBNs and PubMed ids Lectio's catalog does not
    # have are looked up at doi.org, Open Library and PubMed (through the guarded
    # client) when this is on; off, nothing leaves Lectio.
    remote_lookups = models.BooleanField(
        _("look up identifiers outside Lectio"), default=False
    )
    # Usage figures about fewer people than this are shown as "fewer than N".
    analytics_min_group = models.PositiveSmallIntegerField(
        _("smallest group a usage figure may describe"), default=10
    )
    # The largest file anyone may upload to a citation, in megabytes.
    max_upload_mb = models.PositiveIntegerField(
        _("largest file that may be uploaded (MB)"), default=50
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("institution settings")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> "InstitutionSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def cached(cls) -> "InstitutionSettings":
        """The settings for read paths: kept in this process for a few seconds, so a
        change reaches other server processes within CACHE_SECONDS."""
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
_CACHE: dict[str, tuple[float, InstitutionSettings]] = {}


API_AREAS = ("courses", "lists", "workflow", "catalog", "analytics", "users", "loaders")


class ApiKey(models.Model):
    """A key for the institution's scripts. Only a hash is stored; the key itself is
    shown once, when it is made. Scopes are "area:read" or "area:write" (write
    implies read). The key acts as `user` (a service account or its creator)."""

    name = models.CharField(max_length=100, unique=True)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API key")

    def __str__(self) -> str:
        return self.name

    def allows(self, area: str, write: bool) -> bool:
        if self.revoked_at is not None:
            return False
        return f"{area}:write" in self.scopes or (
            not write and f"{area}:read" in self.scopes
        )


class TokenAuth(models.TextChoices):
    """How Lectio proves itself at the identity provider's token endpoint."""

    BASIC = "client_secret_basic", _("Client secret in the Authorization header")
    POST = "client_secret_post", _("Client secret in the request body")


class IdentityProvider(models.Model):
    """The institution's OpenID Connect identity provider (Entra ID, Okta, Keycloak,
    Shibboleth's OIDC OP, Google Workspace): people sign in there instead of with
    a Lectio password. Administrators register it; the endpoints may be read from
    the issuer's discovery document."""

    name = models.CharField(
        _("name on the sign-in button"), max_length=100, default="University login"
    )
    issuer = models.URLField(_("issuer"), max_length=500)
    client_id = models.CharField(_("client id"), max_length=255)
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    token_auth = models.CharField(
        _("token endpoint authentication"),
        max_length=32,
        choices=TokenAuth.choices,
        default=TokenAuth.BASIC,
    )
    authorization_endpoint = models.URLField(
        _("authorization endpoint"), max_length=500
    )
    token_endpoint = models.URLField(_("token endpoint"), max_length=500)
    jwks_uri = models.URLField(_("public key set URL (jwks_uri)"), max_length=500)
    scopes = models.CharField(
        _("scopes"), max_length=300, default="openid email profile"
    )
    primary_id_claim = models.CharField(
        _("claim holding the person's primary id"),
        max_length=100,
        blank=True,
        help_text=_(
            "Compared with the primary id the user loader gave each person, like "
            "employee_id or preferred_username. Empty: not used."
        ),
    )
    link_by_email = models.BooleanField(
        _("link to an existing account with the same verified e-mail address"),
        default=False,
    )
    create_accounts = models.BooleanField(
        _("make an account (a student's) for someone Lectio does not know"),
        default=True,
        help_text=_(
            "Off: only people the user loader or an administrator added may sign in."
        ),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity provider")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="identity_provider_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ExternalIdentity(models.Model):
    """The Lectio account a person at an identity provider (`sub`) is."""

    provider = models.ForeignKey(
        IdentityProvider, on_delete=models.CASCADE, related_name="identities"
    )
    sub = models.CharField(max_length=255)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="external_identities"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "sub"], name="external_identity_uniq"
            )
        ]

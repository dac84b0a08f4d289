"""`lectio lti add-platform|list|remove|rotate-key|retire-key|sync-rosters`: LMS
registrations, the tool's keys and course rosters, from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lectio.lti import keys
from lectio.lti.models import (
    AdministratorRole,
    CourseClaim,
    Platform,
    RosterLink,
    ToolKey,
)
from lectio.lti.roster import RosterFailed, roster_sync
from lectio.lti.services import (
    RegistrationError,
    deployment_add,
    platform_create,
    platform_remove,
)


class Command(BaseCommand):
    help = "Register LTI 1.3 platforms (LMSs) and manage the tool's keys."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser(
            "add-platform",
            help="Register a platform, or add deployments to a registered one.",
        )
        add.add_argument("--issuer", required=True)
        add.add_argument("--client-id", required=True)
        add.add_argument(
            "--deployment-id", action="append", default=[], help="Repeat for several."
        )
        add.add_argument("--auth-login-url")
        add.add_argument("--auth-token-url")
        add.add_argument("--jwks-url")
        add.add_argument("--name")
        add.add_argument(
            "--course-claim",
            choices=CourseClaim.values,
            default=CourseClaim.CONTEXT_LABEL,
        )
        add.add_argument(
            "--administrator-role",
            choices=AdministratorRole.values,
            default=AdministratorRole.INSTRUCTOR,
        )
        add.add_argument(
            "--create-courses",
            action="store_true",
            help="Make courses Lectio does not know from instructors' launches.",
        )
        add.add_argument(
            "--no-roster-sync",
            action="store_true",
            help="Do not read course rosters (NRPS) from this platform.",
        )
        add.add_argument(
            "--roster-owners",
            action="store_true",
            help="Make instructors on a roster owners of the course's lists.",
        )
        sub.add_parser("list", help="List platforms and their deployments.")
        remove = sub.add_parser("remove", help="Remove a platform.")
        remove.add_argument("--issuer", required=True)
        remove.add_argument("--client-id", required=True)
        sub.add_parser(
            "rotate-key",
            help="Make a new signing key; the old one stays published until retired.",
        )
        retire = sub.add_parser("retire-key", help="Stop publishing an old key.")
        retire.add_argument("kid")
        sync = sub.add_parser(
            "sync-rosters",
            help="Read the rosters (NRPS) of the courses launched from each platform "
            "and update their enrolments; run it daily, like send-digests.",
        )
        sync.add_argument("--issuer", help="Only this platform's courses.")
        sync.add_argument("--course", help="Only the course with this code.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "_" + action.replace("-", "_"))(options)
        except RegistrationError as error:
            raise CommandError(str(error)) from None

    def _add_platform(self, options: dict[str, Any]) -> None:
        platform = Platform.objects.filter(
            issuer=options["issuer"], client_id=options["client_id"]
        ).first()
        if platform is not None:
            for deployment_id in options["deployment_id"]:
                deployment_add(
                    actor=None, platform=platform, deployment_id=deployment_id
                )
            self.stdout.write(
                f"Platform {platform.name} was registered already; deployments: "
                + ", ".join(
                    platform.deployments.values_list("deployment_id", flat=True)
                )
            )
            return
        missing = [
            f"--{name.replace('_', '-')}"
            for name in ("auth_login_url", "auth_token_url", "jwks_url")
            if not options.get(name)
        ]
        if missing:
            raise CommandError("A new platform needs " + ", ".join(missing) + ".")
        platform = platform_create(
            actor=None,
            deployment_ids=options["deployment_id"],
            name=options.get("name") or options["issuer"],
            issuer=options["issuer"],
            client_id=options["client_id"],
            auth_login_url=options["auth_login_url"],
            auth_token_url=options["auth_token_url"],
            jwks_url=options["jwks_url"],
            course_claim=options["course_claim"],
            administrator_role=options["administrator_role"],
            create_courses=options["create_courses"],
            roster_sync=not options["no_roster_sync"],
            roster_owners=options["roster_owners"],
        )
        self.stdout.write(
            f"Registered {platform.name} ({platform.issuer}, client id "
            f"{platform.client_id}) with {len(options['deployment_id'])} deployment(s)."
        )

    def _list(self, options: dict[str, Any]) -> None:
        for platform in Platform.objects.prefetch_related("deployments"):
            deployments = ",".join(d.deployment_id for d in platform.deployments.all())
            state = "active" if platform.active else "inactive"
            self.stdout.write(
                f"{platform.issuer}\t{platform.client_id}\t{deployments or '-'}\t"
                f"{platform.name}\t{state}"
            )

    def _remove(self, options: dict[str, Any]) -> None:
        platform = Platform.objects.filter(
            issuer=options["issuer"], client_id=options["client_id"]
        ).first()
        if platform is None:
            raise CommandError("No platform with that issuer and client id.")
        platform_remove(actor=None, platform=platform)
        self.stdout.write(f"Removed {platform.name}.")

    def _rotate_key(self, options: dict[str, Any]) -> None:
        key = keys.tool_key_rotate()
        self.stdout.write(f"New signing key {key.kid}.")

    def _retire_key(self, options: dict[str, Any]) -> None:
        if ToolKey.objects.filter(kid=options["kid"], active=True).exists():
            raise CommandError("That key still signs; rotate first.")
        if not keys.tool_key_retire(options["kid"]):
            raise CommandError("No such key.")
        self.stdout.write(f"Key {options['kid']} is no longer published.")

    def _sync_rosters(self, options: dict[str, Any]) -> None:
        links = RosterLink.objects.select_related("platform", "course").filter(
            platform__active=True, platform__roster_sync=True
        )
        if options.get("issuer"):
            links = links.filter(platform__issuer=options["issuer"])
        if options.get("course"):
            links = links.filter(course__code=options["course"])
        failed = done = 0
        for link in links:
            label = f"{link.course.label} ({link.platform.name})"
            try:
                result = roster_sync(link)
            except RosterFailed as error:
                failed += 1
                self.stderr.write(f"{label}: not read: {error}")
                continue
            done += 1
            counts = result.as_dict()
            self.stdout.write(
                f"{label}: {counts['added']} added, {counts['raised']} raised, "
                f"{counts['removed']} removed, {counts['unchanged']} unchanged, "
                f"{counts['inactive']} inactive, {counts['skipped']} skipped"
            )
        self.stdout.write(f"Rosters read: {done}; failed: {failed}.")
        if failed:
            raise CommandError(f"{failed} roster(s) could not be read.")

"""`lectio api-key create|revoke|list`: keys for the institution's scripts."""

from django.core.management.base import BaseCommand, CommandError

from lectio.accounts.models import ApiKey, Role, User
from lectio.accounts.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "Create, revoke or list API keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a key and print it once.")
        create.add_argument("--name", required=True)
        create.add_argument(
            "--scope",
            action="extend",
            nargs="+",
            required=True,
            help="AREA:read or AREA:write; several after one --scope, or repeat it.",
        )
        create.add_argument(
            "--user",
            help="User name the key acts as (default: the first administrator).",
        )
        revoke = sub.add_parser("revoke", help="Stop a key working, at once.")
        revoke.add_argument("name")
        sub.add_parser("list", help="List keys (never their secrets).")

    def handle(self, *args, action, **options):
        if action == "create":
            username = options.get("user")
            if username:
                user = User.objects.filter(username=username).first()
                if user is None:
                    raise CommandError(f"No user named {username}.")
            else:
                user = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
                if user is None:
                    raise CommandError("No administrator exists; name one with --user.")
            try:
                key, secret = api_key_create(
                    actor=None, name=options["name"], scopes=options["scope"], user=user
                )
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(secret)
            self.stderr.write(
                f"Key {key.name} acts as {user.username} with {', '.join(key.scopes)}. "
                "Store it now: it is not shown again."
            )
        elif action == "revoke":
            try:
                api_key_revoke(actor=None, name=options["name"])
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Revoked {options['name']}.")
        else:
            for key in ApiKey.objects.select_related("user").order_by("name"):
                state = "revoked" if key.revoked_at else "active"
                self.stdout.write(
                    f"{key.name}\t{key.prefix}…\t{key.user.username}\t"
                    f"{','.join(key.scopes)}\t{state}"
                )

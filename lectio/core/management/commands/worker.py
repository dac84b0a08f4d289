"""`lectio worker`: runs background jobs (the django.tasks database backend)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background jobs until stopped (or, with --batch, until none are left)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true")

    def handle(self, *args, batch, **options):
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--queue-name", "*", *extra)

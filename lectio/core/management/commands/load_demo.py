from django.core.management.base import BaseCommand

from lectio.core.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo institution (Lectio University): people, courses and reading "
        "lists in every status. Does nothing if the demo is already loaded."
    )

    def handle(self, *args, **options) -> None:
        load_demo(stdout=self.stdout)

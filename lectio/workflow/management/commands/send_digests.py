"""`lectio send-digests`: the daily e-mail of new discussion messages, for people who
chose a digest. Run once a day (cron, a systemd timer)."""

from django.core.management.base import BaseCommand

from lectio.workflow.services import send_digests


class Command(BaseCommand):
    help = "Send each digest subscriber one e-mail with their waiting messages."

    def handle(self, *args, **options):
        sent = send_digests()
        self.stdout.write(f"Sent {sent} digest e-mails.")

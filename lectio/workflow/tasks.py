"""Background jobs of the library workflow."""

from django_tasks import task

from lectio.workflow import services
from lectio.workflow.models import Message


@task()
def notify_message(message_id: int) -> int:
    message = (
        Message.objects.select_related("reading_list", "author", "citation")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return 0
    sent, _deferred = services.notify_recipients(message)
    return sent


@task()
def send_daily_digests() -> int:
    return services.send_digests()

from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "lectio.analytics"
    label = "analytics"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.core.signals import request_finished
        from django.db.models.signals import post_delete

        from lectio.analytics import recording
        from lectio.core import usage

        usage.SINK = recording.write
        request_finished.connect(usage.flush_if_due, dispatch_uid="lectio-usage")
        # Erasing a person erases their raw events (the daily counts name nobody).
        post_delete.connect(
            recording.erase_deleted_user,
            sender=get_user_model(),
            dispatch_uid="lectio-usage-erase",
        )

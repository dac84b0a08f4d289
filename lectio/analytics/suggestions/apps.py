from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "lectio.analytics.suggestions"
    label = "suggestions"
    verbose_name = "Suggestions"

    def ready(self) -> None:
        from lectio.analytics.suggestions import panels, refresh
        from lectio.lists.extensions import (
            register_content_listener,
            register_page_panel,
        )

        # Marking a changed list pending is one small write in the change's
        # transaction; the counting runs in the background job it queues.
        register_content_listener(refresh.lists_mark_pending)
        register_page_panel(panels.page_panel)

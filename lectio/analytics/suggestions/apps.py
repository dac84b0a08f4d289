from django.apps import AppConfig


class SuggestionsConfig(AppConfig):
    name = "lectio.analytics.suggestions"
    label = "suggestions"
    verbose_name = "Suggestions"

    def ready(self) -> None:
        from lectio.analytics.suggestions import panels, refresh
        from lectio.catalog.extensions import register_records_listener
        from lectio.lists.extensions import (
            register_content_listener,
            register_page_panel,
        )

        # Marking a changed list pending is one small write in the change's
        # transaction; the counting runs in the background job it queues.
        register_content_listener(refresh.lists_mark_pending)
        # A catalog change queues the recount of similar records once it commits.
        register_records_listener(refresh.records_changed)
        register_page_panel(panels.page_panel)

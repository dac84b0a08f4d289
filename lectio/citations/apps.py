from django.apps import AppConfig


class CitationsConfig(AppConfig):
    name = "lectio.citations"
    label = "citations"

    def ready(self) -> None:
        from lectio.citations.editor import editor_provider, reader_citation_html
        from lectio.lists.extensions import (
            register_editor_provider,
            register_reader_citation_provider,
        )

        register_editor_provider(editor_provider)
        register_reader_citation_provider(reader_citation_html)

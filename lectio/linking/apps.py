from django.apps import AppConfig


class LinkingConfig(AppConfig):
    name = "lectio.linking"
    label = "linking"

    def ready(self) -> None:
        from lectio.linking.links import citation_linker, editor_provider, record_linker
        from lectio.lists.extensions import (
            register_citation_linker,
            register_editor_provider,
            register_record_linker,
        )

        register_citation_linker(citation_linker)
        register_record_linker(record_linker)
        register_editor_provider(editor_provider)

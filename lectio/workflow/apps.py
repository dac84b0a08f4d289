from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "lectio.workflow"
    label = "workflow"

    def ready(self) -> None:
        from lectio.lists.extensions import register_editor_provider
        from lectio.workflow.editor import editor_provider

        register_editor_provider(editor_provider)

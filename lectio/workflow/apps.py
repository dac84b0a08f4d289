from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "lectio.workflow"
    label = "workflow"

    def ready(self) -> None:
        from lectio.lists.extensions import (
            register_clearance_requester,
            register_editor_provider,
        )
        from lectio.workflow.editor import editor_provider
        from lectio.workflow.services import clearance_for_upload

        register_editor_provider(editor_provider)
        register_clearance_requester(clearance_for_upload)

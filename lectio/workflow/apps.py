from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    name = "lectio.workflow"
    label = "workflow"

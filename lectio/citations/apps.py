from django.apps import AppConfig


class CitationsConfig(AppConfig):
    name = "lectio.citations"
    label = "citations"

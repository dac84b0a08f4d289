from django.apps import AppConfig


class LinkingConfig(AppConfig):
    name = "lectio.linking"
    label = "linking"

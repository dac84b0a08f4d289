from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lectio.core"
    label = "core"

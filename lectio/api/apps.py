from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "lectio.api"
    label = "api"

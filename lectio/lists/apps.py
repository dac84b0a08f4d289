from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "lectio.lists"
    label = "lists"

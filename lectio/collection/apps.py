from django.apps import AppConfig


class CollectionConfig(AppConfig):
    name = "lectio.collection"
    label = "collection"
    verbose_name = "My collection"

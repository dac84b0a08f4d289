from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "lectio.catalog"
    label = "catalog"

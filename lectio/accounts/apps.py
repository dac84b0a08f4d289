from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lectio.accounts"
    label = "accounts"

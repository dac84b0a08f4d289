from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lectio.lti"
    label = "lti"

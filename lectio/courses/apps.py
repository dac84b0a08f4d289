from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "lectio.courses"
    label = "courses"

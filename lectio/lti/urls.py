from django.urls import URLPattern

app_name = "lti"

urlpatterns: list[URLPattern] = []

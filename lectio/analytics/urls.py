from django.urls import path

from lectio.analytics import views

app_name = "analytics"

urlpatterns = [
    path("lists/<int:list_id>/usage/", views.list_usage_page, name="list_usage"),
]

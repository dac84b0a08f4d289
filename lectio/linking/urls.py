from django.urls import path

from lectio.linking import views

app_name = "linking"

urlpatterns = [
    # Part of the stable contract: outside systems send OpenURLs here.
    path("openurl", views.openurl_view, name="openurl"),
    path("settings/linking/", views.linking_settings, name="settings"),
]

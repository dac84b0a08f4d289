from django.urls import path

from lectio.linking import views

app_name = "linking"

urlpatterns = [
    # Part of the stable contract: outside systems send OpenURLs here.
    path("openurl", views.openurl_view, name="openurl"),
    path("settings/linking/", views.linking_settings, name="settings"),
    path(
        "citations/<int:citation_id>/broken-link/",
        views.broken_link_report,
        name="report",
    ),
    path(
        "citations/<int:citation_id>/full-text/",
        views.full_text,
        name="full_text",
    ),
    path("library/links/", views.broken_links, name="broken_links"),
    path(
        "library/links/reports/<int:report_id>/resolve/",
        views.broken_link_resolve,
        name="resolve_report",
    ),
]

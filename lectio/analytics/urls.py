from django.urls import path

from lectio.analytics import views

app_name = "analytics"

urlpatterns = [
    path("lists/<int:list_id>/usage/", views.list_usage_page, name="list_usage"),
    path("library/reports/", views.reports_index, name="reports"),
    path("library/reports/<slug:name>/", views.report_page, name="report"),
    path(
        "library/reports/<slug:name>/download.csv",
        views.report_download,
        {"fmt": "csv"},
        name="report_csv",
    ),
    path(
        "library/reports/<slug:name>/download.xlsx",
        views.report_download,
        {"fmt": "xlsx"},
        name="report_xlsx",
    ),
]

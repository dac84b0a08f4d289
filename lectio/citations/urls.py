from django.urls import path

from lectio.citations import views

app_name = "citations"

urlpatterns = [
    path("lists/<int:list_id>/import/", views.import_start, name="import_start"),
    path(
        "lists/<int:list_id>/import/<str:token>/",
        views.import_review,
        name="import_review",
    ),
    path("lists/<int:list_id>/export/", views.export, name="export"),
]

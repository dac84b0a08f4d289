from django.urls import path

from lectio.citations.views import citeit, transfer

app_name = "citations"

urlpatterns = [
    path("citeit/", citeit.citeit, name="citeit"),
    path("citeit/install/", citeit.install, name="install"),
    path("lists/<int:list_id>/import/", transfer.import_start, name="import_start"),
    path(
        "lists/<int:list_id>/import/<str:token>/",
        transfer.import_review,
        name="import_review",
    ),
    path("lists/<int:list_id>/export/", transfer.export, name="export"),
]

"""Files on citations: uploading and removing them (the list's editors) and opening
them (whoever may open the list's material)."""

from django.urls import path

from lectio.lists.views import files

app_name = "files"

urlpatterns = [
    path(
        "citations/<int:citation_id>/files/",
        files.citation_files,
        name="citation_files",
    ),
    path("files/<int:file_id>/", files.file_open, name="open"),
    path("files/<int:file_id>/delete/", files.file_delete, name="delete"),
]

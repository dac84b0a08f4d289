from django.urls import path

from lectio.collection import views

app_name = "collection"

urlpatterns = [
    path("collection/", views.collection, name="home"),
    path("collection/items/", views.items_action, name="items"),
    path("collection/items/<int:item_id>/", views.item_edit, name="item"),
    path("collection/folders/", views.folder_create, name="folder_add"),
    path("collection/folders/<int:folder_id>/", views.folder_edit, name="folder"),
    path(
        "collection/save/citation/<int:citation_id>/",
        views.save_citation,
        name="save_citation",
    ),
    path(
        "collection/save/record/<int:record_id>/",
        views.save_record,
        name="save_record",
    ),
]

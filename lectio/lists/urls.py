from django.urls import path

from lectio.lists.views import editor, institution, items, locate, reader, rollover

app_name = "lists"

urlpatterns = [
    path("courses/", reader.reader_home, name="reader_home"),
    path(
        "settings/institution/",
        institution.institution_settings,
        name="institution_settings",
    ),
    path("lists/", editor.my_lists, name="mine"),
    path("lists/new/", editor.list_create, name="create"),
    path("lists/<int:list_id>/", reader.list_detail, name="detail"),
    path("lists/<int:list_id>/marks/", reader.list_marks, name="marks"),
    path("lists/<int:list_id>/edit/", editor.list_edit, name="edit"),
    path("lists/<int:list_id>/send/", editor.list_send, name="send"),
    path("lists/<int:list_id>/publish/", editor.list_publish, name="publish"),
    path(
        "lists/<int:list_id>/publication/", editor.list_publication, name="publication"
    ),
    path("lists/<int:list_id>/duplicate/", editor.list_duplicate, name="duplicate"),
    path("lists/<int:list_id>/delete/", editor.list_delete, name="delete"),
    path("lists/<int:list_id>/rollover/", rollover.list_rollover, name="rollover_list"),
    path("rollover/", rollover.term_rollover, name="rollover"),
    path("lists/<int:list_id>/locate/", locate.locate_list, name="locate_list"),
    path("library/locate/", locate.locate_queue, name="locate"),
    path("library/locate/<int:match_id>/", locate.locate_decide, name="locate_decide"),
    path(
        "lists/<int:list_id>/collaborators/", editor.collaborators, name="collaborators"
    ),
    path(
        "lists/<int:list_id>/collaborators/<int:user_id>/remove/",
        editor.collaborator_remove,
        name="collaborator_remove",
    ),
    path("lists/<int:list_id>/history/", editor.history, name="history"),
    path("lists/<int:list_id>/sections/add/", items.section_add, name="section_add"),
    path("sections/<int:section_id>/edit/", items.section_edit, name="section_edit"),
    path(
        "sections/<int:section_id>/delete/", items.section_delete, name="section_delete"
    ),
    path("sections/<int:section_id>/move/", items.section_move, name="section_move"),
    path("lists/<int:list_id>/citations/add/", items.citation_add, name="citation_add"),
    path(
        "citations/<int:citation_id>/", reader.citation_detail, name="citation_detail"
    ),
    path(
        "citations/<int:citation_id>/edit/", items.citation_edit, name="citation_edit"
    ),
    path(
        "citations/<int:citation_id>/delete/",
        items.citation_delete,
        name="citation_delete",
    ),
    path(
        "citations/<int:citation_id>/move/", items.citation_move, name="citation_move"
    ),
    path(
        "citations/<int:citation_id>/send/", items.citation_send, name="citation_send"
    ),
    path(
        "citations/<int:citation_id>/unlink/",
        locate.citation_unlink,
        name="citation_unlink",
    ),
]

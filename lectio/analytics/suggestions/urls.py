from django.urls import path

from lectio.analytics.suggestions import views

app_name = "suggestions"

urlpatterns = [
    path("suggestions/lists/<int:list_id>/", views.list_suggestions_page, name="list"),
    path("suggestions/lists/<int:list_id>/add/", views.suggestion_add_view, name="add"),
    path(
        "suggestions/citations/<int:citation_id>/",
        views.citation_suggestions_page,
        name="citation",
    ),
]

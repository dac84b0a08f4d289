"""The Alma-compatible API under /almaws/v1/ (courses, reading lists, citations,
owners)."""

app_name = "almaws"
urlpatterns: list = []

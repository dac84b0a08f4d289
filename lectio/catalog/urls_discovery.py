from django.urls import path

from lectio.catalog.views import records, reserves, search

# Discovery: catalog search, record pages, adding to lists, course reserves.
urlpatterns = [
    path("catalog/", search.catalog_search, name="search"),
    path("catalog/suggest/", search.catalog_suggest, name="suggest"),
    path("catalog/records/<int:record_id>/", records.record_detail, name="record"),
    path(
        "catalog/records/<int:record_id>/add/", records.add_to_list, name="add_to_list"
    ),
    path("reserves/", reserves.reserves_search, name="reserves"),
    path(
        "reserves/courses/<int:course_id>/",
        reserves.course_reserves,
        name="course_reserves",
    ),
]

"""The library side of the catalog: holds (placed by readers, worked by the library)
and course reserves."""

from django.urls import path

from lectio.catalog.views import holds, library

urlpatterns = [
    path("catalog/records/<int:record_id>/hold/", holds.hold_place, name="hold_place"),
    path("holds/", holds.my_holds, name="my_holds"),
    path("holds/<int:hold_id>/cancel/", holds.hold_cancel, name="hold_cancel"),
    path("library/holds/", library.hold_queue, name="hold_queue"),
    path("library/holds/<int:hold_id>/", library.hold_status, name="hold_status"),
    path(
        "library/pickup-locations/",
        library.pickup_locations,
        name="pickup_locations",
    ),
    path(
        "library/pickup-locations/<int:location_id>/active/",
        library.pickup_location_active,
        name="pickup_location_active",
    ),
    path("library/reserves/", library.reserve_list, name="library_reserves"),
    path(
        "library/reserves/<int:reserve_id>/end/",
        library.reserve_end,
        name="reserve_end",
    ),
]

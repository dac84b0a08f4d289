from django.urls import include, path

app_name = "catalog"

# Two URL modules so the discovery side (search, records, course reserves, adding to
# lists) and the library side (holds, locate, reserves) can grow independently; both
# live in the `catalog` namespace.
urlpatterns = [
    path("", include("lectio.catalog.urls_discovery")),
    path("", include("lectio.catalog.urls_library")),
]

from django.urls import include, path

from lectio.api.v1 import api as api_v1
from lectio.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api_v1.urls),
    path("almaws/v1/", include("lectio.api.alma.urls")),
    path("lti/", include("lectio.lti.urls")),
    path("", include("lectio.accounts.urls")),
    path("", include("lectio.accounts.urls_oidc")),
    path("", include("lectio.lists.urls")),
    path("", include("lectio.lists.urls_files")),
    path("", include("lectio.workflow.urls")),
    path("", include("lectio.courses.urls")),
    path("", include("lectio.catalog.urls")),
    path("", include("lectio.citations.urls")),
    path("", include("lectio.collection.urls")),
    path("", include("lectio.analytics.urls")),
    path("", include("lectio.analytics.suggestions.urls")),
    path("", include("lectio.linking.urls")),
]

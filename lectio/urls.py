from django.urls import include, path

from lectio.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("lectio.accounts.urls")),
    path("", include("lectio.lists.urls")),
    path("", include("lectio.workflow.urls")),
]

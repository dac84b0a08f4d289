"""Institution data pages for administrators: loader uploads, their jobs, API keys."""

from django.urls import path

from lectio.courses.views import api_keys, data, jobs

app_name = "courses"

urlpatterns = [
    path("institution/data/", data.data, name="data"),
    path("institution/jobs/<int:pk>/", jobs.job_detail, name="job"),
    path("institution/jobs/<int:pk>/rejects.txt", jobs.job_rejects, name="job_rejects"),
    path("institution/api-keys/", api_keys.api_keys, name="api_keys"),
    path(
        "institution/api-keys/<int:pk>/revoke/",
        api_keys.api_key_revoke,
        name="api_key_revoke",
    ),
]

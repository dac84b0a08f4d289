from django.urls import path

from lectio.lti.views import admin, deep_linking, embed, launch, registration

app_name = "lti"

urlpatterns = [
    path("login", launch.login, name="login"),
    path("launch", launch.launch, name="launch"),
    path("jwks", launch.jwks, name="jwks"),
    path("open/<str:token>", launch.open_in_lectio, name="open"),
    path("course/<int:course_id>/", embed.course, name="course"),
    path("list/<int:list_id>/", embed.reading_list, name="list"),
    path("to/<str:kind>/<int:pk>/", embed.target, name="target"),
    path("no-course/", embed.no_course, name="no_course"),
    path("deep-link/", deep_linking.deep_link, name="deep_link"),
    path("register/<str:token>", registration.dynamic_registration, name="register"),
    path("admin/", admin.platforms, name="platforms"),
    path("admin/registration/", admin.registration_invite, name="registration_invite"),
    path("admin/platforms/new/", admin.platform_add, name="platform_add"),
    path("admin/platforms/<int:platform_id>/", admin.platform_edit, name="platform"),
    path(
        "admin/platforms/<int:platform_id>/delete/",
        admin.platform_delete,
        name="platform_delete",
    ),
    path(
        "admin/platforms/<int:platform_id>/deployments/",
        admin.deployment_create,
        name="deployment_add",
    ),
    path(
        "admin/platforms/<int:platform_id>/rosters/<int:roster_pk>/read/",
        admin.roster_read,
        name="roster_sync",
    ),
    path(
        "admin/platforms/<int:platform_id>/deployments/<int:deployment_pk>/delete/",
        admin.deployment_delete,
        name="deployment_delete",
    ),
]

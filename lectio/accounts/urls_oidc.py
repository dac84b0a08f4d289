"""Signing in through the institution's identity provider, and its registration."""

from django.urls import path

from lectio.accounts.views import oidc, providers

app_name = "oidc"

urlpatterns = [
    path("login/oidc/<int:provider_id>/", oidc.begin, name="begin"),
    path("login/oidc/callback/", oidc.callback, name="callback"),
    path("institution/sign-in/", providers.providers, name="providers"),
    path("institution/sign-in/new/", providers.provider_add, name="provider_add"),
    path(
        "institution/sign-in/<int:provider_id>/",
        providers.provider_edit,
        name="provider",
    ),
    path(
        "institution/sign-in/<int:provider_id>/delete/",
        providers.provider_delete,
        name="provider_delete",
    ),
]

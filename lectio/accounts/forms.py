from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from lectio.accounts.models import IdentityProvider
from lectio.accounts.services import PROVIDER_FIELDS


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class IdentityProviderForm(forms.ModelForm):
    class Meta:
        model = IdentityProvider
        fields = PROVIDER_FIELDS
        formfield_callback = _formfield
        widgets = {
            # Never shown again once saved; blank on a change keeps it.
            "client_secret": forms.PasswordInput(render_value=False),
        }
        help_texts = {
            "issuer": _(
                "Like https://login.microsoftonline.com/TENANT/v2.0 or "
                "https://idp.example.edu/realms/university."
            ),
            "client_id": _("The client id the identity provider gave Lectio."),
            "authorization_endpoint": _(
                "Leave the three endpoints empty to read them from the issuer."
            ),
            "scopes": _("Space-separated; must include openid."),
        }

    def __init__(self, *args: Any, adding: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            self.fields[name].required = False
        if not adding:
            self.fields["client_secret"].help_text = _(
                "Leave empty to keep the secret saved before."
            )

    def cleaned_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in PROVIDER_FIELDS}

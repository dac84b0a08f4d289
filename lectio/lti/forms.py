from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from lectio.lti.models import Platform
from lectio.lti.services import PLATFORM_FIELDS


def _formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class PlatformForm(forms.ModelForm):
    deployment_ids = forms.CharField(
        label=_("Deployment ids"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line. The LMS shows them when Lectio is deployed."),
    )

    class Meta:
        model = Platform
        fields = PLATFORM_FIELDS
        formfield_callback = _formfield
        help_texts = {
            "issuer": _("The LMS's issuer (iss), like https://canvas.instructure.com."),
            "client_id": _("The client id the LMS gave Lectio."),
            "auth_login_url": _("Where Lectio sends the browser to authenticate."),
            "auth_token_url": _("Where Lectio asks for access tokens (roster sync)."),
            "jwks_url": _("The LMS's public keys; launches are checked against them."),
        }

    def __init__(self, *args: object, adding: bool = True, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if not adding:
            del self.fields["deployment_ids"]

    def cleaned_values(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in PLATFORM_FIELDS}

    def cleaned_deployments(self) -> list[str]:
        text = self.cleaned_data.get("deployment_ids") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class DeploymentForm(forms.Form):
    deployment_id = forms.CharField(label=_("Deployment id"), max_length=255)

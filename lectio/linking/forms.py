from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from lectio.linking.models import OptionKind, ProxyScope


class LinkingSettingsForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    proxy_prefix = forms.CharField(
        label=_("Proxy prefix"),
        required=False,
        max_length=500,
        validators=[URLValidator(schemes=["https"])],
        help_text=_(
            "EZproxy style: the address of a licensed resource is added to the "
            "end, e.g. https://proxy.example.edu/login?url= . Must be https. "
            "Empty: no proxy."
        ),
    )
    proxy_scope = forms.ChoiceField(
        label=_("Links that go through the proxy"),
        choices=ProxyScope.choices,
        widget=forms.RadioSelect,
    )
    proxy_skip_hosts = forms.CharField(
        label=_("Hosts never proxied"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One host name a line, e.g. platforms that sign people in."),
    )
    one_click = forms.BooleanField(
        label=_("Go straight to the full text when there is exactly one online option"),
        required=False,
    )
    external_resolver_url = forms.CharField(
        label=_("External link resolver"),
        required=False,
        max_length=500,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text=_(
            "Base URL of the library's own link resolver, e.g. "
            "https://resolver.example.edu/openurl . When set, Find it on a list "
            "sends the citation there as an OpenURL instead of resolving it here."
        ),
    )
    first_choice = forms.ChoiceField(
        label=_("First choice"), choices=OptionKind.choices
    )
    second_choice = forms.ChoiceField(
        label=_("Second choice"), choices=OptionKind.choices
    )
    third_choice = forms.ChoiceField(
        label=_("Third choice"), choices=OptionKind.choices
    )

    CHOICES = ("first_choice", "second_choice", "third_choice")

    def clean_proxy_skip_hosts(self) -> str:
        lines = [
            line.strip().lower()
            for line in self.cleaned_data["proxy_skip_hosts"].splitlines()
            if line.strip()
        ]
        for line in lines:
            if "/" in line or " " in line or ":" in line:
                raise forms.ValidationError(
                    _("%(line)s is not a host name.") % {"line": line}
                )
        return "\n".join(lines)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [data.get(name) for name in self.CHOICES]
        if all(picked) and len(set(picked)) != len(picked):
            raise forms.ValidationError(_("Choose each kind of option once."))
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "proxy_prefix": data["proxy_prefix"].strip(),
            "proxy_scope": data["proxy_scope"],
            "proxy_skip_hosts": data["proxy_skip_hosts"],
            "one_click": data["one_click"],
            "external_resolver_url": data["external_resolver_url"].strip(),
            "preference": [data[name] for name in self.CHOICES],
        }


class BrokenLinkForm(forms.Form):
    note = forms.CharField(
        label=_("What happened? (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the page is not found, or it asks me to pay."),
    )

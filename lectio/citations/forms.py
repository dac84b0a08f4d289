from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lectio.citations.exports import EXPORT_FORMATS
from lectio.citations.imports import FORMATS, max_bytes
from lectio.lists.rendering import STYLES


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Citation file"),
        required=False,
        help_text=_(
            "RIS, BibTeX, CSL-JSON or EndNote XML, from Zotero, EndNote, "
            "Mendeley or a database."
        ),
    )
    text = forms.CharField(
        label=_("Or paste the citations"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[("", _("Recognise it from the file"))] + list(FORMATS.items()),
    )
    section = forms.TypedChoiceField(label=_("Import into section"), coerce=int)

    def __init__(self, *args: Any, sections: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = sections  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        raw = data.get("text") or ""
        text = raw.strip()
        if upload and text:
            raise forms.ValidationError(_("Upload a file or paste text, not both."))
        if not upload and not text:
            raise forms.ValidationError(_("Choose a file or paste some citations."))
        if upload is not None and upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is too large: files up to %(max)s bytes are read.")
                % {"max": f"{max_bytes():,}"}
            )
        data["data"] = upload.read() if upload is not None else raw.encode("utf-8")
        data["file_name"] = upload.name if upload is not None else ""
        return data


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(k, v[0]) for k, v in EXPORT_FORMATS.items()],
        widget=forms.RadioSelect,
        initial="ris",
    )
    style = forms.ChoiceField(
        label=_("Citation style"),
        choices=list(STYLES.items()),
        required=False,
        help_text=_("For the HTML, Word and PDF bibliographies."),
    )
    section = forms.TypedChoiceField(
        label=_("Sections"), coerce=int, required=False, empty_value=None
    )
    citations = forms.TypedMultipleChoiceField(
        label=_("Only these citations"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave them all unticked to export every citation."),
    )

    def __init__(
        self,
        *args: Any,
        sections: list[tuple[int, str]],
        citations: list[tuple[int, str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("All sections"))] + sections  # type: ignore[attr-defined]
        self.fields["citations"].choices = citations  # type: ignore[attr-defined]

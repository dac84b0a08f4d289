"""Forms for lists, sections and citations. Validation only; writes go to services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from lectio.accounts.models import User
from lectio.core.filetypes import accepted_extensions
from lectio.courses.models import Course
from lectio.lists.models import (
    CollaboratorRight,
    FileCopyright,
    MaterialType,
    Tag,
    TagKind,
)
from lectio.lists.statuses import MaterialAccess, Visibility


class VersionedForm(forms.Form):
    """Carries the version the editor started from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ListForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"),
        queryset=Course.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A list may serve several courses."),
    )

    def __init__(self, *args: Any, course_queryset: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if course_queryset is not None:
            self.fields["courses"].queryset = course_queryset  # type: ignore[attr-defined]


class ListEditForm(ListForm, VersionedForm):
    due_back_date = forms.DateField(
        label=_("Due back date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class PublishForm(forms.Form):
    visibility = forms.ChoiceField(
        label=_("Who may see the list"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.COURSE,
    )
    material_access = forms.ChoiceField(
        label=_("Who may open files and licensed links"),
        choices=MaterialAccess.choices,
        widget=forms.RadioSelect,
        initial=MaterialAccess.FULL,
    )


class DuplicateForm(forms.Form):
    name = forms.CharField(label=_("Name of the copy"), max_length=300)


class CollaboratorForm(forms.Form):
    username = forms.CharField(
        label=_("User name or e-mail"),
        max_length=254,
        help_text=_("The person must already have a Lectio account."),
    )
    right = forms.ChoiceField(
        label=_("Rights"),
        choices=CollaboratorRight.choices,
        initial=CollaboratorRight.EDITOR,
        widget=forms.RadioSelect,
    )

    def clean_username(self) -> User:
        value = self.cleaned_data["username"].strip()
        user = (
            User.objects.filter(username__iexact=value).first()
            or User.objects.filter(email__iexact=value).first()
        )
        if user is None or not value:
            raise forms.ValidationError(_("No user with that name or e-mail."))
        return user


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Section name"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SectionEditForm(SectionForm, VersionedForm):
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The section ends before it starts."))
        return data


# The bibliographic fields each material type asks for (CSL-JSON keys), in order.
COMMON_HEAD = ["title", "author", "issued"]
FIELDS_BY_TYPE: dict[str, list[str]] = {
    MaterialType.BOOK: [
        *COMMON_HEAD,
        "editor",
        "edition",
        "publisher",
        "publisher-place",
        "ISBN",
        "OCLC",
        "LCCN",
        "URL",
    ],
    MaterialType.EBOOK: [*COMMON_HEAD, "edition", "publisher", "ISBN", "DOI", "URL"],
    MaterialType.BOOK_CHAPTER: [
        *COMMON_HEAD,
        "container-title",
        "editor",
        "chapter-number",
        "page",
        "edition",
        "publisher",
        "publisher-place",
        "ISBN",
        "DOI",
        "URL",
    ],
    MaterialType.ARTICLE: [
        *COMMON_HEAD,
        "container-title",
        "volume",
        "issue",
        "page",
        "ISSN",
        "DOI",
        "URL",
    ],
    MaterialType.JOURNAL: ["title", "publisher", "ISSN", "URL"],
    MaterialType.WEBSITE: [*COMMON_HEAD, "container-title", "URL"],
    MaterialType.VIDEO: [*COMMON_HEAD, "publisher", "medium", "URL"],
    MaterialType.AUDIO: [*COMMON_HEAD, "publisher", "medium", "URL"],
    MaterialType.THESIS: [*COMMON_HEAD, "genre", "publisher", "publisher-place", "URL"],
    MaterialType.CONFERENCE_PAPER: [
        *COMMON_HEAD,
        "container-title",
        "page",
        "publisher",
        "publisher-place",
        "DOI",
        "URL",
    ],
    MaterialType.REPORT: [
        *COMMON_HEAD,
        "number",
        "publisher",
        "publisher-place",
        "DOI",
        "URL",
    ],
    MaterialType.LEGAL_DOCUMENT: [*COMMON_HEAD, "number", "container-title", "URL"],
    MaterialType.NOTE: ["title", "note"],
    MaterialType.OTHER: [*COMMON_HEAD, "container-title", "publisher", "URL"],
}

FIELD_LABELS: dict[str, Any] = {
    "title": _("Title"),
    "author": _("Authors"),
    "editor": _("Editors"),
    "issued": _("Year or date"),
    "container-title": _("Published in"),
    "volume": _("Volume"),
    "issue": _("Issue"),
    "page": _("Pages"),
    "chapter-number": _("Chapter"),
    "edition": _("Edition"),
    "publisher": _("Publisher"),
    "publisher-place": _("Place of publication"),
    "ISBN": _("ISBN"),
    "ISSN": _("ISSN"),
    "DOI": _("DOI"),
    "URL": _("Web address (URL)"),
    "OCLC": _("OCLC number"),
    "LCCN": _("LCCN"),
    "medium": _("Medium"),
    "genre": _("Degree or kind"),
    "number": _("Number"),
    "note": _("Text of the note"),
}

# Labels that depend on the material type.
CONTAINER_LABELS: dict[str, Any] = {
    MaterialType.BOOK_CHAPTER: _("Book title"),
    MaterialType.ARTICLE: _("Journal title"),
    MaterialType.WEBSITE: _("Website name"),
    MaterialType.CONFERENCE_PAPER: _("Proceedings title"),
    MaterialType.LEGAL_DOCUMENT: _("Collection or reporter"),
}
PUBLISHER_LABELS: dict[str, Any] = {MaterialType.THESIS: _("Institution")}
TITLE_LABELS: dict[str, Any] = {
    MaterialType.BOOK_CHAPTER: _("Chapter title"),
    MaterialType.ARTICLE: _("Article title"),
    MaterialType.WEBSITE: _("Page title"),
    MaterialType.JOURNAL: _("Journal title"),
    MaterialType.NOTE: _("Heading"),
}
HELP: dict[str, Any] = {
    "author": _("One per line, as “Family, Given” (or an organisation's name)."),
    "editor": _("One per line, as “Family, Given”."),
    "issued": _("For example 2021 or 2021-03-15."),
    "page": _("For example 45-67."),
}
REQUIRED_BY_TYPE: dict[str, set[str]] = {MaterialType.WEBSITE: {"title", "URL"}}
TEXTAREA_FIELDS = {"author", "editor", "note"}


def _clean_url(value: str) -> str:
    value = value.strip()
    if value and not value.lower().startswith(("http://", "https://")):
        raise forms.ValidationError(
            _("Enter a web address starting with http:// or https://.")
        )
    return value


class CitationForm(forms.Form):
    """A citation form that fits its material type."""

    material_type = forms.ChoiceField(
        label=_("Material type"), choices=MaterialType.choices
    )
    public_note = forms.CharField(
        label=_("Public note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Students see this note."),
    )
    instructor_note = forms.CharField(
        label=_("Note to the library"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the library and list editors see this note."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.filter(kind=TagKind.PUBLIC),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    due_date = forms.DateField(
        label=_("Read by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, *args: Any, material_type: str = MaterialType.BOOK, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        if material_type not in MaterialType.values:
            material_type = MaterialType.BOOK
        self.kind = material_type
        self.fields["material_type"].initial = material_type
        required = REQUIRED_BY_TYPE.get(material_type, {"title"})
        self.bib_field_names = []
        for key in FIELDS_BY_TYPE[material_type]:
            label = FIELD_LABELS[key]
            if key == "container-title":
                label = CONTAINER_LABELS.get(material_type, label)
            elif key == "publisher":
                label = PUBLISHER_LABELS.get(material_type, label)
            elif key == "title":
                label = TITLE_LABELS.get(material_type, label)
            widget: forms.Widget
            if key in TEXTAREA_FIELDS:
                widget = forms.Textarea(attrs={"rows": 3})
            elif key == "URL":
                widget = forms.URLInput()
            else:
                widget = forms.TextInput()
            name = self.field_name(key)
            self.fields[name] = forms.CharField(
                label=label,
                required=key in required,
                max_length=5000 if key in TEXTAREA_FIELDS else 1000,
                widget=widget,
                help_text=HELP.get(key, ""),
            )
            self.bib_field_names.append(name)

    @staticmethod
    def field_name(csl_key: str) -> str:
        return "bib_" + csl_key.replace("-", "_").lower()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        url_field = self.field_name("URL")
        if url_field in self.fields and data.get(url_field):
            try:
                data[url_field] = _clean_url(data[url_field])
            except forms.ValidationError as error:
                self.add_error(url_field, error)
        return data

    def choice_fields(self) -> list[forms.BoundField]:
        return [self["tags"]]

    def bib_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.bib_field_names]

    def csl_fields(self) -> dict[str, str]:
        """The cleaned bibliographic fields keyed by CSL name."""
        return {
            key: self.cleaned_data.get(self.field_name(key), "")
            for key in FIELDS_BY_TYPE[self.kind]
        }

    @classmethod
    def initial_from(cls, material_type: str, flat: dict[str, str]) -> dict[str, str]:
        return {cls.field_name(k): v for k, v in flat.items()}


class CitationEditForm(CitationForm, VersionedForm):
    pass


class CitationMoveForm(forms.Form):
    section = forms.IntegerField(min_value=1)
    position = forms.IntegerField(min_value=0, required=False)
    direction = forms.ChoiceField(
        choices=[("up", "up"), ("down", "down")], required=False
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PrivateNoteForm(forms.Form):
    private_note = forms.CharField(
        label=_("My private note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only you see this note."),
    )


class CitationFileForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(accepted_extensions())}
        ),
        help_text=_(
            "A PDF, an EPUB, an image (PNG, JPEG, GIF, WebP) or an Office document "
            "(Word, Excel, PowerPoint, OpenDocument)."
        ),
    )
    copyright = forms.ChoiceField(
        label=_("May it be shared with the course?"),
        choices=FileCopyright.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "If the library has to clear copyright first, it gets a request, and "
            "students can open the file once the library has approved it."
        ),
    )

"""The upload form: one zip, or several CSV files of the same export, within the size limit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ACCEPTED = (".zip", ".csv")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that returns every selected file."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data] or [single(None, initial)]
        return [single(data, initial)]


def size_limit_message(size: int) -> str:
    return _(
        "This upload weighs %(size)s, more than the %(limit)s this server accepts. Upload only "
        "the zip LinkedIn sent you, or ask your administrator to raise IMPORT_MAX_UPLOAD_BYTES."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Export"),
        choices=[("linkedin", "LinkedIn")],
        initial="linkedin",
    )
    upload = MultipleFileField(
        label=gettext_lazy("Your export: the zip file, or its CSV files"),
        error_messages={
            "required": gettext_lazy("Choose the zip LinkedIn sent you, or its CSV files.")
        },
    )

    def clean_upload(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["upload"]
        names = [(f.name or "").lower() for f in files]
        wrong = [
            f.name for f, name in zip(files, names, strict=True) if not name.endswith(ACCEPTED)
        ]
        if wrong:
            raise forms.ValidationError(
                _("%(names)s is not a zip or CSV file. Upload the zip LinkedIn sent you as it is.")
                % {"names": ", ".join(str(n) for n in wrong)}
            )
        if len(files) > 1 and any(name.endswith(".zip") for name in names):
            raise forms.ValidationError(
                _("Upload one zip on its own, or several CSV files, but not both at once.")
            )
        total = sum(f.size or 0 for f in files)
        if total > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(size_limit_message(total))
        return files

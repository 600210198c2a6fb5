"""The upload form: one zip, or several CSV files of the same export, within the size limit."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage.imports.registry import AUTO
from maillage.imports.selectors import import_kind_choices

ACCEPTED = (".zip", ".tar.gz", ".tgz", ".tar", ".csv", ".json", ".js", ".car")
# Uploaded alone: an archive is the whole export.
ARCHIVES = (".zip", ".tar.gz", ".tgz", ".tar")


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
        "the export the network sent you (without its photos and videos if need be), or ask your "
        "administrator to raise IMPORT_MAX_UPLOAD_BYTES."
    ) % {"size": filesizeformat(size), "limit": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES)}


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Network"),
        initial=AUTO,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    upload = MultipleFileField(
        label=gettext_lazy("Your export: the archive, or files from it"),
        error_messages={
            "required": gettext_lazy("Choose the archive the network sent you, or files from it.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(AUTO, _("Detect it from the files")), *import_kind_choices()]

    def clean_upload(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data["upload"]
        names = [(f.name or "").lower() for f in files]
        wrong = [
            f.name for f, name in zip(files, names, strict=True) if not name.endswith(ACCEPTED)
        ]
        if wrong:
            raise forms.ValidationError(
                _(
                    "%(names)s is not a file Maillage reads. Upload the archive the network sent "
                    "you as it is (.zip, or .tar.gz for an older Mastodon archive), or CSV, JSON, "
                    "JS or CAR files from it."
                )
                % {"names": ", ".join(str(n) for n in wrong)}
            )
        if len(files) > 1 and any(name.endswith(ARCHIVES) for name in names):
            raise forms.ValidationError(
                _("Upload one archive on its own, or several files from it, but not both at once.")
            )
        total = sum(f.size or 0 for f in files)
        if total > settings.IMPORT_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(size_limit_message(total))
        return files

"""Import pages: the guide with the upload form and history, a run's progress and summary."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts.models import User
from maillage.imports.forms import ImportUploadForm, size_limit_message
from maillage.imports.models import ImportRun
from maillage.imports.selectors import (
    import_kind_label,
    import_run_files,
    import_run_for_owner,
    import_runs_page,
)
from maillage.imports.services import ChoiceRefused, import_run_choose, import_upload_store


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _too_large(request: HttpRequest) -> int:
    """The announced body size when it is over the limit (checked before reading the body)."""
    try:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
    return size if size > settings.IMPORT_MAX_UPLOAD_BYTES else 0


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm()
    status = 200
    upload_error = ""
    if request.method == "POST":
        oversize = _too_large(request)
        if oversize:
            # Refused before Django reads the body: the form never sees the files.
            upload_error = size_limit_message(oversize)
            status = 413
        else:
            form = ImportUploadForm(request.POST, request.FILES)
            if form.is_valid():
                run = import_upload_store(
                    _user(request), form.cleaned_data["upload"], form.cleaned_data["kind"]
                )
                return redirect("imports:detail", run_id=run.pk)
            status = 400
    page = import_runs_page(_user(request), request.GET.get("page"))
    return render(
        request,
        "imports/list.html",
        {
            "form": form,
            "upload_error": upload_error,
            "page": page,
            "max_upload": settings.IMPORT_MAX_UPLOAD_BYTES,
        },
        status=status,
    )


def _run_context(run: ImportRun) -> dict[str, Any]:
    return {
        "run": run,
        "files": import_run_files(run),
        "choices": [(kind, import_kind_label(kind)) for kind in run.candidates],
        "kind_label": import_kind_label(run.kind),
    }


@login_required
def import_detail(request: HttpRequest, run_id: UUID) -> HttpResponse:
    run = import_run_for_owner(_user(request), run_id)
    return render(request, "imports/detail.html", _run_context(run))


@login_required
def import_status(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """The polled fragment; once the run is finished it carries no trigger, so polling stops."""
    run = import_run_for_owner(_user(request), run_id)
    return render(request, "imports/_status.html", _run_context(run))


@login_required
@require_POST
def import_choose(request: HttpRequest, run_id: UUID) -> HttpResponse:
    """The owner names the network of an archive several importers claimed."""
    run = import_run_for_owner(_user(request), run_id)
    try:
        import_run_choose(run, str(request.POST.get("kind", "")))
    except ChoiceRefused:
        messages.error(
            request,
            _("Choose one of the networks offered for this archive, then confirm."),
        )
    return redirect("imports:detail", run_id=run.pk)

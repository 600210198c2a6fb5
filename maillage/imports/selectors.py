"""Reads for imports: a user's runs, each one visible to its owner only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import Http404

from maillage.accounts.models import User
from maillage.imports.models import ImportRun
from maillage.imports.registry import importer_get, importer_kinds

RUNS_PER_PAGE = 20


def import_runs_page(owner: User, page: str | int | None) -> Page[ImportRun]:
    """The owner's runs, newest first, 20 per page (a bad page number gives the nearest page)."""
    runs = ImportRun.objects.filter(owner=owner).order_by("-created_at", "-pk")
    return Paginator(runs, RUNS_PER_PAGE).get_page(page)


def import_run_for_owner(owner: User, run_id: Any) -> ImportRun:
    """The run if it is the owner's; 404 otherwise, without saying whether it exists."""
    run = ImportRun.objects.filter(pk=run_id, owner=owner).first()
    if run is None:
        raise Http404("No such import")
    return run


@dataclass(frozen=True)
class FileOutcome:
    name: str
    status: str
    read: int
    created: int
    updated: int
    skipped: int
    errors: list[dict[str, Any]]
    skipped_rows: list[dict[str, Any]]
    unit: str = "line"
    notes: tuple[str, ...] = ()


def import_run_files(run: ImportRun) -> list[FileOutcome]:
    """The per-file summary in display order: imported files first, then the others."""
    files: dict[str, dict[str, Any]] = (run.summary or {}).get("files", {})
    order = {"imported": 0, "rejected": 1, "ignored": 2}
    outcomes = [
        FileOutcome(
            name=name,
            status=str(data.get("status", "imported")),
            read=int(data.get("read", 0)),
            created=int(data.get("created", 0)),
            updated=int(data.get("updated", 0)),
            skipped=int(data.get("skipped", 0)),
            errors=list(data.get("errors", [])),
            skipped_rows=list(data.get("skipped_rows", [])),
            unit=str(data.get("unit", "line")),
            notes=tuple(str(note) for note in data.get("notes", [])),
        )
        for name, data in files.items()
    ]
    return sorted(outcomes, key=lambda o: (order.get(o.status, 3), o.name.lower()))


def import_kind_choices() -> list[tuple[str, str]]:
    """(kind, label) of every importer, in the registry's order, for forms and pages."""
    return [(kind, str(importer_get(kind).label)) for kind in importer_kinds()]


def import_kind_label(kind: str) -> str:
    return dict(import_kind_choices()).get(kind, kind)

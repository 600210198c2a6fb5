"""Writes for imports: create a run, store an upload, execute a run (parse, then write at once)."""

from __future__ import annotations

import gc
import logging
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.accounts.models import User
from maillage.imports.models import ImportRun
from maillage.imports.registry import (
    AUTO,
    UnknownImporter,
    importer_detect,
    importer_get,
    importer_kinds,
)
from maillage.imports.writer import archive_write, no_usable_file_message

logger = logging.getLogger(__name__)

# Parsing fills the bar up to here; the single write transaction does the rest.
PARSE_SHARE = 70


def import_run_create(
    owner: User, kind: str, source_name: str, storage_path: str | Path = ""
) -> ImportRun:
    """A pending run for an archive already on disk."""
    return ImportRun.objects.create(
        owner=owner, kind=kind, source_name=source_name[:255], storage_path=str(storage_path)
    )


def import_run_progress(run: ImportRun, progress: int, label: str) -> None:
    """Saved with a bare UPDATE so the run's page can poll it while the import goes on."""
    progress = max(0, min(100, int(progress)))
    ImportRun.objects.filter(pk=run.pk).update(progress=progress, progress_label=label[:255])
    run.progress, run.progress_label = progress, label[:255]


def _finish(run: ImportRun, status: str, error: str = "") -> ImportRun:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.progress = 100
    run.progress_label = str(ImportRun.Status(status).label)
    run.save(
        update_fields=[
            "status",
            "error",
            "summary",
            "finished_at",
            "started_at",
            "progress",
            "progress_label",
        ]
    )
    return run


def _presence_recompute_later(owner: User) -> None:
    """Queue the owner's Presence Index history rebuild once the import is committed."""
    # Imported late: the presence app may change on its own schedule. A queued task keeps the
    # import short (the rebuild reads every row again) and the worker runs it seconds later.
    try:
        from maillage.presence.tasks import presence_recompute_task
    except ImportError:
        return
    owner_id = owner.pk

    def enqueue() -> None:
        try:
            presence_recompute_task.enqueue(owner_id)
        except Exception:
            # The nightly recompute catches up; an import that is saved stays saved.
            logger.exception("Presence Index recompute not queued for user %s", owner_id)

    transaction.on_commit(enqueue)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while an archive is parsed and written.

    The import allocates hundreds of thousands of records that all live until it ends: the
    collector would walk them again and again for nothing (about a tenth of the import time).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_run_execute(run: ImportRun) -> ImportRun:
    """Parse the whole archive, then write every record in one transaction, or nothing at all."""
    from maillage.lib.safe_archive import ArchiveLimits, ArchiveRejected, open_archive

    owner = run.owner
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        run.status = ImportRun.Status.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
        import_run_progress(run, 1, _("Opening the archive"))
        last = [1]

        def parse_progress(percent: int, label: str) -> None:
            scaled = 1 + int(percent * (PARSE_SHARE - 1) / 100)
            if scaled != last[0]:
                last[0] = scaled
                import_run_progress(run, scaled, label or _("Reading the files"))

        try:
            with _collector_paused():
                with open_archive(Path(run.storage_path), ArchiveLimits.from_settings()) as archive:
                    if run.kind == AUTO:
                        found = importer_detect(archive.names())
                        if len(found) != 1:
                            return _undetected(run, found)
                        run.kind = found[0]
                        run.save(update_fields=["kind"])
                    importer = importer_get(run.kind)
                    parsed = importer.parse(archive, parse_progress)
                if not any(f.status == "parsed" for f in parsed.files):
                    run.summary = {
                        "files": {
                            f.name: {
                                "read": f.read,
                                "created": 0,
                                "updated": 0,
                                "skipped": 0,
                                "errors": [{"line": e.line, "reason": e.reason} for e in f.errors],
                                "status": "ignored" if f.status == "ignored" else "rejected",
                            }
                            for f in parsed.files
                        }
                    }
                    return _finish(run, ImportRun.Status.REJECTED, no_usable_file_message())
                import_run_progress(run, PARSE_SHARE, _("Saving what was read"))
                # Progress is not written inside: the transaction holds SQLite's write lock and
                # PostgreSQL would not show it to the polling page before the commit anyway.
                with transaction.atomic():
                    counts = archive_write(owner, parsed)
                run.summary = {
                    "files": {name: count.as_json() for name, count in counts.items()},
                    "as_of": parsed.as_of.isoformat() if parsed.as_of else None,
                }
                # Freed now, by reference counting: once the collector is back on, it would
                # walk every record once more before they go.
                del parsed
        except ArchiveRejected as rejected:
            return _finish(run, ImportRun.Status.REJECTED, str(rejected.message))
        except UnknownImporter:
            return _finish(
                run, ImportRun.Status.FAILED, _("Maillage does not know this kind of export.")
            )
        except Exception:
            logger.exception("Import run %s failed", run.pk)
            return _finish(
                run,
                ImportRun.Status.FAILED,
                _(
                    "The import stopped on an unexpected error and nothing was saved. Try again; "
                    "if it fails again, send the administrator the date and time of this import."
                ),
            )
        _finish(run, ImportRun.Status.SUCCEEDED)
    _presence_recompute_later(owner)
    return run


def _undetected(run: ImportRun, found: Sequence[str]) -> ImportRun:
    """No importer recognised the archive (rejected), or several did (the owner chooses)."""
    if not found:
        return _finish(
            run,
            ImportRun.Status.REJECTED,
            _(
                "Maillage does not recognise this export. It reads the archives of LinkedIn, "
                "Facebook, X, Mastodon and Bluesky, and the posts CSV of a Facebook Page: upload "
                "one of them as the network gave it, or choose its network in the list."
            ),
        )
    run.status = ImportRun.Status.CHOOSE
    run.summary = {"candidates": list(found)}
    run.progress_label = str(ImportRun.Status.CHOOSE.label)
    run.save(update_fields=["status", "summary", "progress_label"])
    return run


class ChoiceRefused(ValueError):
    """The run is not waiting for a choice, or the kind chosen is not one it offered."""


def import_run_choose(run: ImportRun, kind: str) -> ImportRun:
    """The owner says which network an ambiguous archive comes from; the import then goes on."""
    from maillage.imports.tasks import import_run_task

    if run.status != ImportRun.Status.CHOOSE or kind not in run.candidates:
        raise ChoiceRefused(kind)
    if kind not in importer_kinds():
        raise ChoiceRefused(kind)
    # Conditional, so a double submit queues the import once.
    updated = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.CHOOSE).update(
        kind=kind, status=ImportRun.Status.PENDING, progress=0, progress_label=""
    )
    run.refresh_from_db()
    if updated:
        run_id = str(run.pk)
        transaction.on_commit(lambda: import_run_task.enqueue(run_id))
    return run


def import_runs_unchosen_expire(older_than: timedelta = timedelta(days=7)) -> int:
    """Runs left waiting for a choice this long end as rejected and their upload is removed."""
    cutoff = timezone.now() - older_than
    count = 0
    stale = ImportRun.objects.select_related("owner").filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff),
        status=ImportRun.Status.CHOOSE,
    )
    for run in stale:
        with translation.override(run.owner.language):
            _finish(
                run,
                ImportRun.Status.REJECTED,
                _(
                    "Nobody said which network this export comes from, so it was not imported "
                    "and the upload was deleted. Upload it again and choose its network."
                ),
            )
        import_run_files_delete(run)
        count += 1
    return count


def import_runs_interrupted_fail(older_than: timedelta = timedelta(hours=2)) -> int:
    """End as failed the runs a stopped worker left "running", so their pages stop waiting.

    The write is one transaction, so an interrupted run stored nothing: the user uploads again.
    """
    cutoff = timezone.now() - older_than
    stale = ImportRun.objects.select_related("owner").filter(
        Q(started_at__lt=cutoff) | Q(started_at__isnull=True, created_at__lt=cutoff),
        status=ImportRun.Status.RUNNING,
    )
    count = 0
    for run in stale:
        with translation.override(run.owner.language):
            _finish(
                run,
                ImportRun.Status.FAILED,
                _(
                    "This import was interrupted before it finished (the worker stopped). "
                    "Nothing from it was stored: upload the export again."
                ),
            )
        import_run_files_delete(run)
        count += 1
    return count


def archive_import(owner: User, path: Path, kind: str = "linkedin") -> ImportRun:
    """Import an archive on disk right away (command line, demo, benchmark)."""
    run = import_run_create(owner, kind, Path(path).name, Path(path))
    return import_run_execute(run)


def import_run_files_delete(run: ImportRun) -> None:
    """Remove an upload once imported; only ever what lies under MEDIA_ROOT/imports."""
    root = (Path(settings.MEDIA_ROOT) / "imports").resolve()
    folder = root / str(run.pk)
    if folder.is_dir() and folder.resolve().is_relative_to(root):
        shutil.rmtree(folder, ignore_errors=True)
    ImportRun.objects.filter(pk=run.pk).update(storage_path="")
    run.storage_path = ""


def _source_name(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    shown = ", ".join(names[:3]) + ("…" if len(names) > 3 else "")
    return ngettext("%(count)d file (%(names)s)", "%(count)d files (%(names)s)", len(names)) % {
        "count": len(names),
        "names": shown,
    }


def import_upload_store(owner: User, files: Sequence[UploadedFile], kind: str) -> ImportRun:
    """Save an upload under MEDIA_ROOT/imports/<run id>/ and queue its import after commit."""
    from maillage.imports.tasks import import_run_task

    run = import_run_create(owner, kind, "")
    folder = Path(settings.MEDIA_ROOT) / "imports" / str(run.pk)
    folder.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    for upload in files:
        name = get_valid_filename(Path(upload.name or "upload").name) or "upload"
        with (folder / name).open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        names.append(name)
    # Several CSV files are one archive: the folder is opened like an unpacked zip.
    storage: Path = folder / names[0] if len(names) == 1 else folder
    run.source_name = _source_name(names)[:255]
    run.storage_path = str(storage)
    run.save(update_fields=["source_name", "storage_path"])
    run_id = str(run.pk)
    transaction.on_commit(lambda: import_run_task.enqueue(run_id))
    return run

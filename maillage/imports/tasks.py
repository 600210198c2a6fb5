"""Background import: load the run by id, execute it, then remove the uploaded files."""

from __future__ import annotations

from django_tasks import task

from maillage.imports.models import ImportRun
from maillage.imports.services import import_run_execute, import_run_files_delete


@task()
def import_run_task(run_id: str) -> str | None:
    """Run a pending import once; returns its final status."""
    # Claimed with a conditional update so a run enqueued twice is imported once.
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.PENDING).update(
        status=ImportRun.Status.RUNNING
    )
    run = ImportRun.objects.select_related("owner").filter(pk=run_id).first()
    if run is None or not claimed:
        return None
    try:
        import_run_execute(run)
    finally:
        # An archive waiting for its owner to name its network is kept until they do.
        if run.status != ImportRun.Status.CHOOSE:
            import_run_files_delete(run)
    return str(run.status)

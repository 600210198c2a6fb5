"""One row per archive a user imported, with its progress and per-file outcome."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        SUCCEEDED = "succeeded", _("Imported")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Failed")
        # The archive could belong to several networks: its owner picks one (`candidates`).
        CHOOSE = "choose", _("Which network?")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_runs"
    )
    kind = models.CharField(_("kind"), max_length=24)
    source_name = models.CharField(_("file"), max_length=255)
    # Where the upload waits for the worker; removed once the import ends.
    storage_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_label = models.CharField(max_length=255, blank=True)
    # {"files": {"Connections.csv": {"read": n, "created": n, "updated": n, "skipped": n,
    #  "errors": [{"line": n, "reason": "..."}], "status": "imported"|"ignored"|"rejected"}}}
    summary = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.REJECTED, self.Status.FAILED}

    @property
    def is_waiting(self) -> bool:
        """Still going on its own: the run's page keeps polling (not while awaiting a choice)."""
        return self.status in {self.Status.PENDING, self.Status.RUNNING}

    @property
    def candidates(self) -> list[str]:
        """The kinds the owner may choose from while the run is waiting for a choice."""
        return [str(kind) for kind in (self.summary or {}).get("candidates", [])]

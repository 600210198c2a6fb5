"""`/health/` tells a monitor whether this Maillage can do its work, without a login."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from maillage.publishing.models import PublishWorker
from maillage.publishing.services.workers import worker_heartbeat

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_all_is_well_when_a_publish_worker_runs_and_no_task_waits(client, settings):
    settings.TASKS = DATABASE_TASKS
    worker_heartbeat("worker-1", "host", 123)

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "publish_worker": "running",
        "task_worker": "ok",
        "task_queue": {"waiting": 0, "oldest_wait_s": 0},
    }
    assert "no-cache" in response["Cache-Control"]


def test_a_silent_publish_worker_makes_it_unhealthy(client):
    worker_heartbeat("worker-1", "host", 123)
    PublishWorker.objects.update(seen_at=timezone.now() - timedelta(minutes=3))

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["publish_worker"] == "stopped"
    assert response.json()["status"] == "degraded"


def test_a_task_waiting_for_minutes_means_the_task_worker_is_behind(client, settings):
    from django_tasks_db.models import DBTaskResult

    from maillage.presence.tasks import presence_recompute_task

    settings.TASKS = DATABASE_TASKS
    worker_heartbeat("worker-1", "host", 123)
    presence_recompute_task.enqueue(1)
    assert client.get("/health/").status_code == 200  # just queued: the worker has time

    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=6))
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["task_worker"] == "behind"
    assert response.json()["task_queue"]["waiting"] == 1
    assert response.json()["task_queue"]["oldest_wait_s"] >= 360

"""`/health/`: is this Maillage able to do its work? For uptime monitors and load balancers.

200 when the database answers, a publish worker is running and the task worker keeps up with
its queue; 503 otherwise, with what is wrong. It says nothing about any user (no login).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# A task due this long and still not started: the task worker is stopped or far behind.
TASK_WAIT_LIMIT = timedelta(minutes=5)


def _task_queue() -> dict[str, Any] | None:
    """The database task queue's backlog, None when tasks run elsewhere (another backend)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    ready = DBTaskResult.objects.ready()
    # A task is due from its run_after, or from when it was queued if it has none.
    due = [
        enqueued if run_after == get_date_max() else run_after
        for enqueued, run_after in ready.order_by("enqueued_at").values_list(
            "enqueued_at", "run_after"
        )[:100]
    ]
    oldest = max((now - moment for moment in due), default=timedelta(0))
    return {"waiting": ready.count(), "oldest_wait_s": int(oldest.total_seconds())}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    from maillage.publishing.selectors import publish_workers_running

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "down", "database": "unreachable"}, status=503)
    publisher = publish_workers_running()
    queue = _task_queue()
    behind = queue is not None and queue["oldest_wait_s"] > TASK_WAIT_LIMIT.total_seconds()
    body: dict[str, Any] = {
        "status": "ok" if publisher and not behind else "degraded",
        "database": "ok",
        "publish_worker": "running" if publisher else "stopped",
        "task_worker": "n/a" if queue is None else ("behind" if behind else "ok"),
        "task_queue": queue,
    }
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)

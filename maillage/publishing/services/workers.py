"""Publish workers' heartbeats, and which of them are gone.

A worker's claims are never taken while its heartbeat is fresh: another worker takes them
back only once the lease has passed without a sign of life (5 minutes by default). A worker
that died on this very machine need not be waited for: its process no longer exists, which
the next worker to start can check at once (the usual self-hosted case, one machine, a worker
restarted after a crash or an out-of-memory kill, then picks up its predecessor's posts in
seconds rather than minutes).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta
from functools import cache

from django.db.models import Q
from django.utils import timezone

from maillage.publishing.models import Delivery, PublishWorker
from maillage.publishing.services.transitions import writing


@cache
def pid_namespace() -> str:
    """The PID namespace this process lives in (Linux), "" where it cannot be told: two
    containers may share a host name, never a namespace, so a process id is only compared
    within the same one."""
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return ""


def process_gone(hostname: str, namespace: str, pid: int) -> bool:
    """True only if the worker ran on this machine, in this PID namespace, and its process no
    longer exists. Anything uncertain (another machine, a process id reused since) is False:
    the lease then decides."""
    if not namespace or namespace != pid_namespace() or hostname != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        # Someone else's process holds that id now: alive, as far as we can tell.
        return False
    return False


def worker_heartbeat(worker_id: str, hostname: str, pid: int, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with writing():
        if not PublishWorker.objects.filter(pk=worker_id).update(seen_at=now):
            PublishWorker.objects.create(
                pk=worker_id,
                hostname=hostname,
                pid=pid,
                pid_namespace=pid_namespace(),
                started_at=now,
                seen_at=now,
            )


def worker_stopped(worker_id: str) -> None:
    with writing():
        PublishWorker.objects.filter(pk=worker_id).delete()


def claims_stale(now: datetime, lease: timedelta) -> list[tuple[int, datetime | None]]:
    """(id, sent_at) of the claims to take back: older than the lease and held by a worker
    not seen within it, or held by a worker whose process is gone from this machine."""
    live: list[str] = []
    gone: list[str] = []
    for worker_id, hostname, pid, namespace in PublishWorker.objects.filter(
        seen_at__gte=now - lease
    ).values_list("id", "hostname", "pid", "pid_namespace"):
        (gone if process_gone(hostname, namespace, pid) else live).append(worker_id)
    unseen = Q(claimed_at__lt=now - lease) & ~Q(claimed_by__in=live)
    return list(
        Delivery.objects.filter(
            unseen | Q(claimed_by__in=gone), status=Delivery.Status.CLAIMED
        ).values_list("pk", "sent_at")
    )


def workers_forget(now: datetime, lease: timedelta) -> None:
    """Heartbeats long silent: their claims were taken back already."""
    with writing():
        PublishWorker.objects.filter(seen_at__lt=now - 4 * lease).delete()

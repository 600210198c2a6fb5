"""Background tasks: load by id, call the service (an import enqueues the first one)."""

from __future__ import annotations

from django_tasks import task

from maillage.accounts.models import User
from maillage.presence.services import presence_recompute, presence_recompute_all


@task()
def presence_recompute_task(user_id: int) -> None:
    """Recompute one user's history, e.g. right after their import finished."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        presence_recompute(user)


@task()
def presence_recompute_all_task() -> int:
    return presence_recompute_all()

"""Background e-mail of notifications (Django Tasks): never sent from the publish worker."""

from __future__ import annotations

import logging

from django_tasks import task

from maillage.accounts.models import User
from maillage.notifications.services import notifications_email_send

log = logging.getLogger(__name__)


@task()
def notifications_email_task(user_ids: list[int]) -> int:
    """E-mail each of these users, in one message each, what waits for them; returns how many
    e-mails were sent."""
    sent = 0
    for user in User.objects.filter(pk__in=user_ids).order_by("pk"):
        try:
            sent += 1 if notifications_email_send(user) else 0
        except Exception:
            # One unreachable mailbox must not keep the others waiting; theirs is retried with
            # the user's next notification.
            log.exception("Notification e-mail to user %s failed", user.pk)
    return sent

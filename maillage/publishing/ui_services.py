"""Small writes the publishing pages need that the services package does not offer yet."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.publishing.models import Channel
from maillage.publishing.services import PublishingError, channel_disconnect


def channel_forget(channel: Channel, by: User) -> Channel:
    """The owner disconnects an account: its tokens are erased, its history kept.

    Posts still due wait for a reconnection (the engine's usual path), so nothing is lost.
    """
    if channel.owner_id != by.pk:
        raise PublishingError(_("Only the account's owner can disconnect it."))
    Channel.objects.filter(pk=channel.pk).update(
        access_token_encrypted="", refresh_token_encrypted="", updated_at=timezone.now()
    )
    channel.access_token_encrypted = channel.refresh_token_encrypted = ""
    channel_disconnect(channel, _("Disconnected by its owner."))
    return channel

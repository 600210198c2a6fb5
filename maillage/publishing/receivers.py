"""Connectors renew tokens mid-call and announce it; the new tokens are stored here.

X and Bluesky replace the refresh token each time it is used: a renewal kept only in the
worker's memory would leave a dead token in the database after a restart, and the channel
would ask its owner to reconnect for nothing.
"""

from __future__ import annotations

from typing import Any

from maillage.publishing.models import Channel


def channel_tokens_store(
    network: str, external_id: str, access_token: str, refresh_token: str, **_: Any
) -> int:
    """Save renewed tokens on every channel of that account; returns how many were saved.

    The short access-token expiry is deliberately not stored in `token_expires_at`: that field
    means "the owner must reconnect by then", and the connector renews these tokens itself.
    """
    saved = 0
    for channel in Channel.objects.filter(network=network, external_id=external_id):
        channel.access_token = access_token
        channel.refresh_token = refresh_token
        channel.save(update_fields=["access_token_encrypted", "refresh_token_encrypted"])
        saved += 1
    return saved


def tokens_refreshed_receive(sender: Any, **kwargs: Any) -> None:
    channel_tokens_store(**kwargs)


def receivers_connect() -> None:
    from maillage.connectors.bluesky import session_refreshed
    from maillage.connectors.linkedin import tokens_refreshed as linkedin_tokens_refreshed
    from maillage.connectors.x import tokens_refreshed
    from maillage.publishing.services.channels_linkedin import linkedin_tokens_refreshed_receive

    session_refreshed.connect(tokens_refreshed_receive, dispatch_uid="bluesky-session-store")
    tokens_refreshed.connect(tokens_refreshed_receive, dispatch_uid="x-tokens-store")
    # The member's profile and pages share one token: stored on all of them.
    linkedin_tokens_refreshed.connect(linkedin_tokens_refreshed_receive, dispatch_uid="linkedin")

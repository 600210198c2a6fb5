"""Connecting LinkedIn: the member's profile and every page they administer, one token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.connectors import linkedin
from maillage.connectors.registry import ConnectorError
from maillage.presence.networks import AccountKind, Network
from maillage.publishing.crypto import TokenKeyError
from maillage.publishing.models import Channel
from maillage.publishing.services.channels import _channel_store
from maillage.publishing.services.planning import PublishingError

LINKEDIN_CALLBACK_PATH = "/publishing/channels/linkedin/callback/"


@dataclass(frozen=True)
class LinkedInConnection:
    profile: Channel
    pages: list[Channel] = field(default_factory=list)
    # Why the pages could not be listed (the app lacks the Community Management API...).
    pages_refused: str = ""


def linkedin_redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + LINKEDIN_CALLBACK_PATH


def linkedin_not_configured() -> PublishingError:
    return PublishingError(
        _(
            "Connecting LinkedIn needs a LinkedIn application: the administrator sets "
            "MAILLAGE_LINKEDIN_CLIENT_ID and MAILLAGE_LINKEDIN_CLIENT_SECRET from "
            "linkedin.com/developers (My apps > Auth), with %(callback)s as an authorized "
            "redirect URL and the products Sign In with LinkedIn using OpenID Connect, Share on "
            "LinkedIn and, for pages, the Community Management API."
        )
        % {"callback": linkedin_redirect_uri()}
    )


def channel_authorize_url_linkedin(state: str) -> str:
    """Where to send the browser to let Maillage post as the member and their pages."""
    client = linkedin.client_from_settings()
    if client is None:
        raise linkedin_not_configured()
    return linkedin.authorize_url(client.client_id, linkedin_redirect_uri(), state)


def _store(
    owner: User,
    external_id: str,
    tokens: linkedin.Tokens,
    expires_at: datetime | None,
    **fields: Any,
) -> Channel:
    channel = _channel_store(
        owner,
        Network.LINKEDIN,
        external_id,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        **fields,
    )
    # Unlike the other networks, LinkedIn's authorization ends: the owner reconnects by then.
    channel.token_expires_at = expires_at
    channel.save(update_fields=["token_expires_at", "updated_at"])
    return channel


def channels_connect_linkedin(owner: User, code: str) -> LinkedInConnection:
    """Finish the authorization: the member's profile, then each page they administer (a
    refusal to list pages still connects the profile). Reconnecting revives waiting
    deliveries."""
    client = linkedin.client_from_settings()
    if client is None:
        raise linkedin_not_configured()
    base_url = settings.CONNECTOR_BASE_URLS["linkedin"]
    try:
        tokens = linkedin.token_exchange(client, linkedin_redirect_uri(), code)
        member = linkedin.member_me(base_url, tokens.access_token)
    except ConnectorError as exc:
        raise PublishingError(
            _("LinkedIn refused the connection (%(reason)s): try connecting again.")
            % {"reason": exc.message}
        ) from exc
    expires_at = tokens.reconnect_by
    profile = _store(
        owner,
        member.urn,
        tokens,
        expires_at,
        handle=member.name,
        display_name=member.email,
        kind=AccountKind.PROFILE,
    )
    try:
        organizations = linkedin.organizations_administered(base_url, tokens.access_token)
    except ConnectorError as exc:
        return LinkedInConnection(profile, pages_refused=exc.message)
    pages = [
        _store(
            owner,
            organization.id,
            tokens,
            expires_at,
            handle=organization.vanity_name or organization.name,
            display_name=organization.name,
            kind=AccountKind.PAGE,
        )
        for organization in organizations
    ]
    return LinkedInConnection(profile, pages)


def channel_tokens_store_linkedin(
    external_id: str,
    access_token: str,
    refresh_token: str,
    previous_access_token: str = "",
    **_: Any,
) -> int:
    """Save a token the connector renewed on every LinkedIn channel that shared the old one
    (the member's profile and pages); returns how many were saved."""
    owners = Channel.objects.filter(network=Network.LINKEDIN, external_id=external_id).values(
        "owner_id"
    )
    saved = 0
    for channel in Channel.objects.filter(network=Network.LINKEDIN, owner_id__in=owners):
        try:
            shared = bool(previous_access_token) and channel.access_token == previous_access_token
        except TokenKeyError:
            shared = False
        if channel.external_id == external_id or shared:
            channel.access_token = access_token
            channel.refresh_token = refresh_token
            channel.save(update_fields=["access_token_encrypted", "refresh_token_encrypted"])
            saved += 1
    return saved


def linkedin_tokens_refreshed_receive(sender: Any, **kwargs: Any) -> None:
    channel_tokens_store_linkedin(**kwargs)

"""Connecting accounts (Mastodon, Bluesky), sharing pages, rotating the tokens' key."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.models import Circle, User
from maillage.connectors import bluesky, mastodon, x
from maillage.connectors.registry import ConnectorError
from maillage.presence.networks import AccountKind, Network
from maillage.publishing.crypto import token_rotate
from maillage.publishing.models import Channel, OAuthApplication
from maillage.publishing.services.engine import channel_reconnected
from maillage.publishing.services.planning import PublishingError

MASTODON_CALLBACK_PATH = "/publishing/channels/mastodon/callback/"
X_CALLBACK_PATH = "/publishing/channels/x/callback/"


def mastodon_redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + MASTODON_CALLBACK_PATH


def _instance(instance_url: str) -> str:
    try:
        return mastodon.instance_url_normalise(instance_url)
    except ValueError:
        raise PublishingError(
            _("“%(value)s” is not a Mastodon server address: type one like mastodon.social.")
            % {"value": instance_url}
        ) from None


def oauth_application_mastodon(instance_url: str) -> OAuthApplication:
    """Maillage's registration on this instance, made once (POST /api/v1/apps) and kept."""
    redirect_uri = mastodon_redirect_uri()
    existing = OAuthApplication.objects.filter(
        network=Network.MASTODON, instance_url=instance_url, redirect_uri=redirect_uri
    ).first()
    if existing is not None:
        return existing
    try:
        credentials = mastodon.app_register(
            instance_url, "Maillage", redirect_uri, settings.SITE_URL
        )
    except ConnectorError as exc:
        raise PublishingError(
            _("%(instance)s did not let Maillage register (%(reason)s): check the address.")
            % {"instance": instance_url, "reason": exc.message}
        ) from exc
    app = OAuthApplication(
        network=Network.MASTODON,
        instance_url=instance_url,
        redirect_uri=redirect_uri,
        client_id=credentials.client_id,
    )
    app.client_secret = credentials.client_secret
    try:
        with transaction.atomic():
            app.save()
    except IntegrityError:
        # Two users connected to the same new instance at once: keep the first registration.
        return OAuthApplication.objects.get(
            network=Network.MASTODON, instance_url=instance_url, redirect_uri=redirect_uri
        )
    return app


def channel_authorize_url_mastodon(instance_url: str, state: str) -> str:
    """Where to send the user's browser to allow Maillage on their instance."""
    instance = _instance(instance_url)
    app = oauth_application_mastodon(instance)
    return mastodon.authorize_url(instance, app.client_id, app.redirect_uri, state)


def _channel_store(
    owner: User,
    network: str,
    external_id: str,
    *,
    handle: str,
    access_token: str,
    refresh_token: str = "",
    instance_url: str = "",
    **fields: object,
) -> Channel:
    """Create or update the owner's channel for that account with fresh tokens; a channel that
    was waiting for a reconnection gets its held deliveries back.

    `token_expires_at` is cleared: these networks' tokens never expire (Mastodon) or are
    renewed by the connector itself (X, Bluesky), so no reconnection deadline applies.
    """
    channel = Channel.objects.filter(
        owner=owner, network=network, instance_url=instance_url, external_id=external_id
    ).first()
    was_waiting = channel is not None and channel.status == Channel.Status.NEEDS_RECONNECT
    if channel is None:
        channel = Channel(
            owner=owner,
            network=network,
            kind=AccountKind.PROFILE,
            instance_url=instance_url,
            external_id=external_id,
            time_zone=owner.time_zone,
        )
    channel.handle = handle
    for name, value in fields.items():
        setattr(channel, name, value)
    channel.access_token = access_token
    channel.refresh_token = refresh_token
    channel.token_expires_at = None
    channel.save()
    if was_waiting:
        channel_reconnected(channel)
    return channel


def channel_connect_mastodon(owner: User, instance_url: str, code: str) -> Channel:
    """Finish the OAuth dance: token, account, instance limit; reconnecting revives the
    channel's waiting deliveries."""
    instance = _instance(instance_url)
    app = oauth_application_mastodon(instance)
    credentials = mastodon.AppCredentials(app.client_id, app.client_secret)
    try:
        token = mastodon.token_exchange(instance, credentials, app.redirect_uri, code)
        account = mastodon.account_verify(instance, token)
        max_characters = mastodon.instance_max_characters(instance)
    except ConnectorError as exc:
        raise PublishingError(
            _("%(instance)s refused the connection (%(reason)s): try connecting again.")
            % {"instance": instance, "reason": exc.message}
        ) from exc
    return _channel_store(
        owner,
        Network.MASTODON,
        account.external_id,
        instance_url=instance,
        handle=account.handle,
        access_token=token,
        display_name=account.display_name,
        max_characters=max_characters,
    )


def channel_connect_bluesky(owner: User, handle: str, app_password: str) -> Channel:
    """Log in with an app password (never the account's own) and keep the session's tokens;
    reconnecting revives the channel's waiting deliveries."""
    base_url = settings.CONNECTOR_BASE_URLS["bluesky"]
    try:
        session = bluesky.session_create(base_url, handle, app_password)
    except ConnectorError as exc:
        raise PublishingError(
            _(
                "Bluesky refused this handle and app password (%(reason)s). Create an app "
                "password in Bluesky (Settings > Privacy and security > App passwords) and "
                "type it with your handle."
            )
            % {"reason": exc.message}
        ) from exc
    return _channel_store(
        owner,
        Network.BLUESKY,
        session.did,
        handle="@" + session.handle.removeprefix("@"),
        access_token=session.access_jwt,
        refresh_token=session.refresh_jwt,
    )


def x_redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + X_CALLBACK_PATH


def x_not_configured() -> PublishingError:
    return PublishingError(
        _(
            "Connecting X needs an X application: the administrator sets MAILLAGE_X_CLIENT_ID "
            "(and MAILLAGE_X_CLIENT_SECRET) from developer.x.com, with %(callback)s as its "
            "callback address."
        )
        % {"callback": x_redirect_uri()}
    )


def channel_authorize_url_x(state: str, code_challenge: str) -> str:
    """Where to send the browser to let Maillage post on X (OAuth 2.0 with PKCE)."""
    client = x.client_from_settings()
    if client is None:
        raise x_not_configured()
    return x.authorize_url(client.client_id, x_redirect_uri(), state, code_challenge)


def channel_connect_x(owner: User, code: str, verifier: str) -> Channel:
    """Finish the PKCE exchange; reconnecting revives the channel's waiting deliveries."""
    client = x.client_from_settings()
    if client is None:
        raise x_not_configured()
    base_url = settings.CONNECTOR_BASE_URLS["x"]
    try:
        tokens = x.token_exchange(base_url, client, x_redirect_uri(), code, verifier)
        account = x.account_me(base_url, tokens.access_token)
    except ConnectorError as exc:
        raise PublishingError(
            _("X refused the connection (%(reason)s): try connecting again.")
            % {"reason": exc.message}
        ) from exc
    return _channel_store(
        owner,
        Network.X,
        account.external_id,
        handle=account.handle,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        display_name=account.display_name,
    )


def channel_share(channel: Channel, circle: Circle | None, by: User) -> Channel:
    """Let a circle's members schedule to a page (None revokes). Only its owner decides."""
    if channel.owner_id != by.pk:
        raise PublishingError(_("Only the account's owner can share it."))
    if circle is not None:
        if channel.kind != AccountKind.PAGE:
            raise PublishingError(_("Only pages can be shared; a profile speaks for one person."))
        if circle.kind != Circle.Kind.TEAM:
            # A peer circle gathers people of different companies: a page speaks for one.
            raise PublishingError(_("Share a page only with a team circle."))
        if not circle.memberships.filter(user=by).exists():
            raise PublishingError(_("Share only with a circle you belong to."))
    channel.shared_with_circle = circle
    channel.save(update_fields=["shared_with_circle", "updated_at"])
    return channel


def tokens_rotate() -> int:
    """Re-encrypt every stored token with the first configured key; returns how many."""
    changed = 0
    now = timezone.now()
    for channel in Channel.objects.only("pk", "access_token_encrypted", "refresh_token_encrypted"):
        access = token_rotate(channel.access_token_encrypted)
        refresh = token_rotate(channel.refresh_token_encrypted)
        Channel.objects.filter(pk=channel.pk).update(
            access_token_encrypted=access, refresh_token_encrypted=refresh, updated_at=now
        )
        changed += 1
    for app in OAuthApplication.objects.only("pk", "client_secret_encrypted"):
        OAuthApplication.objects.filter(pk=app.pk).update(
            client_secret_encrypted=token_rotate(app.client_secret_encrypted)
        )
        changed += 1
    return changed

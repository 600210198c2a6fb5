"""Connecting Facebook Pages: Facebook Login, then one channel per Page the member can post to."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.connectors import facebook
from maillage.connectors.registry import ConnectorError
from maillage.presence.networks import AccountKind, Network
from maillage.publishing.models import Channel
from maillage.publishing.services.channels import _channel_store
from maillage.publishing.services.planning import PublishingError

FACEBOOK_CALLBACK_PATH = "/publishing/channels/facebook/callback/"


def facebook_redirect_uri() -> str:
    return settings.SITE_URL.rstrip("/") + FACEBOOK_CALLBACK_PATH


def facebook_not_configured() -> PublishingError:
    return PublishingError(
        _(
            "Connecting a Facebook Page needs a Meta application: the administrator sets "
            "MAILLAGE_FACEBOOK_APP_ID and MAILLAGE_FACEBOOK_APP_SECRET from "
            "developers.facebook.com (My Apps > App settings > Basic), adds Facebook Login with "
            "%(callback)s as a valid OAuth redirect URI, and asks for the permissions "
            "pages_show_list, pages_manage_posts and pages_read_engagement."
        )
        % {"callback": facebook_redirect_uri()}
    )


def channel_authorize_url_facebook(state: str) -> str:
    """Where to send the browser to let Maillage post as the member's Pages."""
    app = facebook.app_from_settings()
    if app is None:
        raise facebook_not_configured()
    return facebook.authorize_url(app.app_id, facebook_redirect_uri(), state)


def channels_connect_facebook(owner: User, code: str) -> list[Channel]:
    """Finish Facebook Login and store each Page the member can post to, with its own Page
    token (read with a long-lived user token, so it does not expire). Connecting again
    reconnects: waiting deliveries come back."""
    app = facebook.app_from_settings()
    if app is None:
        raise facebook_not_configured()
    base_url = settings.CONNECTOR_BASE_URLS["facebook"]
    try:
        short = facebook.token_exchange(base_url, app, facebook_redirect_uri(), code)
        user = facebook.token_extend(base_url, app, short.access_token)
        pages = facebook.pages_managed(base_url, user.access_token)
    except ConnectorError as exc:
        raise PublishingError(
            _("Facebook refused the connection (%(reason)s): try connecting again.")
            % {"reason": exc.message}
        ) from exc
    usable = [page for page in pages if page.can_post and page.access_token]
    if not usable:
        raise PublishingError(
            _(
                "Facebook lists no Page you can post to. Maillage publishes to Facebook Pages "
                "only (not to personal profiles): create a Page or ask its administrators for "
                "the right to create content, then connect again and tick the Page when "
                "Facebook asks which ones Maillage may use."
            )
        )
    return [
        _channel_store(
            owner,
            Network.FACEBOOK,
            page.id,
            handle=page.name,
            display_name=page.name,
            access_token=page.access_token,
            kind=AccountKind.PAGE,
        )
        for page in usable
    ]

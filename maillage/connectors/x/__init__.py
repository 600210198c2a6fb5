"""X: OAuth 2.0 authorization code with PKCE; posts through the v2 API.

Endpoints (docs.x.com): https://x.com/i/oauth2/authorize (S256 code challenge), POST
/2/oauth2/token (authorization_code, refresh_token: access tokens last two hours, a refresh
token comes with `offline.access` and is rotated on every refresh), GET /2/users/me, POST
/2/media/upload (multipart `media` + `media_category`), POST /2/media/metadata (alt text), POST
/2/tweets, GET /2/users/:id/tweets (read-back, `start_time` bounds the window). Errors are
RFC 7807 problems `{"title", "detail", "type", "status"}` (older ones `{"errors": [...]}`);
429 carries `x-rate-limit-reset` (Unix seconds). No idempotency key exists: an ambiguous send
is reconciled by reading the account back.

The connector never touches the database: tokens it refreshes are kept for this process and
announced through `tokens_refreshed`, whose receiver stores them on the channel.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx
from django.conf import settings
from django.dispatch import Signal
from django.utils.translation import gettext as _

from maillage.connectors.http import (
    error_from_response,
    http_request,
    iso_datetime,
    response_object,
)
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Limits,
    Media,
    OutgoingPost,
    Published,
    ReadBack,
    RemotePost,
    RotatingTokens,
)
from maillage.connectors.x.text import MAX_WEIGHTED_LENGTH, text_fits, weighted_length

__all__ = [
    "MAX_WEIGHTED_LENGTH",
    "SCOPES",
    "XConnector",
    "authorize_url",
    "pkce_pair",
    "token_exchange",
    "token_refresh",
    "tokens_refreshed",
    "weighted_length",
]

AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"
WEB_URL = "https://x.com"
SCOPES = "tweet.read tweet.write users.read media.write offline.access"
MAX_IMAGES = 4
READ_BACK_PAGE = 100
READ_BACK_PAGES = 5

# Sent with (sender, network, external_id, base_url, access_token, refresh_token,
# expires_at) after a refresh; a receiver stores the new tokens on the channel.
tokens_refreshed = Signal()


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str = ""  # empty for a public client


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime | None


@dataclass(frozen=True)
class AccountInfo:
    external_id: str
    handle: str
    display_name: str


def client_from_settings() -> ClientCredentials | None:
    client_id = getattr(settings, "X_CLIENT_ID", "")
    if not client_id:
        return None
    return ClientCredentials(client_id, getattr(settings, "X_CLIENT_SECRET", ""))


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, code_challenge): the verifier stays in the session, S256 goes out."""
    verifier = secrets.token_urlsafe(64)[:128]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(client_id: str, redirect_uri: str, state: str, code_challenge: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{AUTHORIZE_URL}?{query}"


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if not isinstance(body, dict):
        return ""
    if body.get("detail") or body.get("title"):
        return str(body.get("detail") or body.get("title"))
    if body.get("error_description") or body.get("error"):
        return str(body.get("error_description") or body.get("error"))
    errors = body.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("message") or errors[0].get("detail") or "")
    return ""


def _reset_seconds(raw: str) -> float | None:
    try:
        return max(0.0, float(raw.strip()) - datetime.now(UTC).timestamp())
    except ValueError:
        return None


def _error(response: httpx.Response, *, idempotent: bool = False) -> ConnectorError:
    reason = _reason(response)
    error = error_from_response(response, reason, idempotent=idempotent)
    if response.status_code == 429 and error.retry_after is None:
        error.retry_after = _reset_seconds(response.headers.get("x-rate-limit-reset", ""))
    return error


def _token_request(base_url: str, client: ClientCredentials, fields: dict[str, str]) -> Tokens:
    headers = {}
    if client.client_secret:
        # A confidential client authenticates with HTTP Basic; a public one sends client_id.
        pair = f"{client.client_id}:{client.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    response = http_request(
        "POST",
        f"{base_url}/2/oauth2/token",
        headers=headers,
        data={**fields, "client_id": client.client_id},
        idempotent=True,
    )
    if response.status_code != 200:
        error = _error(response, idempotent=True)
        if response.status_code in (400, 401):
            # invalid_grant: the code or refresh token is spent or revoked.
            error.permanent, error.needs_reconnect = False, True
        raise error
    body = response_object(response)
    expires_in = body.get("expires_in")
    return Tokens(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=(datetime.now(UTC) + timedelta(seconds=int(expires_in)) if expires_in else None),
    )


def token_exchange(
    base_url: str, client: ClientCredentials, redirect_uri: str, code: str, verifier: str
) -> Tokens:
    return _token_request(
        base_url,
        client,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": verifier,
        },
    )


def token_refresh(base_url: str, client: ClientCredentials, refresh_token: str) -> Tokens:
    return _token_request(
        base_url, client, {"grant_type": "refresh_token", "refresh_token": refresh_token}
    )


def account_me(base_url: str, access_token: str) -> AccountInfo:
    response = http_request(
        "GET", f"{base_url}/2/users/me", headers={"Authorization": f"Bearer {access_token}"}
    )
    if response.status_code != 200:
        raise _error(response, idempotent=True)
    data = response_object(response)["data"]
    return AccountInfo(
        external_id=str(data["id"]),
        handle="@" + str(data["username"]),
        display_name=str(data.get("name") or data["username"]),
    )


def tweet_url(handle: str, tweet_id: str) -> str:
    return f"{WEB_URL}/{handle.removeprefix('@')}/status/{tweet_id}"


def tweet_plain_text(tweet: dict[str, Any]) -> str:
    """The text as it was sent: t.co links expanded, media links removed, entities unescaped.

    X escapes `&`, `<` and `>` in `text`, wraps every link in t.co (its entity gives the
    original) and appends a t.co link to attached media (an entity with a `media_key`).
    """
    note = tweet.get("note_tweet") or {}
    text = str(note.get("text") or tweet.get("text") or "")
    urls = (note.get("entities") or tweet.get("entities") or {}).get("urls") or []
    for entity in urls:
        short = str(entity.get("url") or "")
        if not short:
            continue
        if entity.get("media_key"):
            text = text.replace(" " + short, "").replace(short, "")
        else:
            text = text.replace(short, str(entity.get("expanded_url") or short))
    return html.unescape(text).strip()


class XConnector:
    network: ClassVar[str] = "x"

    def __init__(self) -> None:
        # The refresh token rotates on each renewal: see RotatingTokens.
        self._tokens = RotatingTokens()

    def limits(self) -> Limits:
        # POST /2/tweets allows a user 100 requests per 15 minutes at most (less on the
        # smaller access tiers): one at a time per account, a few per app.
        return Limits(per_account=1, per_network=10, min_interval=0.0)

    def _current(self, account: Account) -> tuple[str, str]:
        return self._tokens.current(account)

    def _refresh(self, account: Account, refresh_token: str) -> str | None:
        client = client_from_settings()
        if client is None or not refresh_token:
            return None
        tokens = token_refresh(account.base_url, client, refresh_token)
        self._tokens.store(account, tokens.access_token, tokens.refresh_token or refresh_token)
        tokens_refreshed.send(
            sender=type(self),
            network=self.network,
            external_id=account.external_id,
            base_url=account.base_url,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token or refresh_token,
            expires_at=tokens.expires_at,
        )
        return tokens.access_token

    def _call(
        self, account: Account, method: str, path: str, *, idempotent: bool, **kwargs: Any
    ) -> httpx.Response:
        """One API call; on 401 the access token is refreshed once and the call repeated
        (a request refused for its token did nothing)."""
        access, refresh = self._current(account)
        for attempt in range(2):
            response = http_request(
                method,
                f"{account.base_url}{path}",
                headers={"Authorization": f"Bearer {access}"},
                idempotent=idempotent,
                **kwargs,
            )
            if response.status_code != 401 or attempt:
                break
            renewed = self._refresh(account, refresh)
            if renewed is None:
                break
            access = renewed
        if response.status_code not in (200, 201):
            raise _error(response, idempotent=idempotent)
        return response

    def publish(self, account: Account, post: OutgoingPost) -> Published:
        if not text_fits(post.text):
            raise ConnectorError(
                _("The text weighs %(count)d characters; X accepts %(limit)d.")
                % {"count": weighted_length(post.text), "limit": MAX_WEIGHTED_LENGTH},
                permanent=True,
            )
        if len(post.media) > MAX_IMAGES:
            raise ConnectorError(
                _("X accepts %(count)d images at most.") % {"count": MAX_IMAGES}, permanent=True
            )
        body: dict[str, Any] = {"text": post.text}
        media_ids = [self._upload(account, media) for media in post.media]
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        response = self._call(account, "POST", "/2/tweets", idempotent=False, json=body)
        tweet_id = str(response_object(response)["data"]["id"])
        return Published(
            external_id=tweet_id,
            # X's answer carries no creation time.
            url=tweet_url(account.handle, tweet_id),
        )

    def _upload(self, account: Account, media: Media) -> str:
        # Uploaded media nobody posts expires on its own (expires_after_secs): a repeat is
        # harmless, so failures are transient, never ambiguous.
        response = self._call(
            account,
            "POST",
            "/2/media/upload",
            idempotent=True,
            files={"media": (media.filename, media.data, media.content_type)},
            data={"media_category": "tweet_image"},
        )
        media_id = str(response_object(response)["data"]["id"])
        if media.description:
            self._call(
                account,
                "POST",
                "/2/media/metadata",
                idempotent=True,
                json={"id": media_id, "metadata": {"alt_text": {"text": media.description}}},
            )
        return media_id

    def read_back(self, account: Account, since: datetime) -> ReadBack:
        """Newest first; `start_time` makes X stop at the window, so the end of the pages
        (no `next_token`) covers it."""
        posts: list[RemotePost] = []
        params: dict[str, str | int] = {
            "max_results": READ_BACK_PAGE,
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "tweet.fields": "created_at,entities,note_tweet",
            "exclude": "retweets",
        }
        for _page in range(READ_BACK_PAGES):
            response = self._call(
                account,
                "GET",
                f"/2/users/{account.external_id}/tweets",
                idempotent=True,
                params=params,
            )
            body = response_object(response)
            for tweet in body.get("data") or []:
                created = iso_datetime(tweet["created_at"])
                if created < since:
                    return ReadBack(posts=posts, complete=True)
                posts.append(
                    RemotePost(
                        external_id=str(tweet["id"]),
                        url=tweet_url(account.handle, str(tweet["id"])),
                        created_at=created,
                        text=tweet_plain_text(tweet),
                    )
                )
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                return ReadBack(posts=posts, complete=True)
            params["pagination_token"] = str(token)
        return ReadBack(posts=posts, complete=False)

"""Bluesky: a handle and an app password; posts are records in the account's repository.

Endpoints (docs.bsky.app, XRPC on the account's PDS, `BLUESKY_PDS_URL`, default
https://bsky.social): com.atproto.server.createSession (handle + app password -> accessJwt,
refreshJwt, did), com.atproto.server.refreshSession (Bearer refreshJwt; rotates both tokens),
com.atproto.identity.resolveHandle (mention facets need the DID), com.atproto.repo.uploadBlob
(raw bytes), com.atproto.repo.createRecord (an app.bsky.feed.post), com.atproto.repo.listRecords
(read-back straight from the repository, newest first, without the AppView's indexing delay).
Errors are `{"error": "Name", "message": "..."}`; an expired access token is a 400 named
`ExpiredToken`. There is no idempotency key: ambiguous sends are reconciled by read-back.

Account mapping: external_id is the DID, access_token the accessJwt, refresh_token the
refreshJwt. The connector never touches the database: tokens it refreshes are kept for this
process and announced through `session_refreshed`, whose receiver stores them on the channel.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from django.dispatch import Signal
from django.utils.translation import gettext as _

from maillage.connectors.bluesky.text import (
    MAX_GRAPHEMES,
    grapheme_count,
    spans_find,
    text_fits,
)
from maillage.connectors.http import error_from_response, http_request, iso_datetime, unreadable
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

__all__ = [
    "MAX_GRAPHEMES",
    "BlueskyConnector",
    "Session",
    "grapheme_count",
    "session_create",
    "session_refreshed",
    "text_fits",
]

# The seam takes a raw body as `data`; httpx prefers `content=` and warns, harmlessly.
warnings.filterwarnings("ignore", message="Use 'content=", category=DeprecationWarning)

APP_URL = "https://bsky.app"
POST_COLLECTION = "app.bsky.feed.post"
MAX_IMAGES = 4
# app.bsky.embed.images refuses a blob above this size.
MAX_IMAGE_BYTES = 1_000_000
READ_BACK_PAGE = 50
READ_BACK_PAGES = 5
# Names of errors meaning the session itself is over: only a new app password login helps.
SESSION_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired"})

# Sent with (sender, network, external_id, base_url, access_token, refresh_token) when the
# connector refreshed a session; a receiver stores the new tokens on the channel.
session_refreshed = Signal()


@dataclass(frozen=True)
class Session:
    did: str
    handle: str
    access_jwt: str
    refresh_jwt: str


def _xrpc(base_url: str, method: str) -> str:
    return f"{base_url.rstrip('/')}/xrpc/{method}"


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _reason(response: httpx.Response) -> str:
    body = _body(response)
    if not body:
        return response.text[:300].strip()
    parts = [str(body.get(key) or "") for key in ("error", "message")]
    return ": ".join(part for part in parts if part)


def _reset_seconds(raw: str) -> float | None:
    """`ratelimit-reset` is a Unix time in seconds."""
    try:
        when = float(raw.strip())
    except ValueError:
        return None
    return max(0.0, when - datetime.now(UTC).timestamp())


def _error(response: httpx.Response, *, idempotent: bool = False) -> ConnectorError:
    error = error_from_response(response, _reason(response), idempotent=idempotent)
    if response.status_code == 429 and error.retry_after is None:
        error.retry_after = _reset_seconds(response.headers.get("ratelimit-reset", ""))
    if _body(response).get("error") in SESSION_ERRORS:
        error.permanent = False
        error.needs_reconnect = True
    return error


def _expired(response: httpx.Response) -> bool:
    return response.status_code == 400 and _body(response).get("error") == "ExpiredToken"


def _json(response: httpx.Response) -> dict[str, Any]:
    body = _body(response)
    if not body:
        raise unreadable(response)
    return body


def _session(body: dict[str, Any]) -> Session:
    return Session(
        did=str(body["did"]),
        handle=str(body["handle"]),
        access_jwt=str(body["accessJwt"]),
        refresh_jwt=str(body["refreshJwt"]),
    )


def session_create(base_url: str, identifier: str, app_password: str) -> Session:
    """Log in with a handle (or e-mail) and an app password, never the account's password."""
    response = http_request(
        "POST",
        _xrpc(base_url, "com.atproto.server.createSession"),
        json={"identifier": identifier.strip().removeprefix("@"), "password": app_password},
        idempotent=True,
    )
    if response.status_code != 200:
        error = _error(response, idempotent=True)
        if response.status_code == 401:
            # A wrong handle or app password: telling the user so is all that can be done.
            error.needs_reconnect, error.permanent = False, True
        raise error
    return _session(_json(response))


def session_refresh(base_url: str, refresh_jwt: str) -> Session:
    response = http_request(
        "POST",
        _xrpc(base_url, "com.atproto.server.refreshSession"),
        headers={"Authorization": f"Bearer {refresh_jwt}"},
        idempotent=True,
    )
    if response.status_code != 200:
        error = _error(response, idempotent=True)
        if response.status_code in (400, 401):
            error.permanent, error.needs_reconnect = False, True
        raise error
    return _session(_json(response))


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def post_url(handle: str, uri: str) -> str:
    """at://did/app.bsky.feed.post/rkey -> https://bsky.app/profile/handle/post/rkey."""
    rkey = uri.rsplit("/", 1)[-1]
    return f"{APP_URL}/profile/{handle.removeprefix('@')}/post/{rkey}"


class BlueskyConnector:
    network: ClassVar[str] = "bluesky"

    def __init__(self) -> None:
        # refreshSession rotates the refresh token: see RotatingTokens.
        self._sessions = RotatingTokens()

    def limits(self) -> Limits:
        # The PDS allows 5,000 write points an hour per account (a create costs 3): far above
        # a human rhythm. One at a time per account keeps the order of posts.
        return Limits(per_account=1, per_network=50, min_interval=0.0)

    # --- session --------------------------------------------------------------------------

    def _tokens(self, account: Account) -> tuple[str, str]:
        return self._sessions.current(account)

    def _refresh(self, account: Account, refresh_jwt: str) -> str:
        session = session_refresh(account.base_url, refresh_jwt)
        self._sessions.store(account, session.access_jwt, session.refresh_jwt)
        session_refreshed.send(
            sender=type(self),
            network=self.network,
            external_id=account.external_id,
            base_url=account.base_url,
            access_token=session.access_jwt,
            refresh_token=session.refresh_jwt,
        )
        return session.access_jwt

    def _call(
        self,
        account: Account,
        method: str,
        verb: str,
        *,
        idempotent: bool,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """One XRPC call; an expired access token is refreshed once and the call repeated.

        Repeating is safe: a request refused for its token did nothing.
        """
        access, refresh = self._tokens(account)
        for attempt in range(2):
            response = http_request(
                verb,
                _xrpc(account.base_url, method),
                headers={**(headers or {}), "Authorization": f"Bearer {access}"},
                idempotent=idempotent,
                **kwargs,
            )
            if not _expired(response) or attempt:
                break
            access = self._refresh(account, refresh)
        if response.status_code != 200:
            raise _error(response, idempotent=idempotent)
        return response

    # --- publishing -----------------------------------------------------------------------

    def publish(self, account: Account, post: OutgoingPost) -> Published:
        if not text_fits(post.text):
            raise ConnectorError(
                _("The text has %(count)d characters; Bluesky accepts %(limit)d.")
                % {"count": grapheme_count(post.text), "limit": MAX_GRAPHEMES},
                permanent=True,
            )
        if len(post.media) > MAX_IMAGES:
            raise ConnectorError(
                _("Bluesky accepts %(count)d images at most.") % {"count": MAX_IMAGES},
                permanent=True,
            )
        created_at = datetime.now(UTC)
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": _timestamp(created_at),
        }
        if post.language:
            record["langs"] = [post.language]
        facets = self._facets(account, post.text)
        if facets:
            record["facets"] = facets
        if post.media:
            record["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {"alt": media.description, "image": self._upload(account, media)}
                    for media in post.media
                ],
            }
        response = self._call(
            account,
            "com.atproto.repo.createRecord",
            "POST",
            idempotent=False,
            json={"repo": account.external_id, "collection": POST_COLLECTION, "record": record},
        )
        uri = str(_json(response)["uri"])
        return Published(external_id=uri, url=post_url(account.handle, uri), created_at=created_at)

    def _facets(self, account: Account, text: str) -> list[dict[str, Any]]:
        facets = []
        for span in spans_find(text):
            if span.kind == "link":
                feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
            else:
                did = self._did(account, span.value)
                if not did:
                    # An unknown handle stays plain text, as the official app does.
                    continue
                feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
            facets.append(
                {
                    "index": {"byteStart": span.byte_start, "byteEnd": span.byte_end},
                    "features": [feature],
                }
            )
        return facets

    def _did(self, account: Account, handle: str) -> str:
        response = http_request(
            "GET",
            _xrpc(account.base_url, "com.atproto.identity.resolveHandle"),
            params={"handle": handle},
        )
        if response.status_code == 400:
            return ""
        if response.status_code != 200:
            raise _error(response, idempotent=True)
        return str(_json(response).get("did") or "")

    def _upload(self, account: Account, media: Media) -> dict[str, Any]:
        if len(media.data) > MAX_IMAGE_BYTES:
            raise ConnectorError(
                _("%(file)s: Bluesky accepts images up to 1 MB.") % {"file": media.filename},
                permanent=True,
            )
        # A blob nobody references is dropped by the PDS: a repeat is harmless.
        response = self._call(
            account,
            "com.atproto.repo.uploadBlob",
            "POST",
            idempotent=True,
            headers={"Content-Type": media.content_type},
            content=media.data,
        )
        blob: dict[str, Any] = _json(response)["blob"]
        return blob

    # --- reading back ---------------------------------------------------------------------

    def read_back(self, account: Account, since: datetime) -> ReadBack:
        """The repository's posts, newest first (record keys are time-ordered)."""
        posts: list[RemotePost] = []
        params: dict[str, str | int] = {
            "repo": account.external_id,
            "collection": POST_COLLECTION,
            "limit": READ_BACK_PAGE,
        }
        for _page in range(READ_BACK_PAGES):
            response = self._call(
                account, "com.atproto.repo.listRecords", "GET", idempotent=True, params=params
            )
            body = _json(response)
            records = body.get("records")
            if not isinstance(records, list):
                raise ConnectorError(_("Reading the account back gave no list of posts."))
            for item in records:
                value = item.get("value") or {}
                created = iso_datetime(value.get("createdAt"))
                if created < since:
                    return ReadBack(posts=posts, complete=True)
                uri = str(item["uri"])
                posts.append(
                    RemotePost(
                        external_id=uri,
                        url=post_url(account.handle, uri),
                        created_at=created,
                        text=str(value.get("text") or ""),
                    )
                )
            cursor = body.get("cursor")
            if not cursor or len(records) < READ_BACK_PAGE:
                return ReadBack(posts=posts, complete=True)
            params["cursor"] = str(cursor)
        return ReadBack(posts=posts, complete=False)


def handle_url(handle: str) -> str:
    return f"{APP_URL}/profile/{quote(handle.removeprefix('@'))}"

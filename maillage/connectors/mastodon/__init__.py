"""Mastodon: any instance; OAuth with an application registered once per instance.

Endpoints (docs.joinmastodon.org): POST /api/v1/apps, GET /oauth/authorize, POST /oauth/token,
GET /api/v1/accounts/verify_credentials, GET /api/v2/instance, POST /api/v2/media (+ GET
/api/v1/media/:id while it is processed), POST /api/v1/statuses, GET
/api/v1/accounts/:id/statuses. Mastodon honours an `Idempotency-Key` header on POST
/api/v1/statuses for an hour: a repeat with the same key returns the first status instead of
posting twice; we send one per delivery, but never rely on it alone (ambiguous sends are still
reconciled by reading the account back).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar
from urllib.parse import urlencode, urlsplit

import httpx
from django.utils.translation import gettext as _

from maillage.connectors.http import error_from_response, http_request, iso_datetime, response_json
from maillage.connectors.mastodon.markup import status_plain_text
from maillage.connectors.registry import (
    Account,
    ConnectorError,
    Limits,
    Media,
    OutgoingPost,
    Published,
    ReadBack,
    RemotePost,
)

SCOPES = "read:accounts read:statuses write:statuses write:media"
DEFAULT_MAX_CHARACTERS = 500
READ_BACK_PAGE = 40
READ_BACK_PAGES = 5
# POST /api/v2/media answers 202 while a large file is processed: poll this many times.
MEDIA_POLLS = 10
MEDIA_POLL_SECONDS = 1.0


def instance_url_normalise(value: str) -> str:
    """`mastodon.social`, `HTTPS://Mastodon.Social/` -> `https://mastodon.social`."""
    raw = value.strip()
    if "://" not in raw:
        raw = "https://" + raw
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(value)
    host = parts.hostname.lower()
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def _reason(response: httpx.Response) -> str:
    """Mastodon's errors are `{"error": "..."}` (plus `error_description` from OAuth)."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(body, dict):
        parts = [str(body.get(key, "")) for key in ("error", "error_description")]
        return ": ".join(part for part in parts if part)
    return ""


def _error(response: httpx.Response, *, idempotent: bool = False) -> ConnectorError:
    reason = _reason(response)
    error = error_from_response(response, reason, idempotent=idempotent)
    if response.status_code == 429 and error.retry_after is None:
        # Mastodon's rate limiter says when the window resets rather than Retry-After.
        error.retry_after = _reset_seconds(response.headers.get("X-RateLimit-Reset", ""))
    if response.status_code == 403 and "scope" in reason.lower():
        # A token without the scopes we need: only connecting again grants them.
        error.permanent = False
        error.needs_reconnect = True
    return error


def _reset_seconds(raw: str) -> float | None:
    try:
        when = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass(frozen=True)
class AppCredentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class AccountInfo:
    external_id: str
    handle: str
    display_name: str
    url: str


def app_register(
    instance_url: str, client_name: str, redirect_uri: str, website: str
) -> AppCredentials:
    """POST /api/v1/apps: once per instance, the result is kept (never on every login)."""
    response = http_request(
        "POST",
        f"{instance_url}/api/v1/apps",
        data={
            "client_name": client_name,
            "redirect_uris": redirect_uri,
            "scopes": SCOPES,
            "website": website,
        },
        idempotent=True,
    )
    if response.status_code != 200:
        raise _error(response, idempotent=True)
    body = response_json(response)
    return AppCredentials(
        client_id=str(body["client_id"]), client_secret=str(body["client_secret"])
    )


def authorize_url(instance_url: str, client_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
            "state": state,
        }
    )
    return f"{instance_url}/oauth/authorize?{query}"


def token_exchange(instance_url: str, app: AppCredentials, redirect_uri: str, code: str) -> str:
    """POST /oauth/token (authorization_code): Mastodon's tokens do not expire."""
    response = http_request(
        "POST",
        f"{instance_url}/oauth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
            "redirect_uri": redirect_uri,
            "scope": SCOPES,
        },
        idempotent=True,
    )
    if response.status_code != 200:
        raise _error(response, idempotent=True)
    return str(response_json(response)["access_token"])


def account_verify(instance_url: str, token: str) -> AccountInfo:
    response = http_request(
        "GET", f"{instance_url}/api/v1/accounts/verify_credentials", headers=_auth(token)
    )
    if response.status_code != 200:
        raise _error(response, idempotent=True)
    body = response_json(response)
    host = urlsplit(instance_url).hostname or ""
    return AccountInfo(
        external_id=str(body["id"]),
        handle=f"@{body['acct']}@{host}" if "@" not in str(body["acct"]) else f"@{body['acct']}",
        display_name=str(body.get("display_name") or body.get("username") or ""),
        url=str(body.get("url") or ""),
    )


def instance_max_characters(instance_url: str) -> int:
    """GET /api/v2/instance -> configuration.statuses.max_characters (500 when unsaid)."""
    response = http_request("GET", f"{instance_url}/api/v2/instance")
    if response.status_code != 200:
        raise _error(response, idempotent=True)
    body = response_json(response)
    try:
        return int(body["configuration"]["statuses"]["max_characters"])
    except (KeyError, TypeError, ValueError):
        return DEFAULT_MAX_CHARACTERS


class MastodonConnector:
    network: ClassVar[str] = "mastodon"

    def limits(self) -> Limits:
        # One post at a time per account keeps its order; Mastodon allows 300 calls per
        # 5 minutes per account, far above any human posting rhythm.
        return Limits(per_account=1, per_network=50, min_interval=0.0)

    def publish(self, account: Account, post: OutgoingPost) -> Published:
        media_ids = [self._upload(account, media) for media in post.media]
        fields: dict[str, str | list[str]] = {"status": post.text, "visibility": "public"}
        if post.language:
            fields["language"] = post.language
        if media_ids:
            fields["media_ids[]"] = media_ids
        headers = _auth(account.access_token)
        if post.idempotency_key:
            headers["Idempotency-Key"] = post.idempotency_key
        response = http_request(
            "POST", f"{account.base_url}/api/v1/statuses", headers=headers, data=fields
        )
        if response.status_code != 200:
            raise _error(response)
        body = response_json(response)
        return Published(
            external_id=str(body["id"]),
            url=str(body.get("url") or body.get("uri") or ""),
            created_at=iso_datetime(body["created_at"]) if body.get("created_at") else None,
        )

    def _upload(self, account: Account, media: Media) -> str:
        """POST /api/v2/media; 202 means still processing: wait until GET says 200."""
        # An upload creates nothing visible: a repeat leaves an orphan the instance cleans up,
        # so its failures are merely transient, never ambiguous.
        response = http_request(
            "POST",
            f"{account.base_url}/api/v2/media",
            headers=_auth(account.access_token),
            files={"file": (media.filename, media.data, media.content_type)},
            data={"description": media.description} if media.description else None,
            idempotent=True,
        )
        if response.status_code not in (200, 202):
            raise _error(response, idempotent=True)
        body = response_json(response)
        media_id = str(body["id"])
        polls = 0
        while response.status_code != 200 or not body.get("url"):
            if polls >= MEDIA_POLLS:
                raise ConnectorError(
                    _("The network is still processing the image %(media)s.") % {"media": media_id}
                )
            time.sleep(MEDIA_POLL_SECONDS)
            polls += 1
            response = http_request(
                "GET",
                f"{account.base_url}/api/v1/media/{media_id}",
                headers=_auth(account.access_token),
            )
            if response.status_code not in (200, 206):
                raise _error(response, idempotent=True)
            body = response_json(response)
        return media_id

    def read_back(self, account: Account, since: datetime) -> ReadBack:
        """Newest first, page by page until a status older than `since` or the end."""
        posts: list[RemotePost] = []
        params: dict[str, str | int] = {"limit": READ_BACK_PAGE, "exclude_reblogs": "true"}
        for _page in range(READ_BACK_PAGES):
            response = http_request(
                "GET",
                f"{account.base_url}/api/v1/accounts/{account.external_id}/statuses",
                headers=_auth(account.access_token),
                params=params,
            )
            if response.status_code != 200:
                raise _error(response, idempotent=True)
            statuses = response_json(response)
            if not isinstance(statuses, list):
                raise ConnectorError(_("Reading the account back gave no list of posts."))
            for status in statuses:
                created = iso_datetime(status["created_at"])
                if created < since:
                    return ReadBack(posts=posts, complete=True)
                posts.append(
                    RemotePost(
                        external_id=str(status["id"]),
                        url=str(status.get("url") or status.get("uri") or ""),
                        created_at=created,
                        text=status_plain_text(
                            str(status.get("content") or ""), status.get("mentions") or []
                        ),
                    )
                )
            if len(statuses) < READ_BACK_PAGE:
                return ReadBack(posts=posts, complete=True)
            params["max_id"] = str(statuses[-1]["id"])
        return ReadBack(posts=posts, complete=False)

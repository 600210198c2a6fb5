"""Facebook Pages: Facebook Login (manual flow), Page access tokens, posts through the Graph API.

Facts (developers.facebook.com; API paths are /{version}/..., version from
settings.FACEBOOK_GRAPH_VERSION, default v26.0, the latest; the recordings use v24.0,
available until February 2028, whose paths are the same):

- Login dialog: {www.facebook.com}/{version}/dialog/oauth with client_id, redirect_uri, state,
  scope and response_type=code; the browser comes back with `code` and `state` (or `error`,
  `error_reason=user_denied` when the person cancels).
- GET /oauth/access_token with client_id, redirect_uri, client_secret and code: a short-lived
  user token (hours). GET /oauth/access_token with grant_type=fb_exchange_token: a long-lived
  user token (about 60 days, `expires_in` in seconds).
- GET /me/accounts (pages_show_list): each Page the person can act on, with `id`, `name`,
  `tasks` and its own Page access token; paged with `paging.cursors.after`. A Page token read
  with a long-lived user token has no expiration date, so none is stored.
- Publishing needs pages_manage_posts and the CREATE_CONTENT task; reading the Page's posts
  back needs pages_read_engagement. These three are the scopes asked for (App Review is
  needed before people outside the app's roles can grant them).
- POST /{page-id}/feed with `message` (and optionally `link`) -> {"id": "{page-id}_{post-id}"}.
  The link stays in the message: Facebook previews the first link of a message, and the text
  read back is then exactly what was sent (the fingerprint matches).
- POST /{page-id}/photos (multipart `source` + `message`) -> {"id": photo, "post_id": post}.
  Several images: each uploaded with published=false, then POST /{page-id}/feed with
  `attached_media[i]={"media_fbid": id}`.
- GET /{page-id}/published_posts?fields=id,message,created_time,permalink_url&since=<unix>:
  the Page's own posts, newest first, paged with `paging.next`.
- Errors: {"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}. 190 (token
  expired or invalid) and 102: a new token is needed; 10 and 200-299: a permission is missing
  or was removed; 4, 17, 32, 613 and the business-use-case codes 80000-80099 (Pages: 80001):
  throttling, the `X-Business-Use-Case-Usage` header says in `estimated_time_to_regain_access`
  (minutes) when calls are allowed again; 1, 2 and 341: temporary, retry later; 368: blocked
  for a while for a policy; 506: duplicate post. Page tokens are rate limited per Page over a
  24-hour window.
- No idempotency key exists: an ambiguous send is reconciled by reading the Page back.
- A post's text may hold 63,206 characters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from maillage.connectors.http import (
    error_from_response,
    http_request,
    iso_datetime,
    response_object,
    retry_after_seconds,
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
)

__all__ = [
    "MAX_CHARACTERS",
    "SCOPES",
    "AppCredentials",
    "FacebookConnector",
    "PageInfo",
    "UserToken",
    "app_from_settings",
    "authorize_url",
    "pages_managed",
    "token_exchange",
    "token_extend",
]

MAX_CHARACTERS = 63_206
SCOPES = "pages_show_list,pages_manage_posts,pages_read_engagement"
WEB_URL = "https://www.facebook.com"
READ_BACK_PAGE = 100
READ_BACK_PAGES = 5
ACCOUNTS_PAGES = 20
# Graph error codes and what they mean for the next attempt (see the module docstring).
RECONNECT_CODES = frozenset({102, 190, 10})
THROTTLE_CODES = frozenset({4, 17, 32, 613})
TEMPORARY_CODES = frozenset({1, 2, 341, 368})
# Without a hint from Facebook, wait this long after a throttling error.
DEFAULT_THROTTLE_WAIT = 300.0


@dataclass(frozen=True)
class AppCredentials:
    app_id: str
    app_secret: str


@dataclass(frozen=True)
class UserToken:
    access_token: str
    expires_at: datetime | None


@dataclass(frozen=True)
class PageInfo:
    id: str
    name: str
    access_token: str
    can_post: bool


def app_from_settings() -> AppCredentials | None:
    app_id = getattr(settings, "FACEBOOK_APP_ID", "")
    app_secret = getattr(settings, "FACEBOOK_APP_SECRET", "")
    if not app_id or not app_secret:
        return None
    return AppCredentials(app_id, app_secret)


def graph_version() -> str:
    return str(getattr(settings, "FACEBOOK_GRAPH_VERSION", "v26.0"))


def authorize_url(app_id: str, redirect_uri: str, state: str) -> str:
    dialog = str(getattr(settings, "FACEBOOK_DIALOG_URL", WEB_URL)).rstrip("/")
    query = urlencode(
        {
            "client_id": app_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": SCOPES,
            "response_type": "code",
        }
    )
    return f"{dialog}/{graph_version()}/dialog/oauth?{query}"


# --- Errors -------------------------------------------------------------------------------


def _graph_error(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    error = body.get("error") if isinstance(body, dict) else None
    return error if isinstance(error, dict) else {}


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _regain_seconds(response: httpx.Response) -> float | None:
    """The longest `estimated_time_to_regain_access` (minutes) of the usage headers."""
    waits: list[float] = []
    for header in ("X-Business-Use-Case-Usage", "X-Page-Usage", "X-App-Usage"):
        raw = response.headers.get(header, "")
        if not raw:
            continue
        try:
            usage = json.loads(raw)
        except ValueError:
            continue
        entries: list[Any] = []
        if isinstance(usage, dict) and "estimated_time_to_regain_access" in usage:
            entries = [usage]
        elif isinstance(usage, dict):
            for value in usage.values():
                entries.extend(value if isinstance(value, list) else [value])
        for entry in entries:
            minutes = _int(entry.get("estimated_time_to_regain_access")) if entry else None
            if minutes:
                waits.append(minutes * 60.0)
    return max(waits) if waits else None


def _error(response: httpx.Response, *, idempotent: bool = False) -> ConnectorError:
    """Classify by Graph's own error code first, HTTP status second."""
    graph = _graph_error(response)
    reason = str(graph.get("message") or graph.get("error_user_msg") or "")
    if not graph:
        reason = response.text[:300].strip()
    error = error_from_response(response, reason, idempotent=idempotent)
    code = _int(graph.get("code"))
    if code is None:
        return error
    if code in RECONNECT_CODES or 200 <= code <= 299:
        error.permanent, error.needs_reconnect = False, True
    elif code in THROTTLE_CODES or 80000 <= code <= 80099:
        error.permanent, error.needs_reconnect = False, False
        error.retry_after = (
            _regain_seconds(response)
            or retry_after_seconds(response.headers)
            or DEFAULT_THROTTLE_WAIT
        )
    elif code in TEMPORARY_CODES and not error.ambiguous:
        error.permanent = False
    return error


def _graph(
    base_url: str,
    method: str,
    path: str,
    token: str = "",
    *,
    idempotent: bool,
    **kwargs: Any,
) -> dict[str, Any]:
    """One Graph call (`path` without the version); any answer but 200 raises."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = http_request(
        method,
        f"{base_url}/{graph_version()}{path}",
        headers=headers,
        idempotent=idempotent,
        **kwargs,
    )
    if response.status_code != 200:
        raise _error(response, idempotent=idempotent)
    return response_object(response)


# --- Connecting -----------------------------------------------------------------------------


def _user_token(body: dict[str, Any]) -> UserToken:
    expires_in = _int(body.get("expires_in"))
    return UserToken(
        access_token=str(body["access_token"]),
        expires_at=datetime.now(UTC) + timedelta(seconds=expires_in) if expires_in else None,
    )


def token_exchange(base_url: str, app: AppCredentials, redirect_uri: str, code: str) -> UserToken:
    """The login dialog's code -> a short-lived user token."""
    body = _graph(
        base_url,
        "GET",
        "/oauth/access_token",
        idempotent=True,
        params={
            "client_id": app.app_id,
            "redirect_uri": redirect_uri,
            "client_secret": app.app_secret,
            "code": code,
        },
    )
    return _user_token(body)


def token_extend(base_url: str, app: AppCredentials, access_token: str) -> UserToken:
    """A short-lived user token -> a long-lived one (Page tokens read with it never expire)."""
    body = _graph(
        base_url,
        "GET",
        "/oauth/access_token",
        idempotent=True,
        params={
            "grant_type": "fb_exchange_token",
            "client_id": app.app_id,
            "client_secret": app.app_secret,
            "fb_exchange_token": access_token,
        },
    )
    return _user_token(body)


def pages_managed(base_url: str, user_token: str) -> list[PageInfo]:
    """Every Page the person can act on, each with its own Page access token."""
    pages: list[PageInfo] = []
    params: dict[str, str | int] = {"fields": "id,name,access_token,tasks", "limit": 100}
    for _page in range(ACCOUNTS_PAGES):
        body = _graph(base_url, "GET", "/me/accounts", user_token, idempotent=True, params=params)
        for item in body.get("data") or []:
            tasks = item.get("tasks")
            pages.append(
                PageInfo(
                    id=str(item["id"]),
                    name=str(item.get("name") or item["id"]),
                    access_token=str(item.get("access_token") or ""),
                    # Without `tasks` (older Pages) trust the token; otherwise CREATE_CONTENT
                    # is what posting as the Page needs.
                    can_post=tasks is None or "CREATE_CONTENT" in tasks,
                )
            )
        paging = body.get("paging") or {}
        after = (paging.get("cursors") or {}).get("after")
        if not paging.get("next") or not after:
            break
        params["after"] = str(after)
    return pages


# --- Publishing -------------------------------------------------------------------------------


def post_url(post_id: str) -> str:
    """Facebook answers the URL of a `{page-id}_{post-id}` with the post itself."""
    return f"{WEB_URL}/{post_id}"


class FacebookConnector:
    network: ClassVar[str] = "facebook"

    def limits(self) -> Limits:
        # Page tokens are rate limited per Page over 24 hours: one send at a time per Page.
        return Limits(per_account=1, per_network=20, min_interval=0.0)

    def publish(self, account: Account, post: OutgoingPost) -> Published:
        if len(post.text) > MAX_CHARACTERS:
            raise ConnectorError(
                _("The text has %(count)d characters; Facebook accepts %(limit)d.")
                % {"count": len(post.text), "limit": MAX_CHARACTERS},
                permanent=True,
            )
        page = account.external_id
        if len(post.media) == 1:
            body = self._photo(account, post.media[0], message=post.text, published=True)
            post_id = str(body.get("post_id") or f"{page}_{body['id']}")
        else:
            fields: dict[str, str] = {"message": post.text}
            for index, media in enumerate(post.media):
                photo = self._photo(account, media, message="", published=False)
                fields[f"attached_media[{index}]"] = json.dumps({"media_fbid": str(photo["id"])})
            body = _graph(
                account.base_url,
                "POST",
                f"/{page}/feed",
                account.access_token,
                idempotent=False,
                data=fields,
            )
            post_id = str(body["id"])
        return self._published(account, post_id)

    def _photo(
        self, account: Account, media: Media, *, message: str, published: bool
    ) -> dict[str, Any]:
        """A published photo is a post (not repeatable); an unpublished one is only attached
        later, so repeating its upload is harmless."""
        data = {"published": "true" if published else "false"}
        if message:
            data["message"] = message
        return _graph(
            account.base_url,
            "POST",
            f"/{account.external_id}/photos",
            account.access_token,
            idempotent=not published,
            data=data,
            files={"source": (media.filename, media.data, media.content_type)},
        )

    def _published(self, account: Account, post_id: str) -> Published:
        """Facebook answers only the post's id. Its address is built from it rather than read
        back: one call per post spares the Page's rate limit, and a failed read after a
        successful post must never look like a failure (a retry would post it twice)."""
        return Published(external_id=post_id, url=post_url(post_id))

    def read_back(self, account: Account, since: datetime) -> ReadBack:
        """The Page's own posts, newest first; `since` makes Facebook stop at the window, so
        the end of the pages (no `paging.next`) covers it."""
        posts: list[RemotePost] = []
        url = f"{account.base_url}/{graph_version()}/{account.external_id}/published_posts"
        params: dict[str, str | int] | None = {
            "fields": "id,message,created_time,permalink_url",
            "since": int(since.timestamp()),
            "limit": READ_BACK_PAGE,
        }
        for _page in range(READ_BACK_PAGES):
            response = http_request(
                "GET",
                url,
                headers={"Authorization": f"Bearer {account.access_token}"},
                params=params,
            )
            if response.status_code != 200:
                raise _error(response, idempotent=True)
            body = response_object(response)
            for item in body.get("data") or []:
                created = iso_datetime(item["created_time"])
                if created < since:
                    return ReadBack(posts=posts, complete=True)
                post_id = str(item["id"])
                posts.append(
                    RemotePost(
                        external_id=post_id,
                        url=str(item.get("permalink_url") or post_url(post_id)),
                        created_at=created,
                        # Facebook keeps a message as plain text, exactly as sent.
                        text=str(item.get("message") or ""),
                    )
                )
            following = str((body.get("paging") or {}).get("next") or "")
            if not following:
                return ReadBack(posts=posts, complete=True)
            # The next page's address carries its own query; keep our base URL (the fake's in
            # tests) and Facebook's path and query.
            parts = urlsplit(following)
            url, params = f"{account.base_url}{parts.path}?{parts.query}", None
        return ReadBack(posts=posts, complete=False)

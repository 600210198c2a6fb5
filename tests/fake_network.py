"""A loopback fake of the networks' publish and read-back endpoints, for tests and benchmarks.

`FakeNetwork()` serves on 127.0.0.1 (a free port) from a thread pool; connectors point at
`fake.url`. It keeps every post it created, counts calls and creations per content
fingerprint (the same `content_fingerprint` the engine uses), and injects latency and
failures. Each network is a `Routes` subclass registering its endpoints, so LinkedIn,
Facebook, X and Bluesky can be added beside `MastodonRoutes` without touching the server.
"""

from __future__ import annotations

import html
import itertools
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from maillage.connectors.registry import content_fingerprint


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Failure:
    """What to do to the next matching request(s) instead of (or after) serving it.

    kind: "status" (answer `status` with `body` and `headers`, nothing created),
    "hang_after" (create the post, then wait `seconds` before answering: the client's read
    timeout fires after sending), "drop" (close the connection without answering, nothing
    created).
    """

    kind: str
    path: str = ""
    method: str = "POST"
    times: int = 1
    status: int = 500
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 2.0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    form: dict[str, list[str]]
    files: dict[str, tuple[str, bytes]]
    token: str
    body: bytes = b""
    json: Any = None


@dataclass
class FakePost:
    network: str
    account_id: str
    external_id: str
    text: str
    created_at: datetime
    language: str = ""
    media_ids: list[str] = field(default_factory=list)


Handler = Callable[[Request, dict[str, str]], Reply]


class Routes:
    """One network's endpoints: subclasses call `self.add(method, pattern, handler)`."""

    network = ""

    def __init__(self, fake: FakeNetwork) -> None:
        self.fake = fake
        self.table: list[tuple[str, re.Pattern[str], Handler]] = []
        self.register()

    def register(self) -> None:
        raise NotImplementedError

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self.table.append((method, re.compile(f"^{pattern}$"), handler))

    def sent_text(self, request: Request) -> str | None:
        """The text of a post this request tries to publish (counted in `fake.calls`)."""
        return None


def mastodon_html(text: str) -> str:
    """Render plain text the way Mastodon does: paragraphs, <br>, links split into spans."""

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        scheme, rest = url.split("://", 1)
        shown, hidden = rest[:30], rest[30:]
        return (
            f'<a href="{url}" rel="nofollow noopener" target="_blank">'
            f'<span class="invisible">{scheme}://</span><span class="ellipsis">{shown}</span>'
            f'<span class="invisible">{hidden}</span></a>'
        )

    paragraphs = []
    for paragraph in text.strip().split("\n\n"):
        escaped = html.escape(paragraph, quote=False)
        escaped = re.sub(r"https?://[^\s<]+", link, escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


class MastodonRoutes(Routes):
    network = "mastodon"

    def register(self) -> None:
        self.add("POST", r"/api/v1/apps", self.apps)
        self.add("GET", r"/oauth/authorize", self.authorize)
        self.add("POST", r"/oauth/token", self.token)
        self.add("GET", r"/api/v1/accounts/verify_credentials", self.verify)
        self.add("GET", r"/api/v2/instance", self.instance)
        self.add("POST", r"/api/v2/media", self.media)
        self.add("POST", r"/api/v1/statuses", self.status_create)
        self.add("GET", r"/api/v1/accounts/(?P<id>[^/]+)/statuses", self.statuses)

    def sent_text(self, request: Request) -> str | None:
        if request.path == "/api/v1/statuses" and "status" in request.form:
            return request.form["status"][0]
        return None

    def apps(self, request: Request, args: dict[str, str]) -> Reply:
        self.fake.apps_registered += 1
        return Reply(
            body={
                "id": "1",
                "name": request.form.get("client_name", [""])[0],
                "client_id": "fake-client-id",
                "client_secret": "fake-client-secret",
                "redirect_uri": request.form.get("redirect_uris", [""])[0],
            }
        )

    def authorize(self, request: Request, args: dict[str, str]) -> Reply:
        """The user allows the application at once, as `fake.authorize_as` (a token)."""
        token = self.fake.authorize_as
        if token not in self.fake.accounts:
            return Reply(403, {"error": "access_denied"})
        code = f"code-{next(self.fake.ids)}"
        self.fake.codes[code] = token
        query = urlencode({"code": code, "state": request.query.get("state", [""])[0]})
        redirect_uri = request.query.get("redirect_uri", [""])[0]
        return Reply(302, {}, {"Location": f"{redirect_uri}?{query}"})

    def token(self, request: Request, args: dict[str, str]) -> Reply:
        code = request.form.get("code", [""])[0]
        token = self.fake.codes.get(code)
        if token is None:
            return Reply(400, {"error": "invalid_grant", "error_description": "bad code"})
        return Reply(body={"access_token": token, "token_type": "Bearer", "scope": "write"})

    def verify(self, request: Request, args: dict[str, str]) -> Reply:
        account = self.fake.accounts.get(request.token)
        if account is None:
            return Reply(401, {"error": "The access token is invalid"})
        return Reply(
            body={
                "id": account["id"],
                "username": account["username"],
                "acct": account["username"],
                "display_name": account["display_name"],
                "url": f"{self.fake.url}/@{account['username']}",
            }
        )

    def instance(self, request: Request, args: dict[str, str]) -> Reply:
        return Reply(
            body={
                "domain": "127.0.0.1",
                "configuration": {"statuses": {"max_characters": self.fake.max_characters}},
            }
        )

    def media(self, request: Request, args: dict[str, str]) -> Reply:
        if request.token not in self.fake.accounts:
            return Reply(401, {"error": "The access token is invalid"})
        media_id = str(next(self.fake.ids))
        self.fake.media[media_id] = request.files.get("file", ("", b""))
        return Reply(body={"id": media_id, "type": "image", "url": f"{self.fake.url}/m/{media_id}"})

    def status_create(self, request: Request, args: dict[str, str]) -> Reply:
        account = self.fake.accounts.get(request.token)
        if account is None:
            return Reply(401, {"error": "The access token is invalid"})
        text = request.form.get("status", [""])[0]
        if not text.strip():
            return Reply(422, {"error": "Validation failed: Text can't be blank"})
        key = request.headers.get("idempotency-key", "")
        if key and self.fake.honour_idempotency_keys and key in self.fake.idempotency:
            return Reply(body=self.render(self.fake.idempotency[key]))
        post = self.fake.create_post(
            "mastodon",
            account["id"],
            text,
            language=request.form.get("language", [""])[0],
            media_ids=request.form.get("media_ids[]", []),
        )
        if key:
            self.fake.idempotency[key] = post
        return Reply(body=self.render(post))

    def statuses(self, request: Request, args: dict[str, str]) -> Reply:
        limit = int(request.query.get("limit", ["20"])[0])
        max_id = request.query.get("max_id", [""])[0]
        posts = [p for p in self.fake.posts_of("mastodon", args["id"])]
        posts.sort(key=lambda p: int(p.external_id), reverse=True)
        if max_id:
            posts = [p for p in posts if int(p.external_id) < int(max_id)]
        return Reply(body=[self.render(p) for p in posts[:limit]])

    def render(self, post: FakePost) -> dict[str, Any]:
        username = self.fake.usernames.get(post.account_id, post.account_id)
        return {
            "id": post.external_id,
            "created_at": post.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "url": f"{self.fake.url}/@{username}/{post.external_id}",
            "uri": f"{self.fake.url}/users/{username}/statuses/{post.external_id}",
            "content": mastodon_html(post.text),
            "language": post.language or None,
            "visibility": "public",
            "mentions": [],
            "media_attachments": [{"id": m} for m in post.media_ids],
        }


def _xrpc_time(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class BlueskyRoutes(Routes):
    """A PDS: sessions from app passwords, records in repositories, blobs.

    Access tokens listed in `fake.expired_tokens` answer 400 ExpiredToken, as a PDS does
    once an accessJwt is two hours old.
    """

    network = "bluesky"
    POST = "/xrpc/com.atproto.repo.createRecord"

    def register(self) -> None:
        self.add("POST", r"/xrpc/com.atproto.server.createSession", self.session_create)
        self.add("POST", r"/xrpc/com.atproto.server.refreshSession", self.session_refresh)
        self.add("GET", r"/xrpc/com.atproto.identity.resolveHandle", self.resolve)
        self.add("POST", r"/xrpc/com.atproto.repo.uploadBlob", self.blob)
        self.add("POST", self.POST, self.record_create)
        self.add("GET", r"/xrpc/com.atproto.repo.listRecords", self.records)

    def sent_text(self, request: Request) -> str | None:
        if request.path == self.POST and isinstance(request.json, dict):
            return str((request.json.get("record") or {}).get("text", ""))
        return None

    def _session(self, token: str) -> Reply:
        account = self.fake.accounts[token]
        refresh = f"refresh-{token}"
        self.fake.refresh_tokens[refresh] = token
        return Reply(
            body={
                "did": account["id"],
                "handle": account["username"],
                "accessJwt": token,
                "refreshJwt": refresh,
                "active": True,
            }
        )

    def _account(self, request: Request) -> tuple[dict[str, str] | None, Reply | None]:
        if request.token in self.fake.expired_tokens:
            return None, Reply(400, {"error": "ExpiredToken", "message": "Token has expired"})
        account = self.fake.accounts.get(request.token)
        if account is None:
            return None, Reply(
                401, {"error": "AuthenticationRequired", "message": "Authentication Required"}
            )
        return account, None

    def session_create(self, request: Request, args: dict[str, str]) -> Reply:
        body = request.json or {}
        identifier, password = str(body.get("identifier", "")), str(body.get("password", ""))
        for token, account in list(self.fake.accounts.items()):
            if (
                account["username"] == identifier
                and self.fake.app_passwords.get(identifier) == password
                and token not in self.fake.expired_tokens
            ):
                return self._session(token)
        return Reply(
            401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}
        )

    def session_refresh(self, request: Request, args: dict[str, str]) -> Reply:
        old = self.fake.refresh_tokens.pop(request.token, None)
        if old is None:
            return Reply(400, {"error": "ExpiredToken", "message": "Token has been revoked"})
        new = f"{old}-r"
        self.fake.accounts[new] = self.fake.accounts[old]
        return self._session(new)

    def resolve(self, request: Request, args: dict[str, str]) -> Reply:
        handle = request.query.get("handle", [""])[0]
        for account_id, username in self.fake.usernames.items():
            if username == handle:
                return Reply(body={"did": account_id})
        return Reply(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})

    def blob(self, request: Request, args: dict[str, str]) -> Reply:
        _account, refused = self._account(request)
        if refused:
            return refused
        blob_id = f"bafkrei{next(self.fake.ids)}"
        self.fake.media[blob_id] = ("blob", request.body)
        content_type = request.headers.get("content-type", "")
        return Reply(
            body={
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": blob_id},
                    "mimeType": content_type,
                    "size": len(request.body),
                }
            }
        )

    def record_create(self, request: Request, args: dict[str, str]) -> Reply:
        account, refused = self._account(request)
        if refused or account is None:
            return refused or Reply(500)
        body = request.json or {}
        record = body.get("record") or {}
        if body.get("repo") != account["id"]:
            return Reply(403, {"error": "InvalidRequest", "message": "Not your repository"})
        images = (record.get("embed") or {}).get("images") or []
        post = self.fake.create_post(
            "bluesky",
            account["id"],
            str(record.get("text", "")),
            language=(record.get("langs") or [""])[0],
            media_ids=[image["image"]["ref"]["$link"] for image in images],
        )
        self.fake.records[post.external_id] = record
        return Reply(body={"uri": self.uri(post), "cid": f"bafyrei{post.external_id}"})

    def records(self, request: Request, args: dict[str, str]) -> Reply:
        did = request.query.get("repo", [""])[0]
        limit = int(request.query.get("limit", ["50"])[0])
        cursor = request.query.get("cursor", [""])[0]
        posts = sorted(
            self.fake.posts_of("bluesky", did), key=lambda p: int(p.external_id), reverse=True
        )
        if cursor:
            posts = [p for p in posts if int(p.external_id) < int(cursor)]
        page = posts[:limit]
        body: dict[str, Any] = {
            "records": [
                {
                    "uri": self.uri(p),
                    "cid": f"bafyrei{p.external_id}",
                    "value": {
                        **self.fake.records.get(p.external_id, {}),
                        "$type": "app.bsky.feed.post",
                        "text": p.text,
                        "createdAt": _xrpc_time(p.created_at),
                    },
                }
                for p in page
            ]
        }
        if len(posts) > limit:
            body["cursor"] = page[-1].external_id
        return Reply(body=body)

    def uri(self, post: FakePost) -> str:
        return f"at://{post.account_id}/app.bsky.feed.post/{post.external_id}"


class XRoutes(Routes):
    """X's v2 API: posts rendered as X does (t.co links, `&` escaped, media links appended)."""

    network = "x"

    def register(self) -> None:
        self.add("POST", r"/2/media/upload", self.media)
        self.add("POST", r"/2/media/metadata", self.metadata)
        self.add("POST", r"/2/tweets", self.tweet_create)
        self.add("GET", r"/2/users/me", self.me)
        self.add("POST", r"/2/oauth2/token", self.oauth_token)
        self.add("GET", r"/2/users/(?P<id>[^/]+)/tweets", self.tweets)

    def sent_text(self, request: Request) -> str | None:
        if request.path == "/2/tweets" and isinstance(request.json, dict):
            return str(request.json.get("text", ""))
        return None

    def _unauthorized(self) -> Reply:
        return Reply(401, {"title": "Unauthorized", "type": "about:blank", "status": 401})

    def media(self, request: Request, args: dict[str, str]) -> Reply:
        if request.token not in self.fake.accounts:
            return self._unauthorized()
        media_id = str(next(self.fake.ids))
        self.fake.media[media_id] = request.files.get("media", ("", b""))
        return Reply(body={"data": {"id": media_id, "media_key": f"3_{media_id}"}})

    def metadata(self, request: Request, args: dict[str, str]) -> Reply:
        return Reply(body={"data": (request.json or {})})

    def oauth_token(self, request: Request, args: dict[str, str]) -> Reply:
        """The authorization code exchange (PKCE): a known code and a verifier give a pair."""
        code = request.form.get("code", [""])[0]
        token = self.fake.codes.get(code)
        if token is None or not request.form.get("code_verifier", [""])[0]:
            return Reply(400, {"error": "invalid_request", "error_description": "bad code"})
        refresh = f"refresh-{token}"
        self.fake.refresh_tokens[refresh] = token
        return Reply(
            body={
                "token_type": "bearer",
                "expires_in": 7200,
                "access_token": token,
                "refresh_token": refresh,
                "scope": "tweet.read tweet.write users.read offline.access",
            }
        )

    def me(self, request: Request, args: dict[str, str]) -> Reply:
        account = self.fake.accounts.get(request.token)
        if account is None:
            return self._unauthorized()
        return Reply(
            body={
                "data": {
                    "id": account["id"],
                    "username": account["username"],
                    "name": account["display_name"],
                }
            }
        )

    def tweet_create(self, request: Request, args: dict[str, str]) -> Reply:
        account = self.fake.accounts.get(request.token)
        if account is None:
            return self._unauthorized()
        body = request.json or {}
        post = self.fake.create_post(
            "x",
            account["id"],
            str(body.get("text", "")),
            media_ids=[str(m) for m in (body.get("media") or {}).get("media_ids", [])],
        )
        rendered = self.render(post)
        return Reply(201, {"data": {"id": rendered["id"], "text": rendered["text"]}})

    def tweets(self, request: Request, args: dict[str, str]) -> Reply:
        limit = int(request.query.get("max_results", ["10"])[0])
        before = request.query.get("pagination_token", [""])[0]
        start = request.query.get("start_time", [""])[0]
        posts = sorted(
            self.fake.posts_of("x", args["id"]), key=lambda p: int(p.external_id), reverse=True
        )
        if start:
            since = datetime.fromisoformat(start.replace("Z", "+00:00"))
            posts = [p for p in posts if p.created_at >= since]
        if before:
            posts = [p for p in posts if int(p.external_id) < int(before)]
        page = posts[:limit]
        meta: dict[str, Any] = {"result_count": len(page)}
        if len(posts) > limit:
            meta["next_token"] = page[-1].external_id
        body: dict[str, Any] = {"meta": meta}
        if page:
            body["data"] = [self.render(p) for p in page]
        return Reply(body=body)

    def render(self, post: FakePost) -> dict[str, Any]:
        text = html.escape(post.text, quote=False)
        urls: list[dict[str, Any]] = []

        def shorten(match: re.Match[str]) -> str:
            expanded = html.unescape(match.group(0))
            short = f"https://t.co/{content_fingerprint(expanded)[:10]}"
            urls.append({"url": short, "expanded_url": expanded})
            return short

        text = re.sub(r"https?://[^\s<]+", shorten, text)
        for media_id in post.media_ids:
            short = f"https://t.co/m{media_id}"
            text += " " + short
            urls.append(
                {
                    "url": short,
                    "expanded_url": f"https://x.com/i/{media_id}/photo/1",
                    "media_key": f"3_{media_id}",
                }
            )
        return {
            "id": post.external_id,
            "text": text,
            "created_at": _xrpc_time(post.created_at),
            "entities": {"urls": urls},
        }


class FakeNetwork:
    ROUTES: tuple[type[Routes], ...] = (MastodonRoutes, BlueskyRoutes, XRoutes)

    @classmethod
    def all_routes(cls) -> tuple[type[Routes], ...]:
        """Networks whose routes live in their own module (imported here: they import Routes)."""
        from tests.fake_facebook import FacebookRoutes
        from tests.fake_linkedin import LinkedInRoutes

        return (*cls.ROUTES, LinkedInRoutes, FacebookRoutes)

    def __init__(
        self, latency: float = 0.0, honour_idempotency_keys: bool = False, port: int = 0
    ) -> None:
        self.latency = latency
        # Off by default so tests prove the engine alone never double-posts.
        self.honour_idempotency_keys = honour_idempotency_keys
        self.max_characters = 500
        self.lock = threading.Lock()
        self.ids = itertools.count(100_000)
        self.posts: list[FakePost] = []
        self.calls: Counter[str] = Counter()  # publish calls per content fingerprint
        self.created: Counter[str] = Counter()  # posts created per content fingerprint
        self.requests: Counter[str] = Counter()  # "METHOD /path" -> count
        # Requests being served at this moment, and the most there ever were at once.
        self.in_flight = 0
        self.max_in_flight = 0
        self.failures: list[Failure] = []
        self.accounts: dict[str, dict[str, str]] = {}  # token -> account
        self.usernames: dict[str, str] = {}
        self.codes: dict[str, str] = {}  # OAuth code -> token
        # Mastodon's authorization page answers at once for this account's token.
        self.authorize_as = ""
        self.idempotency: dict[str, FakePost] = {}
        self.media: dict[str, tuple[str, bytes]] = {}
        self.apps_registered = 0
        # Bluesky: handle -> app password, refresh token -> access token, expired tokens, and
        # each record as it was sent (post id -> record).
        self.app_passwords: dict[str, str] = {}
        self.refresh_tokens: dict[str, str] = {}
        self.expired_tokens: set[str] = set()
        self.records: dict[str, dict[str, Any]] = {}
        self.routes = [routes(self) for routes in self.all_routes()]
        self.server = ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeNetwork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- set-up -------------------------------------------------------------------------

    def add_account(
        self, token: str, account_id: str, username: str, display_name: str = ""
    ) -> None:
        with self.lock:
            self.accounts[token] = {
                "id": account_id,
                "username": username,
                "display_name": display_name or username,
            }
            self.usernames[account_id] = username

    def inject(self, failure: Failure) -> None:
        with self.lock:
            self.failures.append(failure)

    # --- state --------------------------------------------------------------------------

    def create_post(self, network: str, account_id: str, text: str, **extra: Any) -> FakePost:
        with self.lock:
            post = FakePost(
                network=network,
                account_id=account_id,
                external_id=str(next(self.ids)),
                text=text,
                created_at=datetime.now(UTC),
                **extra,
            )
            self.posts.append(post)
            self.created[content_fingerprint(text)] += 1
        return post

    def posts_of(self, network: str, account_id: str) -> list[FakePost]:
        with self.lock:
            return [p for p in self.posts if p.network == network and p.account_id == account_id]

    def _failure_for(self, method: str, path: str) -> Failure | None:
        with self.lock:
            for failure in self.failures:
                if failure.method == method and path.startswith(failure.path) and failure.times:
                    failure.times -= 1
                    if failure.times == 0:
                        self.failures.remove(failure)
                    return failure
        return None

    # --- HTTP ---------------------------------------------------------------------------

    def _route(self, method: str, path: str) -> tuple[Handler, dict[str, str]] | None:
        for routes in self.routes:
            for verb, pattern, handler in routes.table:
                match = pattern.match(path)
                if verb == method and match:
                    return handler, match.groupdict()
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes: without this, Nagle's algorithm and
            # the client's delayed ACK add 40 ms to every answer.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:
                self._serve("PUT")

            def _serve(self, method: str) -> None:
                with fake.lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    reply = self._answer(method)
                finally:
                    # Counted out before answering: once the client has its answer, the
                    # request is no longer in flight.
                    with fake.lock:
                        fake.in_flight -= 1
                if reply is None:
                    self.close_connection = True
                    self.connection.close()
                else:
                    self._reply(reply)

            def _answer(self, method: str) -> Reply | None:
                """The answer to send, or None to drop the connection instead."""
                request = self._read(method)
                texts = [routes.sent_text(request) for routes in fake.routes]
                with fake.lock:
                    fake.requests[f"{method} {request.path}"] += 1
                    for text in texts:
                        if text is not None:
                            fake.calls[content_fingerprint(text)] += 1
                if fake.latency:
                    time.sleep(fake.latency)
                failure = fake._failure_for(method, request.path)
                if failure is not None and failure.kind == "drop":
                    return None
                if failure is not None and failure.kind == "status":
                    return Reply(failure.status, failure.body, failure.headers)
                route = fake._route(method, request.path)
                reply = route[0](request, route[1]) if route else Reply(404, {"error": "Not found"})
                if failure is not None and failure.kind == "hang_after":
                    time.sleep(failure.seconds)
                return reply

            def _read(self, method: str) -> Request:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                content_type = self.headers.get("Content-Type", "")
                form: dict[str, list[str]] = {}
                files: dict[str, tuple[str, bytes]] = {}
                loaded: Any = None
                if content_type.startswith("application/x-www-form-urlencoded"):
                    form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
                elif content_type.startswith("multipart/form-data"):
                    message = BytesParser(policy=HTTP).parsebytes(
                        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
                    )
                    for part in message.iter_parts():
                        name = part.get_param("name", header="content-disposition")
                        decoded = part.get_payload(decode=True)
                        payload = decoded if isinstance(decoded, bytes) else b""
                        filename = part.get_filename()
                        if filename:
                            files[str(name)] = (filename, payload)
                        else:
                            form.setdefault(str(name), []).append(payload.decode("utf-8"))
                elif content_type.startswith("application/json") and raw:
                    loaded = json.loads(raw)
                    if isinstance(loaded, dict):
                        form = {k: [v] for k, v in loaded.items() if isinstance(v, str)}
                auth = self.headers.get("Authorization", "")
                return Request(
                    method=method,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    form=form,
                    files=files,
                    token=auth.removeprefix("Bearer ").strip(),
                    body=raw,
                    json=loaded,
                )

            def _reply(self, reply: Reply) -> None:
                body = json.dumps(reply.body if reply.body is not None else {}).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    # The client gave up (timeout, killed worker): what was created stays.
                    pass

        return Handler


def main() -> None:
    """`python -m tests.fake_network --port 8765 --latency 0.05 --accounts 200`: serve until
    Ctrl-C, with accounts whose tokens are token-0 ... token-N (ids 1000 ... 1000+N)."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    fake = FakeNetwork(latency=args.latency, port=args.port)
    for number in range(args.accounts):
        fake.add_account(f"token-{number}", str(1000 + number), f"member{number}")
    print(fake.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.close()


if __name__ == "__main__":
    main()

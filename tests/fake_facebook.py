"""The fake network's Facebook routes: Facebook Login's token exchanges, /me/accounts, and a
Page's feed, photos and published posts, answered the way the Graph API does.

Set-up: `facebook_user(fake, user_token, [(page_token, page_id, name), ...])` registers a
person and the Pages they administer; `fake.codes[code] = user_token` makes a login code.
Page tokens are ordinary fake accounts (`fake.accounts`), so `fake.posts_of("facebook",
page_id)` lists what was posted.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.fake_network import FakeNetwork, FakePost, Reply, Request, Routes

VERSION = r"/v[0-9.]+"


def _graph_error(status: int, code: int, message: str, kind: str = "OAuthException") -> Reply:
    return Reply(
        status,
        {"error": {"message": message, "type": kind, "code": code, "fbtrace_id": "AfakeTrace"}},
    )


def _created_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


class FacebookRoutes(Routes):
    network = "facebook"

    def register(self) -> None:
        # user token -> the Pages it lists: (page token, page id, name)
        self.user_pages: dict[str, list[tuple[str, str, str]]] = {}
        self.page_size = 25
        self.add("GET", rf"{VERSION}/oauth/access_token", self.oauth_token)
        self.add("GET", rf"{VERSION}/me/accounts", self.accounts)
        self.add("POST", rf"{VERSION}/(?P<page>[0-9]+)/feed", self.feed_create)
        self.add("POST", rf"{VERSION}/(?P<page>[0-9]+)/photos", self.photo_create)
        self.add("GET", rf"{VERSION}/(?P<page>[0-9]+)/(?:feed|published_posts)", self.feed)
        self.add("GET", rf"{VERSION}/(?P<post>[0-9]+_[0-9]+)", self.post)

    def sent_text(self, request: Request) -> str | None:
        path = request.path
        if path.endswith("/feed") and request.method == "POST":
            return request.form.get("message", [""])[0]
        if path.endswith("/photos") and request.form.get("published", ["true"])[0] != "false":
            return request.form.get("message", [""])[0]
        return None

    def _invalid_token(self) -> Reply:
        return _graph_error(400, 190, "Invalid OAuth access token - Cannot parse access token")

    def _page(self, request: Request, page_id: str) -> Reply | None:
        """None when the request's token is this Page's token, else Graph's refusal."""
        if request.token in self.fake.expired_tokens:
            return _graph_error(
                400, 190, "Error validating access token: Session has expired on Sunday."
            )
        account = self.fake.accounts.get(request.token)
        if account is None:
            return self._invalid_token()
        if account["id"] != page_id:
            return _graph_error(
                403,
                200,
                "(#200) The user hasn't authorized the application to perform this action",
            )
        return None

    # --- Facebook Login -----------------------------------------------------------------

    def oauth_token(self, request: Request, args: dict[str, str]) -> Reply:
        query = {key: values[0] for key, values in request.query.items()}
        if not query.get("client_id") or not query.get("client_secret"):
            return _graph_error(400, 101, "Missing client_id or client_secret")
        if query.get("grant_type") == "fb_exchange_token":
            short = query.get("fb_exchange_token", "")
            if short not in self.user_pages:
                return self._invalid_token()
            long = f"{short}-long"
            self.user_pages[long] = self.user_pages[short]
            return Reply(body={"access_token": long, "token_type": "bearer", "expires_in": 5183944})
        token = self.fake.codes.pop(query.get("code", ""), None)
        if token is None or not query.get("redirect_uri"):
            return _graph_error(
                400, 100, "Invalid verification code format.", kind="OAuthException"
            )
        return Reply(body={"access_token": token, "token_type": "bearer", "expires_in": 5400})

    def accounts(self, request: Request, args: dict[str, str]) -> Reply:
        pages = self.user_pages.get(request.token)
        if pages is None:
            return self._invalid_token()
        start = int(request.query.get("after", ["0"])[0] or 0)
        chunk = pages[start : start + self.page_size]
        body: dict[str, Any] = {
            "data": [
                {
                    "access_token": token,
                    "category": "Community",
                    "name": name,
                    "id": page_id,
                    "tasks": ["ANALYZE", "ADVERTISE", "MODERATE", "CREATE_CONTENT", "MANAGE"],
                }
                for token, page_id, name in chunk
            ],
            "paging": {"cursors": {"before": str(start), "after": str(start + len(chunk))}},
        }
        if start + len(chunk) < len(pages):
            body["paging"]["next"] = f"{self.fake.url}{request.path}?after={start + len(chunk)}"
        return Reply(body=body)

    # --- A Page ---------------------------------------------------------------------------

    def feed_create(self, request: Request, args: dict[str, str]) -> Reply:
        refused = self._page(request, args["page"])
        if refused:
            return refused
        message = request.form.get("message", [""])[0]
        media = [
            str(json.loads(values[0])["media_fbid"])
            for key, values in sorted(request.form.items())
            if key.startswith("attached_media[")
        ]
        if not message.strip() and not media:
            return _graph_error(
                400, 100, "(#100) Missing message or attachment", "GraphMethodException"
            )
        post = self.fake.create_post("facebook", args["page"], message, media_ids=media)
        return Reply(body={"id": self.post_id(post)})

    def photo_create(self, request: Request, args: dict[str, str]) -> Reply:
        refused = self._page(request, args["page"])
        if refused:
            return refused
        photo_id = str(next(self.fake.ids))
        self.fake.media[photo_id] = request.files.get("source", ("", b""))
        if request.form.get("published", ["true"])[0] == "false":
            return Reply(body={"id": photo_id})
        post = self.fake.create_post(
            "facebook", args["page"], request.form.get("message", [""])[0], media_ids=[photo_id]
        )
        return Reply(body={"id": photo_id, "post_id": self.post_id(post)})

    def feed(self, request: Request, args: dict[str, str]) -> Reply:
        refused = self._page(request, args["page"])
        if refused:
            return refused
        limit = int(request.query.get("limit", ["25"])[0])
        since = request.query.get("since", [""])[0]
        until = request.query.get("until", [""])[0]
        posts = sorted(
            self.fake.posts_of("facebook", args["page"]),
            key=lambda p: int(p.external_id),
            reverse=True,
        )
        if since:
            posts = [p for p in posts if p.created_at.timestamp() >= int(since)]
        if until:
            posts = [p for p in posts if int(p.external_id) < int(until)]
        page = posts[:limit]
        body: dict[str, Any] = {"data": [self.render(p) for p in page]}
        if len(posts) > limit:
            query = f"limit={limit}&since={since}&until={page[-1].external_id}"
            body["paging"] = {"next": f"{self.fake.url}{request.path}?{query}"}
        return Reply(body=body)

    def post(self, request: Request, args: dict[str, str]) -> Reply:
        page_id, _, number = args["post"].partition("_")
        refused = self._page(request, page_id)
        if refused:
            return refused
        for post in self.fake.posts_of("facebook", page_id):
            if post.external_id == number:
                return Reply(body=self.render(post))
        return _graph_error(400, 100, "Unsupported get request.", "GraphMethodException")

    def post_id(self, post: FakePost) -> str:
        return f"{post.account_id}_{post.external_id}"

    def render(self, post: FakePost) -> dict[str, Any]:
        rendered: dict[str, Any] = {
            "id": self.post_id(post),
            "created_time": _created_time(post.created_at),
            "permalink_url": f"https://www.facebook.com/{post.account_id}/posts/{post.external_id}",
        }
        if post.text:
            rendered["message"] = post.text
        return rendered


def facebook_routes(fake: FakeNetwork) -> FacebookRoutes:
    (routes,) = [r for r in fake.routes if isinstance(r, FacebookRoutes)]
    return routes


def facebook_user(fake: FakeNetwork, user_token: str, pages: list[tuple[str, str, str]]) -> None:
    """A person whose login lists these Pages: (page token, page id, name) each."""
    facebook_routes(fake).user_pages[user_token] = pages
    for token, page_id, name in pages:
        fake.add_account(token, page_id, name)

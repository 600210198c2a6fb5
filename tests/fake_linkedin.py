"""The fake network's LinkedIn routes: OAuth, OpenID userinfo, organization pages, images,
posts and their read-back, as LinkedIn's versioned REST API answers them.

Accounts are the fake's usual `add_account(token, person_id, name)`; a member administers the
pages listed with `LinkedInRoutes.of(fake).add_page(token, org_id, name, vanity)`. Posts are
kept under their author URN, their commentary unescaped (what the member typed) and rendered
back in LinkedIn's little format. A `LinkedIn-Version` in `retired_versions` answers 426.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from maillage.connectors.linkedin.text import little_escape, little_plain_text
from tests.fake_network import FakeNetwork, FakePost, Reply, Request, Routes

PERSON = "urn:li:person:"
ORGANIZATION = "urn:li:organization:"


class LinkedInRoutes(Routes):
    network = "linkedin"
    POSTS = "/rest/posts"

    @classmethod
    def of(cls, fake: FakeNetwork) -> LinkedInRoutes:
        return next(routes for routes in fake.routes if isinstance(routes, cls))

    def register(self) -> None:
        self.pages: dict[str, dict[str, str]] = {}  # org id -> name, vanity
        self.admins: dict[str, list[str]] = {}  # access token -> org ids
        self.retired_versions: set[str] = {"202401"}
        self.read_refused: set[str] = set()  # author URNs whose posts may not be read
        self.uploads: dict[str, bytes] = {}  # image URN -> bytes
        self.add("GET", r"/oauth/v2/authorization", self.authorize)
        self.add("POST", r"/oauth/v2/accessToken", self.token)
        self.add("GET", r"/v2/userinfo", self.userinfo)
        self.add("GET", r"/rest/organizationAcls", self.acls)
        self.add("GET", r"/rest/organizations/(?P<id>\d+)", self.organization)
        self.add("POST", r"/rest/images", self.image_initialize)
        self.add("PUT", r"/upload/(?P<image>[^/]+)", self.image_upload)
        self.add("POST", self.POSTS, self.post_create)
        self.add("GET", self.POSTS, self.posts)

    def add_page(self, token: str, org_id: str, name: str, vanity: str = "") -> None:
        with self.fake.lock:
            self.pages[org_id] = {"name": name, "vanity": vanity}
            self.admins.setdefault(token, []).append(org_id)

    def sent_text(self, request: Request) -> str | None:
        posting = request.method == "POST" and request.path == self.POSTS
        if posting and isinstance(request.json, dict):
            return little_plain_text(str(request.json.get("commentary", "")))
        return None

    # --- refusals, as LinkedIn words them ------------------------------------------------

    def _error(self, status: int, code: str, message: str) -> Reply:
        return Reply(
            status, {"status": status, "serviceErrorCode": 0, "code": code, "message": message}
        )

    def _member(self, request: Request) -> tuple[dict[str, str] | None, Reply | None]:
        if request.path.startswith("/rest/"):
            version = request.headers.get("linkedin-version", "")
            if not version:
                return None, self._error(400, "VERSION_MISSING", "A version must be present.")
            if version in self.retired_versions:
                message = f"Requested version {version}01 is not active"
                return None, self._error(426, "NONEXISTENT_VERSION", message)
        account = self.fake.accounts.get(request.token)
        if account is None:
            return None, self._error(
                401,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
            )
        return account, None

    def _may_act_as(self, request: Request, account: dict[str, str], author: str) -> bool:
        if author == PERSON + account["id"]:
            return True
        org_id = author.removeprefix(ORGANIZATION)
        return author.startswith(ORGANIZATION) and org_id in self.admins.get(request.token, [])

    # --- OAuth and who is who -----------------------------------------------------------

    def authorize(self, request: Request, args: dict[str, str]) -> Reply:
        """The member allows the application at once, as `fake.authorize_as` (a token)."""
        token = self.fake.authorize_as
        redirect_uri = request.query.get("redirect_uri", [""])[0]
        state = request.query.get("state", [""])[0]
        if token not in self.fake.accounts:
            query = urlencode({"error": "user_cancelled_authorize", "state": state})
            return Reply(302, {}, {"Location": f"{redirect_uri}?{query}"})
        code = f"code-{next(self.fake.ids)}"
        self.fake.codes[code] = token
        return Reply(
            302, {}, {"Location": f"{redirect_uri}?{urlencode({'code': code, 'state': state})}"}
        )

    def token(self, request: Request, args: dict[str, str]) -> Reply:
        grant = request.form.get("grant_type", [""])[0]
        if not request.form.get("client_secret", [""])[0]:
            return Reply(
                401,
                {"error": "invalid_client", "error_description": "Client authentication failed"},
            )
        if grant == "refresh_token":
            old = self.fake.refresh_tokens.get(request.form.get("refresh_token", [""])[0])
            if old is None:
                return Reply(
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "The provided refresh token is invalid",
                    },
                )
            new = f"{old}-r"
            self.fake.accounts[new] = self.fake.accounts[old]
            self.admins[new] = self.admins.get(old, [])
            return Reply(
                body={
                    "access_token": new,
                    "expires_in": 5184000,
                    "refresh_token": request.form["refresh_token"][0],
                    "refresh_token_expires_in": 31000000,
                }
            )
        token = self.fake.codes.pop(request.form.get("code", [""])[0], None)
        if token is None:
            return Reply(
                400,
                {
                    "error": "invalid_request",
                    "error_description": "authorization code not found",
                },
            )
        refresh = f"refresh-{token}"
        self.fake.refresh_tokens[refresh] = token
        return Reply(
            body={
                "access_token": token,
                "expires_in": 5184000,
                "refresh_token": refresh,
                "refresh_token_expires_in": 31536000,
                "scope": "email,openid,profile,w_member_social,w_organization_social",
            }
        )

    def userinfo(self, request: Request, args: dict[str, str]) -> Reply:
        account, refused = self._member(request)
        if refused or account is None:
            return refused or Reply(500)
        given, _, family = account["display_name"].partition(" ")
        return Reply(
            body={
                "sub": account["id"],
                "email_verified": True,
                "name": account["display_name"],
                "locale": {"country": "CA", "language": "fr"},
                "given_name": given,
                "family_name": family,
                "email": f"{account['username']}@example.com",
            }
        )

    def acls(self, request: Request, args: dict[str, str]) -> Reply:
        account, refused = self._member(request)
        if refused or account is None:
            return refused or Reply(500)
        elements = [
            {
                "roleAssignee": PERSON + account["id"],
                "state": "APPROVED",
                "role": "ADMINISTRATOR",
                "organization": ORGANIZATION + org_id,
            }
            for org_id in self.admins.get(request.token, [])
        ]
        return Reply(body={"paging": {"count": 100, "start": 0, "links": []}, "elements": elements})

    def organization(self, request: Request, args: dict[str, str]) -> Reply:
        _account, refused = self._member(request)
        if refused:
            return refused
        page = self.pages.get(args["id"])
        if page is None:
            return self._error(404, "NOT_FOUND", "Organization not found")
        return Reply(
            body={
                "id": int(args["id"]),
                "localizedName": page["name"],
                "vanityName": page["vanity"],
            }
        )

    # --- images and posts ---------------------------------------------------------------

    def image_initialize(self, request: Request, args: dict[str, str]) -> Reply:
        account, refused = self._member(request)
        if refused or account is None:
            return refused or Reply(500)
        owner = str(((request.json or {}).get("initializeUploadRequest") or {}).get("owner", ""))
        if not self._may_act_as(request, account, owner):
            return self._error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: images.ACTION.initializeUpload",
            )
        image = f"urn:li:image:D4E{next(self.fake.ids)}"
        return Reply(
            body={
                "value": {
                    "uploadUrlExpiresAt": 1796054400000,
                    "uploadUrl": f"{self.fake.url}/upload/{image}",
                    "image": image,
                }
            }
        )

    def image_upload(self, request: Request, args: dict[str, str]) -> Reply:
        self.uploads[args["image"]] = request.body
        return Reply(201, {})

    def post_create(self, request: Request, args: dict[str, str]) -> Reply:
        account, refused = self._member(request)
        if refused or account is None:
            return refused or Reply(500)
        body = request.json or {}
        author = str(body.get("author", ""))
        if not self._may_act_as(request, account, author):
            return self._error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: partnerApiPostsExternal.CREATE",
            )
        commentary = str(body.get("commentary", ""))
        if len(little_plain_text(commentary)) > 3000:
            return self._error(422, "UNPROCESSABLE_ENTITY", "commentary is too long")
        content = body.get("content") or {}
        images = [content["media"]["id"]] if "media" in content else []
        images += [image["id"] for image in (content.get("multiImage") or {}).get("images", [])]
        missing = [image for image in images if image not in self.uploads]
        if missing:
            return self._error(400, "INVALID_CONTENT", f"Media {missing[0]} is not uploaded")
        post = self.fake.create_post(
            "linkedin", author, little_plain_text(commentary), media_ids=images
        )
        return Reply(201, {}, {"x-restli-id": self.urn(post), "x-linkedin-id": self.urn(post)})

    def posts(self, request: Request, args: dict[str, str]) -> Reply:
        _account, refused = self._member(request)
        if refused:
            return refused
        author = request.query.get("author", [""])[0]
        if author in self.read_refused:
            return self._error(
                403,
                "ACCESS_DENIED",
                "Not enough permissions to access: partnerApiPostsExternal.FINDER-author",
            )
        start = int(request.query.get("start", ["0"])[0])
        count = int(request.query.get("count", ["10"])[0])
        posts = sorted(
            self.fake.posts_of("linkedin", author), key=lambda p: int(p.external_id), reverse=True
        )
        page = posts[start : start + count]
        return Reply(
            body={
                "paging": {"start": start, "count": count, "links": [], "total": len(posts)},
                "elements": [self.render(p) for p in page],
            }
        )

    def urn(self, post: FakePost) -> str:
        return f"urn:li:share:{post.external_id}"

    def render(self, post: FakePost) -> dict[str, Any]:
        created = int(post.created_at.timestamp() * 1000)
        rendered: dict[str, Any] = {
            "id": self.urn(post),
            "author": post.account_id,
            "commentary": little_escape(post.text),
            "visibility": "PUBLIC",
            "lifecycleState": "PUBLISHED",
            "createdAt": created,
            "publishedAt": created,
            "lastModifiedAt": created,
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
        }
        if post.media_ids:
            rendered["content"] = {"multiImage": {"images": [{"id": m} for m in post.media_ids]}}
        return rendered

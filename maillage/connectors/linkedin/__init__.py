"""LinkedIn: a member's profile and the organization pages they administer, through the
versioned REST API (learn.microsoft.com/linkedin).

Connect: OAuth 2.0 authorization code at {LINKEDIN_OAUTH_URL}/authorization, exchanged at
POST {LINKEDIN_OAUTH_URL}/accessToken (form, client_id and client_secret); scopes in
`oauth.SCOPES`. Access tokens last 60 days (`expires_in`); approved partners also get a
refresh token (`refresh_token_expires_in`, a year from the first authorization, not extended by
refreshing: grant_type=refresh_token gives a new 60-day access token). The member is GET
/v2/userinfo (OpenID Connect; `sub` is the person id, urn:li:person:{sub}); the pages are GET
/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED, each looked up at
GET /rest/organizations/{id} (localizedName, vanityName).

Publish: POST /rest/posts (JSON: author, commentary, visibility PUBLIC, distribution
MAIN_FEED, lifecycleState PUBLISHED) answers 201 with the post URN in `x-restli-id`; its page is
https://www.linkedin.com/feed/update/{urn}/. Every /rest/ call carries `LinkedIn-Version:
YYYYMM` (`settings.LINKEDIN_VERSION`) and `X-Restli-Protocol-Version: 2.0.0`; a version past its
sunset (each is supported about a year) answers 426 `{"code": "NONEXISTENT_VERSION", "message":
"Requested version 2024xx01 is not active"}`: the post fails with a message telling the
administrator to update the setting. `commentary` is in the "little" format (text.py): reserved
characters are escaped when sending and unescaped when reading back; at most 3,000 characters.

Images: POST /rest/images?action=initializeUpload `{"initializeUploadRequest": {"owner":
author}}` answers `{"value": {"uploadUrl", "image"}}`; the bytes are PUT to uploadUrl; the post
references the image URN in `content.media` (one) or `content.multiImage.images` (2 to 20).
JPG, GIF and PNG only.

Read-back: GET /rest/posts?q=author&author={urn}&sortBy=CREATED&start&count (newest first,
`createdAt` in milliseconds). Reading a member's posts needs r_member_social, which LinkedIn
grants only to some partners: a 403 there gives `ReadBack(complete=False)`, so an unconfirmed
delivery stays unconfirmed and is never sent again blindly.

Errors: `{"status", "serviceErrorCode", "code", "message"}`. 401 (expired or revoked token):
refreshed once when a refresh token exists, else reconnect. 403 (no permission, e.g. no longer
a page administrator): permanent. 429: daily limits reset at midnight UTC, so without
Retry-After the account waits until then. 5xx transient, 502/504 ambiguous. No idempotency
key exists: an ambiguous send is reconciled by reading the account back.

The connector never touches the database: tokens it refreshes are announced through
`tokens_refreshed`, whose receiver stores them on every channel sharing that token.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
from django.dispatch import Signal
from django.utils.translation import gettext as _

from maillage.connectors.http import http_request, response_object
from maillage.connectors.linkedin.oauth import (
    ORGANIZATION_URN,
    SCOPES,
    ClientCredentials,
    Member,
    Organization,
    Tokens,
    authorize_url,
    client_from_settings,
    linkedin_error,
    member_me,
    organizations_administered,
    rest_headers,
    token_exchange,
    token_refresh,
)
from maillage.connectors.linkedin.text import (
    MAX_CHARACTERS,
    little_escape,
    little_plain_text,
    text_fits,
    text_length,
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

__all__ = [
    "MAX_CHARACTERS",
    "SCOPES",
    "ClientCredentials",
    "LinkedInConnector",
    "Member",
    "Organization",
    "Tokens",
    "author_urn",
    "authorize_url",
    "client_from_settings",
    "little_escape",
    "little_plain_text",
    "member_me",
    "organizations_administered",
    "post_url",
    "token_exchange",
    "token_refresh",
    "tokens_refreshed",
]

WEB_URL = "https://www.linkedin.com"
MAX_IMAGES = 20
# The Images API takes JPG, GIF and PNG.
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif"})
READ_BACK_PAGE = 50
READ_BACK_PAGES = 5

# Sent with (sender, network, external_id, base_url, access_token, refresh_token, expires_at,
# previous_access_token) after a refresh; the member's profile and pages share one token.
tokens_refreshed = Signal()


def author_urn(account: Account) -> str:
    """A profile's external_id is its person URN; a page's is the bare organization id."""
    if account.external_id.startswith("urn:li:"):
        return account.external_id
    return f"{ORGANIZATION_URN}{account.external_id}"


def post_url(urn: str) -> str:
    return f"{WEB_URL}/feed/update/{urn}/"


def _when(milliseconds: object) -> datetime:
    return datetime.fromtimestamp(int(str(milliseconds)) / 1000, tz=UTC)


class LinkedInConnector:
    network: ClassVar[str] = "linkedin"

    def __init__(self) -> None:
        # Tokens this process renewed, preferred over the (maybe older) pair handed over.
        self._tokens = RotatingTokens()

    def limits(self) -> Limits:
        # LinkedIn publishes no numbers (daily quotas per app and per member, seen in the
        # developer portal): one post at a time per account keeps the order, a few per app.
        return Limits(per_account=1, per_network=10, min_interval=0.0)

    def _refresh(self, account: Account, access: str, refresh_token: str) -> str | None:
        client = client_from_settings()
        if client is None or not refresh_token:
            return None
        tokens = token_refresh(client, refresh_token)
        renewed_refresh = tokens.refresh_token or refresh_token
        self._tokens.store(account, tokens.access_token, renewed_refresh)
        tokens_refreshed.send(
            sender=type(self),
            network=self.network,
            external_id=account.external_id,
            base_url=account.base_url,
            access_token=tokens.access_token,
            refresh_token=renewed_refresh,
            expires_at=tokens.expires_at,
            previous_access_token=access,
        )
        return tokens.access_token

    def _call(
        self,
        account: Account,
        method: str,
        url: str,
        *,
        idempotent: bool,
        expected: tuple[int, ...] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        """One /rest/ call; on 401 the access token is refreshed once and the call repeated
        (a request refused for its token did nothing)."""
        access, refresh = self._tokens.current(account)
        for attempt in range(2):
            response = http_request(
                method, url, headers=rest_headers(access), idempotent=idempotent, **kwargs
            )
            if response.status_code != 401 or attempt:
                break
            renewed = self._refresh(account, access, refresh)
            if renewed is None:
                break
            access = renewed
        if response.status_code not in expected:
            raise linkedin_error(response, idempotent=idempotent)
        return response

    def publish(self, account: Account, post: OutgoingPost) -> Published:
        if not text_fits(post.text):
            raise ConnectorError(
                _("The text has %(count)d characters; LinkedIn accepts %(limit)d.")
                % {"count": text_length(post.text), "limit": MAX_CHARACTERS},
                permanent=True,
            )
        if len(post.media) > MAX_IMAGES:
            raise ConnectorError(
                _("LinkedIn accepts %(count)d images at most.") % {"count": MAX_IMAGES},
                permanent=True,
            )
        for media in post.media:
            if media.content_type not in IMAGE_TYPES:
                raise ConnectorError(
                    _("LinkedIn accepts JPEG, PNG and GIF images, not %(type)s.")
                    % {"type": media.content_type},
                    permanent=True,
                )
        author = author_urn(account)
        images = [(self._upload(account, author, media), media) for media in post.media]
        body: dict[str, Any] = {
            "author": author,
            "commentary": little_escape(post.text),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            urn, media = images[0]
            body["content"] = {"media": {"id": urn, "altText": media.description}}
        elif images:
            body["content"] = {
                "multiImage": {
                    "images": [{"id": urn, "altText": media.description} for urn, media in images]
                }
            }
        response = self._call(
            account,
            "POST",
            f"{account.base_url}/rest/posts",
            idempotent=False,
            expected=(201,),
            json=body,
        )
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            # Created (201) but unnamed: reading the account back will find it.
            raise ConnectorError(
                _("LinkedIn created the post without saying its identifier."), ambiguous=True
            )
        return Published(external_id=urn, url=post_url(urn))

    def _upload(self, account: Account, owner: str, media: Media) -> str:
        # An uploaded image nobody posts is harmless: failures are transient, never ambiguous.
        response = self._call(
            account,
            "POST",
            f"{account.base_url}/rest/images?action=initializeUpload",
            idempotent=True,
            json={"initializeUploadRequest": {"owner": owner}},
        )
        value = response_object(response).get("value") or {}
        upload_url, image = str(value.get("uploadUrl") or ""), str(value.get("image") or "")
        if not upload_url or not image:
            raise ConnectorError(_("LinkedIn did not give an address to upload the image to."))
        access, _refresh = self._tokens.current(account)
        uploaded = http_request(
            "PUT",
            upload_url,
            headers={"Authorization": f"Bearer {access}", "Content-Type": media.content_type},
            content=media.data,
            idempotent=True,
        )
        if uploaded.status_code not in (200, 201):
            raise linkedin_error(uploaded, idempotent=True)
        return image

    def read_back(self, account: Account, since: datetime) -> ReadBack:
        """Newest first, page by page, until a post older than `since` or the end; a refusal
        to read (403: no r_member_social) says nothing, so the window is not covered."""
        author = quote(author_urn(account), safe="")
        posts: list[RemotePost] = []
        for page in range(READ_BACK_PAGES):
            url = (
                f"{account.base_url}/rest/posts?q=author&author={author}&sortBy=CREATED"
                f"&start={page * READ_BACK_PAGE}&count={READ_BACK_PAGE}"
            )
            try:
                response = self._call(account, "GET", url, idempotent=True)
            except ConnectorError as error:
                if error.status_code == 403:
                    return ReadBack(posts=posts, complete=False)
                raise
            elements = response_object(response).get("elements") or []
            for element in elements:
                created = _when(element.get("createdAt") or element.get("publishedAt") or 0)
                if created < since:
                    return ReadBack(posts=posts, complete=True)
                urn = str(element["id"])
                posts.append(
                    RemotePost(
                        external_id=urn,
                        url=post_url(urn),
                        created_at=created,
                        text=little_plain_text(str(element.get("commentary") or "")),
                    )
                )
            if len(elements) < READ_BACK_PAGE:
                return ReadBack(posts=posts, complete=True)
        return ReadBack(posts=posts, complete=False)

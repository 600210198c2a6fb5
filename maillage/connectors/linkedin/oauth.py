"""Connecting LinkedIn: the authorization page, the token endpoint, who the member is and
which organization pages they administer. Facts in the package docstring."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from maillage.connectors.http import error_from_response, http_request, response_object
from maillage.connectors.registry import ConnectorError

# Sign in with OpenID Connect (openid profile email), post as the member (w_member_social),
# and for pages (Community Management API): list the pages the member administers
# (r_organization_admin), post as them (w_organization_social) and read their posts back
# (r_organization_social). Reading the member's own posts needs r_member_social, which
# LinkedIn grants only to some partners: it is not asked for.
SCOPES = (
    "openid profile email w_member_social "
    "r_organization_admin w_organization_social r_organization_social"
)
PERSON_URN = "urn:li:person:"
ORGANIZATION_URN = "urn:li:organization:"


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_at: datetime | None
    # LinkedIn gives a refresh token only to approved partners; it lasts a year from the
    # first authorization and does not get longer when used.
    refresh_expires_at: datetime | None = None

    @property
    def reconnect_by(self) -> datetime | None:
        """When the member must authorize again: the refresh token's end if there is one
        (the connector renews the access token until then), else the access token's."""
        return self.refresh_expires_at if self.refresh_token else self.expires_at


@dataclass(frozen=True)
class Member:
    urn: str
    name: str
    email: str


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    vanity_name: str

    @property
    def urn(self) -> str:
        return f"{ORGANIZATION_URN}{self.id}"


def client_from_settings() -> ClientCredentials | None:
    client_id = getattr(settings, "LINKEDIN_CLIENT_ID", "")
    client_secret = getattr(settings, "LINKEDIN_CLIENT_SECRET", "")
    if not client_id or not client_secret:
        return None
    return ClientCredentials(client_id, client_secret)


def oauth_url() -> str:
    return str(settings.LINKEDIN_OAUTH_URL).rstrip("/")


def api_version() -> str:
    return str(settings.LINKEDIN_VERSION)


def rest_headers(access_token: str) -> dict[str, str]:
    """What every versioned (/rest/) call carries: the token, the version, Rest.li 2.0."""
    return {
        "Authorization": f"Bearer {access_token}",
        "LinkedIn-Version": api_version(),
        "X-Restli-Protocol-Version": "2.0.0",
    }


def authorize_url(client_id: str, redirect_uri: str, state: str) -> str:
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "scope": SCOPES,
        },
        quote_via=quote,
    )
    return f"{oauth_url()}/authorization?{query}"


def response_reason(response: httpx.Response) -> str:
    """LinkedIn's own words: `{"status", "serviceErrorCode", "code", "message"}`, or an OAuth
    error `{"error", "error_description"}`."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip()
    if not isinstance(body, dict):
        return ""
    if body.get("error_description") or body.get("error"):
        return str(body.get("error_description") or body.get("error"))
    message = str(body.get("message") or "")
    code = str(body.get("code") or "")
    return f"{message} ({code})" if message and code else message or code


def seconds_to_midnight_utc(now: datetime | None = None) -> float:
    """LinkedIn's daily limits reset at midnight UTC; a 429 without Retry-After waits for it."""
    now = now or datetime.now(UTC)
    midnight = (now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - now).total_seconds()


def linkedin_error(response: httpx.Response, *, idempotent: bool = False) -> ConnectorError:
    """The usual classification, LinkedIn's reason, and its quirks: a retired
    LinkedIn-Version (426 NONEXISTENT_VERSION) says what the administrator must change;
    a 429 without Retry-After waits for the daily reset."""
    reason = response_reason(response)
    code = ""
    try:
        body = response.json()
        if isinstance(body, dict):
            code = str(body.get("code") or "")
    except ValueError:
        pass
    if response.status_code == 426 or code in ("NONEXISTENT_VERSION", "VERSION_MISSING"):
        return ConnectorError(
            _(
                "LinkedIn no longer accepts API version %(version)s (%(reason)s): the "
                "administrator must set MAILLAGE_LINKEDIN_VERSION to a current version "
                "(YYYYMM, listed at learn.microsoft.com/linkedin/marketing/versioning), then "
                "publish again."
            )
            % {"version": api_version(), "reason": reason},
            permanent=True,
            status_code=response.status_code,
        )
    error = error_from_response(response, reason, idempotent=idempotent)
    if response.status_code == 429 and error.retry_after is None:
        error.retry_after = seconds_to_midnight_utc()
    return error


def _in(seconds: object, now: datetime) -> datetime | None:
    try:
        return now + timedelta(seconds=int(str(seconds))) if seconds else None
    except ValueError:
        return None


def _token_request(client: ClientCredentials, fields: dict[str, str]) -> Tokens:
    response = http_request(
        "POST",
        f"{oauth_url()}/accessToken",
        data={**fields, "client_id": client.client_id, "client_secret": client.client_secret},
        idempotent=True,
    )
    if response.status_code != 200:
        error = linkedin_error(response, idempotent=True)
        if response.status_code in (400, 401):
            # invalid_grant / invalid_request: the code or refresh token is spent or revoked.
            error.permanent, error.needs_reconnect = False, True
        raise error
    body = response_object(response)
    now = datetime.now(UTC)
    return Tokens(
        access_token=str(body["access_token"]),
        refresh_token=str(body.get("refresh_token") or ""),
        expires_at=_in(body.get("expires_in"), now),
        refresh_expires_at=_in(body.get("refresh_token_expires_in"), now),
    )


def token_exchange(client: ClientCredentials, redirect_uri: str, code: str) -> Tokens:
    return _token_request(
        client, {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    )


def token_refresh(client: ClientCredentials, refresh_token: str) -> Tokens:
    return _token_request(client, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def member_me(base_url: str, access_token: str) -> Member:
    """The signed-in member from OpenID Connect's userinfo: `sub` is the person id."""
    response = http_request(
        "GET", f"{base_url}/v2/userinfo", headers={"Authorization": f"Bearer {access_token}"}
    )
    if response.status_code != 200:
        raise linkedin_error(response, idempotent=True)
    body = response_object(response)
    name = str(
        body.get("name")
        or " ".join(str(body.get(part) or "") for part in ("given_name", "family_name"))
    ).strip()
    return Member(
        urn=f"{PERSON_URN}{body['sub']}",
        name=name or str(body["sub"]),
        email=str(body.get("email") or ""),
    )


def organizations_administered(base_url: str, access_token: str) -> list[Organization]:
    """Pages the member administers: organizationAcls with role ADMINISTRATOR and state
    APPROVED, each looked up for its name (GET /rest/organizations/{id})."""
    ids: list[str] = []
    start = 0
    while True:
        response = http_request(
            "GET",
            f"{base_url}/rest/organizationAcls",
            headers=rest_headers(access_token),
            params={
                "q": "roleAssignee",
                "role": "ADMINISTRATOR",
                "state": "APPROVED",
                "start": start,
                "count": 100,
            },
        )
        if response.status_code != 200:
            raise linkedin_error(response, idempotent=True)
        elements = response_object(response).get("elements") or []
        for acl in elements:
            urn = str(acl.get("organization") or acl.get("organizationTarget") or "")
            approved = acl.get("state", "APPROVED") == "APPROVED"
            admin = acl.get("role", "ADMINISTRATOR") == "ADMINISTRATOR"
            if urn.startswith(ORGANIZATION_URN) and approved and admin:
                ids.append(urn.removeprefix(ORGANIZATION_URN))
        if len(elements) < 100:
            break
        start += len(elements)
    return [organization_get(base_url, access_token, org_id) for org_id in dict.fromkeys(ids)]


def organization_get(base_url: str, access_token: str, org_id: str) -> Organization:
    response = http_request(
        "GET", f"{base_url}/rest/organizations/{org_id}", headers=rest_headers(access_token)
    )
    if response.status_code != 200:
        raise linkedin_error(response, idempotent=True)
    body = response_object(response)
    name = str(body.get("localizedName") or body.get("vanityName") or org_id)
    return Organization(id=org_id, name=name, vanity_name=str(body.get("vanityName") or ""))

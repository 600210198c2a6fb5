"""The one place connectors are declared: network -> dotted path, imported on first use.

A connector publishes to one network and reads the account's recent posts back; it never
touches the database (the publishing engine hands it an `Account` and records the outcome).
See docs/adding-a-connector.md.
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import ClassVar, Protocol

from django.utils.module_loading import import_string

CONNECTORS: dict[str, str] = {
    "mastodon": "maillage.connectors.mastodon.MastodonConnector",
    "bluesky": "maillage.connectors.bluesky.BlueskyConnector",
    "x": "maillage.connectors.x.XConnector",
    "facebook": "maillage.connectors.facebook.FacebookConnector",
    "linkedin": "maillage.connectors.linkedin.LinkedInConnector",
}


@dataclass(frozen=True)
class Limits:
    """How hard the claimer may push one account and one network at once."""

    per_account: int = 1
    per_network: int = 50
    # Seconds between two sends on one account (0: no pause).
    min_interval: float = 0.0


@dataclass(frozen=True)
class Account:
    """What a connector needs to act for one connected account (tokens already decrypted)."""

    network: str
    external_id: str
    handle: str
    base_url: str
    access_token: str
    refresh_token: str = ""


@dataclass(frozen=True)
class Media:
    filename: str
    content_type: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class OutgoingPost:
    text: str
    language: str = ""
    # Same for every attempt of one delivery, so networks that honour it drop a repeat.
    idempotency_key: str = ""
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Published:
    external_id: str
    url: str
    created_at: datetime | None = None


@dataclass(frozen=True)
class RemotePost:
    """A post read back from the account, its text as plain text (markup removed)."""

    external_id: str
    url: str
    created_at: datetime
    text: str


@dataclass(frozen=True)
class ReadBack:
    posts: list[RemotePost] = field(default_factory=list)
    # True when the posts cover the whole window asked for: only then is absence a proof.
    complete: bool = False


class ConnectorError(Exception):
    """Every failure of a connector, classified so the engine knows what to do next.

    `permanent`: retrying cannot help (the network refused the post: show its reason).
    `retry_after`: seconds the network asked to wait (429), honoured by the next attempt.
    `ambiguous`: the request may have reached the network (timeout after sending): never
    retried blindly, reconciled by reading the account back.
    `needs_reconnect`: the token is rejected or expired: the user must reconnect.
    Anything else is transient and retried with backoff.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        ambiguous: bool = False,
        needs_reconnect: bool = False,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.ambiguous = ambiguous
        self.needs_reconnect = needs_reconnect
        self.status_code = status_code

    def __repr__(self) -> str:
        flags = [
            name for name in ("permanent", "ambiguous", "needs_reconnect") if getattr(self, name)
        ]
        return f"ConnectorError({self.message!r}, {', '.join(flags) or 'transient'})"


class Connector(Protocol):
    """A network's publishing side. See docs/adding-a-connector.md."""

    network: ClassVar[str]

    def limits(self) -> Limits: ...

    def publish(self, account: Account, post: OutgoingPost) -> Published:
        """Send one post; raise ConnectorError on any failure."""
        ...

    def read_back(self, account: Account, since: datetime) -> ReadBack:
        """The account's own posts created since `since`, newest first."""
        ...


class UnknownConnector(LookupError):
    pass


@cache
def connector_get(network: str) -> Connector:
    try:
        path = CONNECTORS[network]
    except KeyError:
        raise UnknownConnector(network) from None
    instance: Connector = import_string(path)()
    return instance


def connector_networks() -> list[str]:
    return list(CONNECTORS)


def content_normalise(text: str) -> str:
    """NFC, whitespace runs collapsed: what survives a network's markup round trip."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_fingerprint(text: str) -> str:
    """sha256 of the normalised text: how a post read back is recognised as ours."""
    return hashlib.sha256(content_normalise(text).encode("utf-8")).hexdigest()


class RotatingTokens:
    """Tokens a connector renewed in this process, newest per account (thread-safe).

    X and Bluesky rotate the refresh token on each renewal: until the publishing app stores
    the new pair (it listens for the connector's signal), the pair the engine hands over may
    already be spent, so the connector prefers the one it renewed itself.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pairs: dict[tuple[str, str], tuple[str, str]] = {}

    def current(self, account: Account) -> tuple[str, str]:
        with self._lock:
            return self._pairs.get(
                (account.base_url, account.external_id),
                (account.access_token, account.refresh_token),
            )

    def store(self, account: Account, access_token: str, refresh_token: str) -> None:
        with self._lock:
            self._pairs[(account.base_url, account.external_id)] = (access_token, refresh_token)

    def clear(self) -> None:
        """Forget every renewal (tests share one connector per process)."""
        with self._lock:
            self._pairs.clear()

"""The one HTTP seam of every connector: httpx with a transport tests can replace.

Failures are classified here once: an error while connecting means nothing was sent (safe to
retry); an error or timeout after the request went out is ambiguous for a request that
changes something, because the network may have acted on it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from maillage.connectors.registry import ConnectorError

USER_AGENT = "Maillage (+https://maillage.org)"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100)

_lock = threading.Lock()
_client: httpx.Client | None = None
_transport: httpx.BaseTransport | None = None


def http_client() -> httpx.Client:
    """One pooled client for the process (httpx's pool is thread-safe)."""
    global _client
    with _lock:
        if _client is None:
            _client = httpx.Client(
                # Small requests go out at once (Nagle would hold a body behind its headers).
                transport=_transport
                or httpx.HTTPTransport(
                    socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
                    limits=LIMITS,
                ),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
            )
        return _client


@contextmanager
def http_transport_replaced(transport: httpx.BaseTransport) -> Iterator[None]:
    """Route every connector request through `transport` (tests: httpx.MockTransport)."""
    global _client, _transport
    with _lock:
        previous, _transport, old_client, _client = _transport, transport, _client, None
    try:
        yield
    finally:
        with _lock:
            _transport, _client = previous, old_client


def http_timeout() -> httpx.Timeout:
    connect = float(settings.CONNECTOR_CONNECT_TIMEOUT)
    read = float(settings.CONNECTOR_READ_TIMEOUT)
    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def http_request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    params: Mapping[str, Any] | None = None,
    data: Any = None,
    content: bytes | None = None,
    json: Any = None,
    files: Any = None,
    idempotent: bool | None = None,
) -> httpx.Response:
    """Send one request; transport failures become a classified ConnectorError.

    `data` is a form, `content` raw bytes (an image body), `json` a JSON body.

    `idempotent` (default: the method is GET/HEAD/OPTIONS) says a repeat is harmless, so a
    failure after sending is merely transient rather than ambiguous.
    """
    method = method.upper()
    repeatable = method in SAFE_METHODS if idempotent is None else idempotent
    try:
        return http_client().request(
            method,
            url,
            headers=headers,
            params=params,
            data=data,
            content=content,
            json=json,
            files=files,
            timeout=http_timeout(),
        )
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        # Nothing left this machine: always safe to try again later.
        raise ConnectorError(
            _("Could not reach the network: %(error)s")
            % {"error": f"{exc.__class__.__name__}: {exc}"}
        ) from exc
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        raise ConnectorError(
            _("No answer from the network after sending: %(error)s")
            % {"error": f"{exc.__class__.__name__}: {exc}"},
            ambiguous=not repeatable,
        ) from exc


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """`Retry-After` in seconds (delta-seconds or an HTTP date), else None."""
    raw = headers.get("Retry-After", "").strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def error_from_response(
    response: httpx.Response, reason: str, *, idempotent: bool = False
) -> ConnectorError:
    """The usual meaning of an HTTP error status, with the network's own `reason`.

    401: the token is no longer accepted -> reconnect. 429: wait (Retry-After honoured).
    502/504: a gateway gave up waiting for the network, which may have acted -> ambiguous.
    Other 5xx: transient. Other 4xx: permanent, the network's reason shown to the user.
    """
    status = response.status_code
    message = f"HTTP {status}: {reason}" if reason else f"HTTP {status}"
    if status == 401:
        return ConnectorError(message, needs_reconnect=True, status_code=status)
    if status == 429:
        return ConnectorError(
            message, retry_after=retry_after_seconds(response.headers), status_code=status
        )
    if status in (502, 504):
        return ConnectorError(message, ambiguous=not idempotent, status_code=status)
    if status >= 500 or status == 408:
        return ConnectorError(message, status_code=status)
    return ConnectorError(message, permanent=True, status_code=status)


# --- reading the networks' answers ----------------------------------------------------------


def unreadable(response: httpx.Response) -> ConnectorError:
    """The error for an answer that is not the JSON the network documents."""
    return ConnectorError(
        _("The network answered HTTP %(status)s with something Maillage cannot read.")
        % {"status": response.status_code}
    )


def response_json(response: httpx.Response) -> Any:
    """The answer's JSON, whatever its shape (Mastodon answers lists too)."""
    try:
        return response.json()
    except ValueError as exc:
        raise unreadable(response) from exc


def response_object(response: httpx.Response) -> dict[str, Any]:
    """The answer's JSON object; anything else is unreadable."""
    body = response_json(response)
    if not isinstance(body, dict):
        raise unreadable(response)
    return body


def iso_datetime(raw: object) -> datetime:
    """An ISO 8601 time as the networks write it (`Z` or an offset); one without is UTC."""
    value = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)

"""The one HTTP seam of every connector: httpx's pooled transport, which tests can replace.

Failures are classified here once: an error while connecting means nothing was sent (safe to
retry); an error or timeout after the request went out is ambiguous for a request that
changes something, because the network may have acted on it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache
from typing import Any
from urllib.request import getproxies, proxy_bypass

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from maillage.connectors.registry import ConnectorError

USER_AGENT = "Maillage (+https://maillage.org)"
# What httpx's client would send by default, minus cookies and redirects, which no network
# API here needs.
DEFAULT_HEADERS = {
    "User-Agent": USER_AGENT,
    "Accept": "*/*",
    "Accept-Encoding": "gzip, deflate",
    "Connection": "keep-alive",
}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100)

_lock = threading.Lock()
# Entered around each request's exchange: see `http_calls_through`.
_gate: ContextVar[AbstractContextManager[Any] | None] = ContextVar("http_gate", default=None)
# One pooled transport per proxy ("" for a direct connection); httpcore's pool is thread-safe.
_transports: dict[str, httpx.BaseTransport] = {}
_replaced: httpx.BaseTransport | None = None


@cache
def _proxies() -> dict[str, str]:
    """The proxies the environment names (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY), read once."""
    return {scheme: url for scheme, url in getproxies().items() if scheme != "no"}


@lru_cache(maxsize=256)
def _proxy_for(scheme: str, host: str) -> str:
    proxies = _proxies()
    if not proxies or proxy_bypass(host):
        return ""
    return proxies.get(scheme) or proxies.get("all", "")


def _transport_for(url: httpx.URL) -> httpx.BaseTransport:
    if _replaced is not None:
        return _replaced
    proxy = _proxy_for(url.scheme, url.host)
    with _lock:
        transport = _transports.get(proxy)
        if transport is None:
            transport = _transports[proxy] = httpx.HTTPTransport(
                # Small requests go out at once (Nagle would hold a body behind its headers).
                socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
                limits=LIMITS,
                proxy=proxy or None,
            )
        return transport


@contextmanager
def http_transport_replaced(transport: httpx.BaseTransport) -> Iterator[None]:
    """Route every connector request through `transport` (tests: httpx.MockTransport)."""
    global _replaced
    with _lock:
        previous, _replaced = _replaced, transport
    try:
        yield
    finally:
        with _lock:
            _replaced = previous


@contextmanager
def http_calls_through(gate: AbstractContextManager[Any] | None) -> Iterator[None]:
    """Each request sent in this block (in this thread) holds `gate` from the moment it
    leaves until its answer is read: the publish worker's limit on calls in flight (a
    semaphore). Building a request and reading its answer hold nothing, so the places are
    spent on the networks alone."""
    token = _gate.set(gate)
    try:
        yield
    finally:
        _gate.reset(token)


def http_timeout() -> dict[str, float]:
    connect = float(settings.CONNECTOR_CONNECT_TIMEOUT)
    read = float(settings.CONNECTOR_READ_TIMEOUT)
    return {"connect": connect, "read": read, "write": read, "pool": connect}


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

    The request goes straight to the pooled transport rather than through `httpx.Client`:
    the client's layers (auth flow, redirects, cookies, header merging) cost the publish
    worker a third of each call's CPU and none of them is used.
    """
    method = method.upper()
    repeatable = method in SAFE_METHODS if idempotent is None else idempotent
    try:
        request = httpx.Request(
            method,
            url,
            params=params,
            headers={**DEFAULT_HEADERS, **headers} if headers else DEFAULT_HEADERS,
            data=data,
            content=content,
            json=json,
            files=files,
            extensions={"timeout": http_timeout()},
        )
        transport = _transport_for(request.url)
        with _gate.get() or nullcontext():
            response = transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
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
    response.request = request
    return response


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

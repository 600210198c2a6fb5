"""The connectors' one HTTP seam: what every request carries, and the proxy it goes through."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from maillage.connectors import http
from maillage.connectors.http import (
    USER_AGENT,
    http_calls_through,
    http_request,
    http_transport_replaced,
)
from maillage.connectors.registry import ConnectorError


@pytest.fixture
def environment_proxies(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    http._proxies.cache_clear()
    http._proxy_for.cache_clear()
    yield
    http._proxies.cache_clear()
    http._proxy_for.cache_clear()


def test_a_request_carries_maillage_user_agent_the_callers_headers_and_the_timeouts() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"id": "1"})

    with http_transport_replaced(httpx.MockTransport(answer)):
        response = http_request(
            "post",
            "https://api.example/posts",
            headers={"Authorization": "Bearer t"},
            params={"fields": "id"},
            json={"text": "Bonjour"},
        )

    assert response.status_code == 201 and response.json() == {"id": "1"}
    assert response.request is seen[0]
    request = seen[0]
    assert request.method == "POST"
    assert str(request.url) == "https://api.example/posts?fields=id"
    assert request.headers["User-Agent"] == USER_AGENT
    assert request.headers["Authorization"] == "Bearer t"
    assert request.extensions["timeout"]["read"] > 0


def test_a_network_that_cannot_be_reached_is_a_safe_retry() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    refusing = http_transport_replaced(httpx.MockTransport(refuse))
    with refusing, pytest.raises(ConnectorError) as caught:
        http_request("POST", "https://api.example/posts", json={})
    assert not caught.value.ambiguous


def test_no_answer_after_sending_a_post_is_ambiguous_but_not_for_a_read() -> None:
    def hang(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with http_transport_replaced(httpx.MockTransport(hang)):
        with pytest.raises(ConnectorError) as posting:
            http_request("POST", "https://api.example/posts", json={})
        with pytest.raises(ConnectorError) as reading:
            http_request("GET", "https://api.example/posts")
    assert posting.value.ambiguous
    assert not reading.value.ambiguous


@pytest.mark.usefixtures("environment_proxies")
def test_requests_go_through_the_environments_proxy_except_for_hosts_it_exempts() -> None:
    assert http._proxy_for("https", "api.linkedin.com") == "http://proxy.example:3128"
    assert http._proxy_for("https", "intranet.example") == ""
    # No proxy named for plain HTTP (the loopback fake network, say).
    assert http._proxy_for("http", "127.0.0.1") == ""


class Gate:
    """A stand-in for the worker's semaphore: counts who holds it."""

    def __init__(self) -> None:
        self.held = 0
        self.entered = 0

    def __enter__(self) -> None:
        self.held += 1
        self.entered += 1

    def __exit__(self, *exc: object) -> None:
        self.held -= 1


def test_each_exchange_holds_the_callers_gate_and_nothing_else_does() -> None:
    gate = Gate()
    seen: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(gate.held)
        return httpx.Response(200, json={"id": "1"})

    with http_transport_replaced(httpx.MockTransport(answer)):
        with http_calls_through(gate):
            assert gate.held == 0
            http_request("POST", "https://example.test/a", json={"status": "Bonjour"})
            assert gate.held == 0
            http_request("GET", "https://example.test/b")
        http_request("GET", "https://example.test/c")
    # Held during the two exchanges inside the block, released after each, unused outside.
    assert seen == [1, 1, 0]
    assert gate.entered == 2


def test_a_failed_exchange_gives_the_gate_back() -> None:
    gate = Gate()

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with (
        http_transport_replaced(httpx.MockTransport(refuse)),
        http_calls_through(gate),
        pytest.raises(ConnectorError),
    ):
        http_request("POST", "https://example.test/a", json={})
    assert (gate.entered, gate.held) == (1, 0)

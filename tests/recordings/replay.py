"""Replay a recorded exchange at the connectors' one HTTP seam (tests/recordings/README.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from maillage.connectors.http import http_transport_replaced

HERE = Path(__file__).resolve().parent


def recording(network: str, name: str, **values: str) -> dict[str, Any]:
    """Load `<network>/<name>.json`, replacing `{key}` placeholders with `values`."""
    text = (HERE / network / f"{name}.json").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _form(request: httpx.Request) -> dict[str, list[str]]:
    content_type = request.headers.get("content-type", "")
    body = request.read()
    if content_type.startswith("application/x-www-form-urlencoded"):
        return parse_qs(body.decode("utf-8"), keep_blank_values=True)
    if content_type.startswith("multipart/form-data"):
        # Enough for the text fields of a multipart body: name="x"\r\n\r\nvalue\r\n.
        fields: dict[str, list[str]] = {}
        for chunk in body.split(b"\r\n--"):
            head, _, value = chunk.partition(b"\r\n\r\n")
            if b"filename=" in head or b'name="' not in head:
                continue
            name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
            fields.setdefault(name, []).append(value.rsplit(b"\r\n", 1)[0].decode("utf-8"))
        return fields
    return {}


class Replay:
    """A transport that checks each request against the next recorded one and answers it."""

    def __init__(self, record: dict[str, Any]) -> None:
        self.exchanges: list[dict[str, Any]] = list(record["exchanges"])
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert self.exchanges, f"unexpected request {request.method} {request.url}"
        exchange = self.exchanges.pop(0)
        expected = exchange["request"]
        self.seen.append(request)
        assert request.method == expected["method"], (request.method, expected)
        assert request.url.path == expected["path"], (request.url.path, expected)
        for name, value in expected.get("headers", {}).items():
            assert request.headers.get(name) == value, (name, request.headers.get(name))
        query = parse_qs(request.url.query.decode())
        for name, value in expected.get("query", {}).items():
            assert query.get(name) == [value], (name, query.get(name))
        form = _form(request)
        for name, value in expected.get("form", {}).items():
            assert value in form.get(name, []), (name, form.get(name))
        if "raise" in exchange:
            raise getattr(httpx, exchange["raise"])("recorded failure", request=request)
        answer = exchange["response"]
        if "text" in answer:
            return httpx.Response(
                answer["status"], headers=answer.get("headers"), text=answer["text"]
            )
        return httpx.Response(
            answer["status"], headers=answer.get("headers"), json=answer.get("json")
        )

    @property
    def done(self) -> bool:
        return not self.exchanges


@contextmanager
def replayed(network: str, name: str, **values: str) -> Iterator[Replay]:
    """Every connector request in the block is answered from the recording, in order."""
    replay = Replay(recording(network, name, **values))
    with http_transport_replaced(httpx.MockTransport(replay)):
        yield replay

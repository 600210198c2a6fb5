"""A small writer of Bluesky repository exports (`repo.car`), as a PDS streams `getRepo`.

A CARv1 file: a varint-framed DAG-CBOR header naming one root, then blocks framed as
`varint(length) + CID + bytes`. The root is the commit `{did, version: 3, data, rev, prev,
sig}`; `data` is the root of the Merkle Search Tree of `collection/rkey` keys, whose nodes are
`{l, e: [{p, k, v, t}]}` with each key compressed against the previous key of its node. CIDs are
v1, dag-cbor, sha2-256, as in every repository. The demo's signature is random bytes: nothing
checks it on import, and no key exists for a fictional account anyway.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import libipld

DAG_CBOR = 0x71
SHA2_256 = 0x12
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _varint(number: int) -> bytes:
    """Unsigned LEB128, CAR's frame length."""
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | 0x80 if number else low)
        if not number:
            return bytes(out)


def cid_of(data: bytes) -> bytes:
    """The binary CIDv1 (dag-cbor, sha2-256) of a block."""
    return bytes((1, DAG_CBOR, SHA2_256, 32)) + hashlib.sha256(data).digest()


def cid_text(cid: bytes) -> str:
    """A CID as records quote it in a strongRef (`bafyrei…`: multibase base32, lower case)."""
    return "b" + base64.b32encode(cid).decode("ascii").lower().rstrip("=")


def block(value: Any) -> tuple[bytes, bytes]:
    """(CID, bytes) of a value in DAG-CBOR; `libipld` writes binary CIDs as links."""
    data = libipld.encode_dag_cbor(value)
    return cid_of(data), data


def tid(moment: datetime, clock: int = 0) -> str:
    """A record key (and a commit `rev`): microseconds since 1970 and a clock id, in base32."""
    value = ((moment - EPOCH) // timedelta(microseconds=1)) << 10 | (clock & 0x3FF)
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


def _layer(key: str) -> int:
    """A key's tree layer: the leading zero bits of its sha2-256, two at a time (fanout 4)."""
    zeros = 0
    for byte in hashlib.sha256(key.encode("ascii")).digest():
        if byte:
            return (zeros + 8 - byte.bit_length()) // 2
        zeros += 8
    return zeros // 2


def _tree(entries: Mapping[str, bytes]) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    """(root CID, node blocks, root first) of the Merkle Search Tree of `key -> record CID`."""
    layers = {key: _layer(key) for key in entries}
    nodes: list[tuple[bytes, bytes]] = []

    def node(keys: list[str], layer: int) -> bytes:
        # Keys of this layer split the node; the keys between two of them form a subtree one
        # layer down, linked from the left one's `t` (or the node's `l` before the first).
        left: bytes | None = None
        here: list[dict[str, Any]] = []
        pending: list[str] = []
        for key in [*keys, ""]:
            if key and layers[key] < layer:
                pending.append(key)
                continue
            below = node(pending, layer - 1) if pending else None
            if here:
                here[-1]["t"] = below
            else:
                left = below
            pending = []
            if key:
                here.append({"k": key, "v": entries[key], "t": None})
        previous = b""
        written = []
        for entry in here:
            raw = entry["k"].encode("ascii")
            shared = 0
            while shared < min(len(raw), len(previous)) and raw[shared] == previous[shared]:
                shared += 1
            written.append({"p": shared, "k": raw[shared:], "v": entry["v"], "t": entry["t"]})
            previous = raw
        cid, data = block({"l": left, "e": written})
        nodes.append((cid, data))
        return cid

    top = max(layers.values(), default=0)
    root = node(sorted(entries), top)
    # Built bottom-up; a PDS streams the tree from its root down.
    return root, nodes[::-1]


def repo_car(did: str, records: Mapping[str, Any], rev: str, signature: bytes) -> bytes:
    """A whole `repo.car` holding `records` (`collection/rkey` -> record value)."""
    record_blocks = [block(value) for value in records.values()]
    cids = {key: cid for key, (cid, _data) in zip(records, record_blocks, strict=True)}
    root, nodes = _tree(cids)
    commit = {"did": did, "version": 3, "data": root, "rev": rev, "prev": None, "sig": signature}
    commit_cid, commit_data = block(commit)
    return _car(commit_cid, [(commit_cid, commit_data), *nodes, *record_blocks])


def _car(root: bytes, blocks: Iterable[tuple[bytes, bytes]]) -> bytes:
    header = libipld.encode_dag_cbor({"version": 1, "roots": [root]})
    parts = [_varint(len(header)), header]
    for cid, data in blocks:
        parts += [_varint(len(cid) + len(data)), cid, data]
    return b"".join(parts)

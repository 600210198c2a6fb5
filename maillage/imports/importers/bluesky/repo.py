"""A Bluesky repository export (`repo.car`): CARv1 framing, the commit, and its Merkle Search Tree.

The CAR framing (varint lengths and binary CIDs) is read here; every block is decoded by
`libipld`, the strict DAG-CBOR decoder the `atproto` package is built on. `atproto`'s own
`CAR.from_bytes` is not used because (checked on atproto 0.0.73 / libipld 3.5):

- it never checks that a block's bytes hash to its CID, and does not expose the bytes to check;
- one undecodable block makes it refuse the whole file, where one damaged record should only
  cost that record;
- it wraps every CID in an object hashed through its base32 form: decoding and looking up the
  blocks of a 100,000-record repository took 1.5 s that way, 0.6 s here (hashes checked).

Blocks are located in one pass and decoded lazily, when the tree walk reaches them; each one is
checked against its sha2-256 CID first. Nothing from `libipld` escapes: every failure becomes
`RepoUnreadable` (the whole file) or `BlockProblem` (one block).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import libipld
from django.utils.translation import gettext as _

# Binary CIDs as repositories hold them: version 1, dag-cbor (0x71), sha2-256 (0x12), 32 bytes.
CID_PREFIX = b"\x01\x71\x12\x20"
CID_LENGTH = len(CID_PREFIX) + 32
# Commit versions whose tree format is the one read here (2: 2023 repositories, 3: current).
VERSIONS = frozenset({2, 3})
# What record paths (`collection/rkey`) and DIDs may hold, per the atproto specifications: keys
# with anything else (spaces, NUL, non-ASCII) were not written by a Bluesky server.
KEY_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:~-/"
DID_BYTES = KEY_BYTES.replace(b"/", b"%")
# A CAR header is a few dozen bytes; a huge announced length means the file is something else.
HEADER_MAX = 1 << 16


def export_again() -> str:
    return _("Export your data again from Bluesky (Settings > Account > Export my data).")


class RepoUnreadable(Exception):
    """The file cannot be used as a whole; `message` says what is wrong and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BlockProblem(Exception):
    """One block is absent, damaged or not DAG-CBOR (`reason`: MISSING, TAMPERED, UNDECODABLE)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


MISSING, TAMPERED, UNDECODABLE = "missing", "checksum", "undecodable"


def _varint(data: bytes, position: int) -> tuple[int, int]:
    """(value, next position) of the unsigned LEB128 number at `position`."""
    value = shift = 0
    while True:
        try:
            byte = data[position]
        except IndexError:
            raise ValueError("varint runs past the end") from None
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _header(data: bytes) -> tuple[list[Any], int]:
    """The roots listed in the CAR header, and where the first block starts."""
    not_car = RepoUnreadable(
        _(
            "This file is not a Bluesky repository export (a .car file): its first bytes are not "
            "a CAR header. %(what_to_do)s"
        )
        % {"what_to_do": export_again()}
    )
    try:
        length, start = _varint(data, 0)
    except ValueError:
        raise not_car from None
    if not 0 < length <= HEADER_MAX or start + length > len(data):
        raise not_car
    try:
        header = libipld.decode_dag_cbor(data[start : start + length])
    except Exception:  # libipld raises ValueError, RecursionError...: all mean "not a CAR".
        raise not_car from None
    if not isinstance(header, dict) or header.get("version") != 1:
        raise not_car
    roots = header.get("roots")
    if not isinstance(roots, list) or not roots:
        raise not_car
    return roots, start + length


def _blocks(data: bytes, position: int) -> dict[bytes, tuple[int, int]]:
    """Where each block's bytes lie, by binary CID; a frame cut short means a truncated file."""
    spans: dict[bytes, tuple[int, int]] = {}
    end_of_data = len(data)
    varint = _varint
    while position < end_of_data:
        try:
            length, start = varint(data, position)
        except ValueError:
            raise _truncated() from None
        end = start + length
        if end > end_of_data:
            raise _truncated()
        cid = data[start : start + CID_LENGTH]
        if length < CID_LENGTH or cid[:4] != CID_PREFIX:
            # Repositories only hold dag-cbor blocks hashed with sha2-256; any other CID is
            # skipped (left unreachable) rather than guessed at.
            position = end
            continue
        # The first copy of a block wins, as in every CAR reader.
        spans.setdefault(cid, (start + CID_LENGTH, end))
        position = end
    return spans


def _truncated() -> RepoUnreadable:
    return RepoUnreadable(
        _(
            "This Bluesky export is incomplete: the file stops in the middle of its content. "
            "The download was probably interrupted. %(what_to_do)s"
        )
        % {"what_to_do": export_again()}
    )


def _damaged_tree() -> RepoUnreadable:
    return RepoUnreadable(
        _(
            "This Bluesky export is damaged: the index of its records (the repository tree) "
            "cannot be read, so Maillage cannot tell which records it holds. %(what_to_do)s"
        )
        % {"what_to_do": export_again()}
    )


@dataclass(slots=True)
class Commit:
    did: str
    version: int
    data: bytes
    rev: str


class Repository:
    """One repo.car: the commit it is rooted at, and its records in key order (`walk`)."""

    def __init__(self, data: bytes) -> None:
        roots, position = _header(data)
        self._data = data
        self._spans = _blocks(data, position)
        self.blocks = len(self._spans)
        self.commit = self._commit(roots[0])

    def block(self, cid: Any) -> Any:
        """The decoded block a link points to; raises BlockProblem if absent or damaged."""
        span = self._spans.get(cid) if isinstance(cid, bytes) else None
        if span is None:
            raise BlockProblem(MISSING)
        raw = self._data[span[0] : span[1]]
        if hashlib.sha256(raw).digest() != cid[4:]:
            raise BlockProblem(TAMPERED)
        try:
            return libipld.decode_dag_cbor(raw)
        except Exception:  # any decoder failure is this block's, never the caller's
            raise BlockProblem(UNDECODABLE) from None

    def _commit(self, root: Any) -> Commit:
        try:
            value = self.block(root)
        except BlockProblem as problem:
            if problem.reason == MISSING:
                raise RepoUnreadable(
                    _(
                        "This Bluesky export has no commit (the signed block that says whose "
                        "repository it is and where its records start). %(what_to_do)s"
                    )
                    % {"what_to_do": export_again()}
                ) from None
            raise RepoUnreadable(
                _("This Bluesky export's commit block is damaged. %(what_to_do)s")
                % {"what_to_do": export_again()}
            ) from None
        did = value.get("did") if isinstance(value, dict) else None
        version = value.get("version") if isinstance(value, dict) else None
        data = value.get("data") if isinstance(value, dict) else None
        if (
            not isinstance(did, str)
            or not did.startswith("did:")
            or not did.isascii()
            or did.encode().translate(None, DID_BYTES)
            or not isinstance(data, bytes)
            or not data.startswith(CID_PREFIX)
        ):
            raise RepoUnreadable(
                _(
                    "This file's root block is not a Bluesky repository commit (no account "
                    "identifier or no records). %(what_to_do)s"
                )
                % {"what_to_do": export_again()}
            )
        if version not in VERSIONS:
            raise RepoUnreadable(
                _(
                    "This Bluesky export uses repository version %(version)s, which Maillage "
                    "does not read (it reads versions 2 and 3). %(what_to_do)s"
                )
                % {"version": version, "what_to_do": export_again()}
            )
        rev = value.get("rev")
        return Commit(did=did, version=version, data=data, rev=rev if isinstance(rev, str) else "")

    def _node(self, cid: bytes) -> tuple[Any, list[tuple[str, bytes, Any]]]:
        """(left subtree, [(full key, record CID, right subtree)]) of one tree node."""
        try:
            node = self.block(cid)
        except BlockProblem:
            raise _damaged_tree() from None
        if not isinstance(node, dict):
            raise _damaged_tree()
        left, entries = node.get("l"), node.get("e")
        if not isinstance(entries, list) or not (left is None or isinstance(left, bytes)):
            raise _damaged_tree()
        previous = b""
        found: list[tuple[str, bytes, Any]] = []
        for entry in entries:
            if not isinstance(entry, dict):
                raise _damaged_tree()
            shared, rest, value, right = (
                entry.get("p"),
                entry.get("k"),
                entry.get("v"),
                entry.get("t"),
            )
            if (
                not isinstance(shared, int)
                or not 0 <= shared <= len(previous)
                or not isinstance(rest, bytes)
                or not isinstance(value, bytes)
                or not (right is None or isinstance(right, bytes))
            ):
                raise _damaged_tree()
            # Keys are compressed against the previous key of the same node.
            raw = previous[:shared] + rest
            if raw.translate(None, KEY_BYTES) or raw.count(b"/") != 1:
                raise _damaged_tree()
            found.append((raw.decode("ascii"), value, right))
            previous = raw
        return left, found

    def walk(self) -> Iterator[tuple[str, bytes]]:
        """(`collection/rkey`, record CID) for every record, in key order.

        Iterative, and each node is visited once: a hostile file cannot loop or overflow the
        stack. Keys must come out strictly increasing, as in any valid tree.
        """
        visited: set[bytes] = set()
        previous = ""
        # Items: a node's CID (bytes) to expand, or a (key, record CID) pair to yield.
        stack: list[Any] = [self.commit.data]
        while stack:
            item = stack.pop()
            if type(item) is tuple:
                key = item[0]
                if key <= previous:
                    raise _damaged_tree()
                previous = key
                yield item
                continue
            if item in visited:
                raise _damaged_tree()
            visited.add(item)
            left, entries = self._node(item)
            for key, value, right in reversed(entries):
                if right is not None:
                    stack.append(right)
                stack.append((key, value))
            if left is not None:
                stack.append(left)

"""Bluesky `repo.car` files built the way a PDS writes them, written into tmp_path.

A repository export is a CARv1 file: a header naming one root (the signed commit), then blocks
of DAG-CBOR, each addressed by its CID (v1, dag-cbor codec, sha2-256). The commit's `data` is
the root of a Merkle Search Tree whose keys are `collection/rkey`; tree nodes compress each key
against the previous one in the node. Everything here follows the CAR v1 and atproto repository
specifications; nothing is copied from a real export.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import libipld

DID = "did:plc:m4r13tr3mbl4yqcbsky7x2ab"
JEAN = "did:plc:j34ng4gn0nd3sj4rd1ns5abc"
SAMIR = "did:plc:s4m1rr0yc0nsu1t4nt3q2xyz"
ZOE = "did:web:zoe-fortin.example"

DAG_CBOR = 0x71
RAW = 0x55
SHA2_256 = 0x12
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# The instant the realistic repository was exported (its commit's `rev`).
EXPORTED_AT = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)


def varint(number: int) -> bytes:
    """Unsigned LEB128, as CAR frames every section."""
    out = bytearray()
    while True:
        low = number & 0x7F
        number >>= 7
        if number:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def cid_for(data: bytes, codec: int = DAG_CBOR) -> bytes:
    """The binary CIDv1 of a block: version, codec, then the sha2-256 multihash."""
    return bytes([1, codec, SHA2_256, 32]) + hashlib.sha256(data).digest()


def block(value: Any) -> tuple[bytes, bytes]:
    """(cid, bytes) of a value encoded as DAG-CBOR; binary CIDs inside become links."""
    data = libipld.encode_dag_cbor(value)
    return cid_for(data), data


def blob_link(content: bytes) -> dict[str, Any]:
    """An image reference as records hold it: the blob itself never is in repo.car."""
    return {"$type": "blob", "ref": cid_for(content, RAW), "mimeType": "image/jpeg", "size": 1234}


def tid(moment: datetime, clock: int = 0) -> str:
    """A record key as Bluesky makes them: microseconds since 1970 and a clock id, base32."""
    micros = (moment - EPOCH) // timedelta(microseconds=1)
    value = (micros << 10) | clock
    chars = []
    for _ in range(13):
        chars.append(TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def key_layer(key: str) -> int:
    """An MST key's layer: leading zero bits of its sha2-256, counted two at a time."""
    zeros = 0
    for byte in hashlib.sha256(key.encode()).digest():
        if byte:
            zeros += 8 - byte.bit_length()
            break
        zeros += 8
    return zeros // 2


def _shared_prefix(a: bytes, b: bytes) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


@dataclass
class Tree:
    """The MST of a set of keys: its root CID, its node blocks, and how many layers it has."""

    root: bytes
    blocks: list[tuple[bytes, bytes]] = field(default_factory=list)
    layers: int = 1
    nodes: int = 0
    compressed: int = 0


def mst_build(entries: Mapping[str, bytes]) -> Tree:
    """Build the Merkle Search Tree of `key -> record CID` exactly as the repository spec says."""
    tree = Tree(root=b"")
    layers = {key: key_layer(key) for key in entries}
    top = max(layers.values(), default=0)

    def node(items: Sequence[str], layer: int) -> bytes:
        left: bytes | None = None
        here: list[list[Any]] = []
        pending: list[str] = []
        for key in items:
            if layers[key] == layer:
                sub = node(pending, layer - 1) if pending else None
                if here:
                    here[-1][2] = sub
                else:
                    left = sub
                here.append([key, entries[key], None])
                pending = []
            else:
                pending.append(key)
        if pending:
            sub = node(pending, layer - 1)
            if here:
                here[-1][2] = sub
            else:
                left = sub
        previous = b""
        compressed = []
        for key, value, right in here:
            raw = key.encode()
            shared = _shared_prefix(previous, raw)
            tree.compressed += shared > 0
            compressed.append({"p": shared, "k": raw[shared:], "v": value, "t": right})
            previous = raw
        cid, data = block({"l": left, "e": compressed})
        tree.blocks.append((cid, data))
        tree.nodes += 1
        return cid

    tree.root = node(sorted(entries), top)
    tree.layers = top + 1
    return tree


def car(roots: Sequence[bytes], blocks: Iterable[tuple[bytes, bytes]]) -> bytes:
    """CARv1 framing: varint-prefixed header {version, roots}, then varint(len) + cid + data."""
    header = libipld.encode_dag_cbor({"version": 1, "roots": list(roots)})
    parts = [varint(len(header)), header]
    for cid, data in blocks:
        parts += [varint(len(cid) + len(data)), cid, data]
    return b"".join(parts)


@dataclass
class Built:
    """A repository export and the pieces tests look inside."""

    data: bytes
    commit: bytes
    tree: Tree
    record_cids: dict[str, bytes]


def repo_build(
    records: Mapping[str, Any],
    did: str = DID,
    rev: str | None = None,
    version: int = 3,
    broken: Mapping[str, bytes] | None = None,
    commit_extra: Mapping[str, Any] | None = None,
) -> Built:
    """A repo.car holding `records` ("collection/rkey" -> value).

    `broken` gives raw bytes to store for some keys instead of their encoded record (the CID is
    still the hash of the bytes written, so only decoding them fails).
    """
    blocks: list[tuple[bytes, bytes]] = []
    cids: dict[str, bytes] = {}
    for key, value in records.items():
        cid, data = block(value)
        cids[key] = cid
        blocks.append((cid, data))
    for key, data in (broken or {}).items():
        cids[key] = cid_for(data)
        blocks.append((cids[key], data))
    tree = mst_build(cids)
    commit_value: dict[str, Any] = {
        "did": did,
        "version": version,
        "data": tree.root,
        "rev": rev if rev is not None else tid(EXPORTED_AT),
        "prev": None,
        "sig": b"\x00" * 64,
    }
    commit_value.update(commit_extra or {})
    commit_cid, commit_data = block(commit_value)
    # Commit first, then the tree top-down, then records: the order getRepo streams them in.
    ordered = [(commit_cid, commit_data), *reversed(tree.blocks), *blocks]
    return Built(car([commit_cid], ordered), commit_cid, tree, cids)


def repo_car(records: Mapping[str, Any], **options: Any) -> bytes:
    return repo_build(records, **options).data


# --- records as the Bluesky app writes them ----------------------------------------------


def at_uri(did: str, collection: str, rkey: str) -> str:
    return f"at://{did}/{collection}/{rkey}"


def strong_ref(did: str, collection: str, rkey: str) -> dict[str, str]:
    # A strongRef's `cid` is a string in records (lexicon format "cid"), not a link.
    return {
        "uri": at_uri(did, collection, rkey),
        "cid": "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm",
    }


def when(day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def post(text: str, created_at: str, **extra: Any) -> dict[str, Any]:
    return {"$type": "app.bsky.feed.post", "text": text, "createdAt": created_at, **extra}


def subject_record(kind: str, subject: dict[str, str], created_at: str) -> dict[str, Any]:
    return {"$type": f"app.bsky.feed.{kind}", "subject": subject, "createdAt": created_at}


def follow(did: str, created_at: str) -> dict[str, Any]:
    return {"$type": "app.bsky.graph.follow", "subject": did, "createdAt": created_at}


def link_facet(uri: str, start: int, end: int) -> dict[str, Any]:
    return {
        "index": {"byteStart": start, "byteEnd": end},
        "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
    }


def mention_facet(did: str) -> dict[str, Any]:
    return {
        "index": {"byteStart": 0, "byteEnd": 5},
        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
    }


# Record keys of the realistic repository, fixed so tests can name them.
FIRST = tid(when(2, 9))
THREAD = tid(when(2, 9, 1))
REPLY = tid(when(3, 10))
QUOTE = tid(when(4, 11))
QUOTE_MEDIA = tid(when(5, 8))
LINKED = tid(when(6, 15))
FACETED = tid(when(7, 16))
PHOTO = tid(when(8, 17))
LIKE = tid(when(9, 8))
REPOST = tid(when(10, 9))
FOLLOW_JEAN = tid(when(11, 10))
FOLLOW_ZOE = tid(when(12, 10))
JEAN_POST = "3lbx2abcdq22k"

POST = "app.bsky.feed.post"


def realistic_records() -> dict[str, Any]:
    """A member's repository: posts of every kind, likes, reposts, follows, a profile, and
    records other applications keep in the same repository."""
    own_first = strong_ref(DID, POST, FIRST)
    jean_post = strong_ref(JEAN, POST, JEAN_POST)
    return {
        f"{POST}/{FIRST}": post(
            "Bonjour Bluesky ! Premier message du cercle.",
            "2026-11-02T09:00:00.000Z",
            langs=["fr", "en"],
        ),
        # The owner continues their own thread: a reply whose parent is their own post.
        f"{POST}/{THREAD}": post(
            "Suite du fil.",
            "2026-11-02T09:01:00.123456Z",
            langs=["fr"],
            reply={"root": own_first, "parent": own_first},
        ),
        f"{POST}/{REPLY}": post(
            "Bravo Jean, belle conférence.",
            "2026-11-03T05:00:00-05:00",
            langs=["fr-CA"],
            reply={"root": jean_post, "parent": jean_post},
            facets=[mention_facet(JEAN)],
        ),
        f"{POST}/{QUOTE}": post(
            "À lire absolument.",
            "2026-11-04T11:00:00Z",
            embed={"$type": "app.bsky.embed.record", "record": jean_post},
        ),
        f"{POST}/{QUOTE_MEDIA}": post(
            "Avec photo.",
            "2026-11-05T08:00:00.5Z",
            embed={
                "$type": "app.bsky.embed.recordWithMedia",
                "record": {"$type": "app.bsky.embed.record", "record": jean_post},
                "media": {
                    "$type": "app.bsky.embed.images",
                    "images": [{"alt": "", "image": blob_link(b"photo-1")}],
                },
            },
        ),
        f"{POST}/{LINKED}": post(
            "Notre article sur la vente sociale",
            "2026-11-06T15:00:00.000000000Z",
            langs=["fr"],
            embed={
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": "https://maillage.example/vente-sociale",
                    "title": "La vente sociale",
                    "description": "",
                    "thumb": blob_link(b"thumb-1"),
                },
            },
        ),
        f"{POST}/{FACETED}": post(
            "Voir maillage.example/guide et la suite",
            "2026-11-07T16:00:00.000Z",
            langs=["en"],
            facets=[
                mention_facet(SAMIR),
                link_facet("https://maillage.example/guide", 5, 27),
                link_facet("https://maillage.example/second", 31, 38),
            ],
        ),
        f"{POST}/{PHOTO}": post(
            "",
            "2026-11-08T17:00:00.000Z",
            embed={
                "$type": "app.bsky.embed.images",
                "images": [{"alt": "Salle comble", "image": blob_link(b"photo-2")}],
            },
        ),
        f"app.bsky.feed.like/{LIKE}": subject_record("like", jean_post, "2026-11-09T08:00:00Z"),
        f"app.bsky.feed.repost/{REPOST}": subject_record(
            "repost", jean_post, "2026-11-10T09:00:00.000Z"
        ),
        f"app.bsky.graph.follow/{FOLLOW_JEAN}": follow(JEAN, "2026-11-11T10:00:00.000Z"),
        f"app.bsky.graph.follow/{FOLLOW_ZOE}": follow(ZOE, "2026-11-12T10:00:00+00:00"),
        "app.bsky.actor.profile/self": {
            "$type": "app.bsky.actor.profile",
            "displayName": "Marie Tremblay",
            "description": "Directrice des ventes, Québec.\nVente sociale et mentorat.",
            "avatar": blob_link(b"avatar"),
        },
        # Other applications and features share the repository: never imported.
        f"app.bsky.graph.block/{tid(when(13))}": {
            "$type": "app.bsky.graph.block",
            "subject": SAMIR,
            "createdAt": "2026-11-13T12:00:00Z",
        },
        "chat.bsky.actor.declaration/self": {
            "$type": "chat.bsky.actor.declaration",
            "allowIncoming": "following",
        },
        f"com.whtwnd.blog.entry/{tid(when(14))}": {
            "$type": "com.whtwnd.blog.entry",
            "content": "# Un billet",
            "createdAt": "2026-11-14T12:00:00Z",
        },
        f"com.whtwnd.blog.entry/{tid(when(15))}": {
            "$type": "com.whtwnd.blog.entry",
            "content": "# Un autre",
            "createdAt": "2026-11-15T12:00:00Z",
        },
        f"fyi.unravel.frontpage.post/{tid(when(16))}": {
            "$type": "fyi.unravel.frontpage.post",
            "title": "Lien",
            "url": "https://example.com",
            "createdAt": "2026-11-16T12:00:00Z",
        },
    }


def many_posts(count: int, start: datetime | None = None) -> dict[str, Any]:
    """`count` dated posts, one a minute, for trees with several layers and big repositories."""
    records: dict[str, Any] = {}
    start = start or when(1)
    for index in range(count):
        moment = start + timedelta(minutes=index)
        stamp = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        records[f"{POST}/{tid(moment)}"] = post(f"Message {index}", stamp, langs=["fr"])
    return records


def export_zip(directory: Path, files: Mapping[str, bytes], name: str = "bluesky.zip") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in files.items():
            archive.writestr(zipfile.ZipInfo(member, date_time=(2026, 11, 29, 9, 0, 0)), content)
    return path


def export_file(directory: Path, content: bytes, name: str = "repo.car") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(content)
    return path


def repo_from_nodes(
    root: Any,
    extra: Sequence[tuple[bytes, bytes]] = (),
    did: str = DID,
    commit: Any = None,
) -> bytes:
    """A repository whose tree is written by hand (hostile shapes): `root` is the root node's
    value, `extra` further blocks (nodes, records) it links to."""
    root_cid, root_data = block(root)
    commit_value = commit
    if commit_value is None:
        commit_value = {
            "did": did,
            "version": 3,
            "data": root_cid,
            "rev": tid(EXPORTED_AT),
            "prev": None,
            "sig": b"\x00" * 64,
        }
    commit_cid, commit_data = block(commit_value)
    return car([commit_cid], [(commit_cid, commit_data), (root_cid, root_data), *extra])


def leaf(*entries: tuple[str, bytes], left: bytes | None = None) -> dict[str, Any]:
    """A tree node without prefix compression (p = 0): enough for hand-written shapes."""
    return {"l": left, "e": [{"p": 0, "k": k.encode(), "v": v, "t": None} for k, v in entries]}

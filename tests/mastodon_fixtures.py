"""Mastodon archive files as Mastodon writes them, quirks included, built into tmp_path.

Activities are built as Python values like Mastodon's serializers emit them (`Create` with an
expanded `Note`, `Announce` with a bare URI); `outbox_json` writes the collection around them,
with the repeated `orderedItems` key some archives have.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

INSTANCE = "https://mastodon.example"
ACTOR_ID = f"{INSTANCE}/users/marie"
FOLLOWERS = f"{ACTOR_ID}/followers"
PROFILE_URL = f"{INSTANCE}/@marie"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
JEAN = "https://autre.example/users/jean"
ARCHIVE_NAME = "archive-20261129143015-5f0c8e6ab1d2c3e4f5a6b7c8d9e0f1a2.zip"
CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    {"ostatus": "http://ostatus.org#", "sensitive": "as:sensitive", "toot": "http://joinmastodon.org/ns#"},
]  # fmt: skip

# (to, cc) as Mastodon addresses each visibility.
AUDIENCE = {
    "public": ([PUBLIC], [FOLLOWERS]),
    "unlisted": ([FOLLOWERS], [PUBLIC]),
    "followers": ([FOLLOWERS], []),
    "direct": ([JEAN], []),
}

# Mastodon's own markup: a mention, a hashtag, a long link in invisible/ellipsis spans.
MENTION_JEAN = (
    '<span class="h-card" translate="no"><a href="https://autre.example/@jean" '
    'class="u-url mention">@<span>jean</span></a></span>'
)
HASHTAG_VENTE = (
    f'<a href="{INSTANCE}/tags/vente" class="mention hashtag" rel="tag">#<span>vente</span></a>'
)
ARTICLE = "https://www.example.com/blogue/prospection-b2b-en-2026"
LINK_ARTICLE = (
    f'<a href="{ARTICLE}" target="_blank" rel="nofollow noopener" translate="no">'
    '<span class="invisible">https://www.</span><span class="ellipsis">example.com/blogue/'
    'prospection</span><span class="invisible">-b2b-en-2026</span></a>'
)
RICH_CONTENT = (
    f"<p>{MENTION_JEAN} Très heureuse d&#39;annoncer notre déjeuner «&nbsp;ventes&nbsp;» 🎉 "
    f"{HASHTAG_VENTE}</p><p>Inscription&nbsp;: {LINK_ARTICLE}<br />Places limitées &amp; "
    "café offert ☕</p>"
)
RICH_TEXT = (
    "@jean Très heureuse d'annoncer notre déjeuner «\xa0ventes\xa0» 🎉 #vente\n\n"
    f"Inscription\xa0: {ARTICLE}\nPlaces limitées & café offert ☕"
)


def status_uri(number: int) -> str:
    return f"{ACTOR_ID}/statuses/{number}"


def note(
    number: int,
    published: str = "2026-11-02T14:30:00Z",
    content: str = "<p>Bonjour le cercle</p>",
    *,
    language: str | None = "fr",
    audience: str = "public",
    in_reply_to: str | None = None,
    attachments: Sequence[str] = (),
    likes: int | None = None,
    shares: int | None = None,
    summary: str | None = None,
    kind: str = "Note",
    **extra: Any,
) -> dict[str, Any]:
    """A `Create` activity with its status, as an outbox item (no @context)."""
    to, cc = AUDIENCE[audience]
    status: dict[str, Any] = {
        "id": status_uri(number),
        "type": kind,
        "summary": summary,
        "inReplyTo": in_reply_to,
        "published": published,
        "url": f"{PROFILE_URL}/{number}",
        "attributedTo": ACTOR_ID,
        "to": to,
        "cc": cc,
        "sensitive": summary is not None,
        "atomUri": status_uri(number),
        "inReplyToAtomUri": in_reply_to,
        "conversation": f"tag:mastodon.example,2026:objectId={number}:objectType=Conversation",
        "content": content,
        "attachment": [
            {
                "type": "Document",
                "mediaType": "image/jpeg",
                "url": path,
                "name": "Photo du déjeuner",
                "blurhash": "UBL_:rOpGG-;~qRjWBay",
                "width": 1200,
                "height": 800,
            }
            for path in attachments
        ],
        "tag": [],
        "replies": {
            "id": f"{status_uri(number)}/replies",
            "type": "Collection",
            "first": {
                "type": "CollectionPage",
                "next": f"{status_uri(number)}/replies?only_other_accounts=true&page=true",
                "partOf": f"{status_uri(number)}/replies",
                "items": [],
            },
        },
    }
    if language is not None:
        status["contentMap"] = {language: content}
    if likes is not None:
        status["likes"] = {
            "id": f"{status_uri(number)}/likes",
            "type": "Collection",
            "totalItems": likes,
        }
    if shares is not None:
        status["shares"] = {
            "id": f"{status_uri(number)}/shares",
            "type": "Collection",
            "totalItems": shares,
        }
    status.update(extra)
    return {
        "id": f"{status_uri(number)}/activity",
        "type": "Create",
        "actor": ACTOR_ID,
        "published": published,
        "to": to,
        "cc": cc,
        "object": status,
    }  # fmt: skip


def poll(number: int, published: str = "2026-11-03T09:00:00Z") -> dict[str, Any]:
    return note(
        number,
        published,
        "<p>Quel jour pour le prochain déjeuner ?</p>",
        kind="Question",
        endTime="2026-11-04T09:00:00Z",
        votersCount=7,
        oneOf=[
            {"type": "Note", "name": "Mardi", "replies": {"type": "Collection", "totalItems": 4}},
            {"type": "Note", "name": "Jeudi", "replies": {"type": "Collection", "totalItems": 3}},
        ],
    )


def announce(
    number: int, target: str, published: str = "2026-11-04T08:15:00Z", audience: str = "public"
) -> dict[str, Any]:
    """A boost: its `object` is the boosted status's bare URI."""
    to, cc = AUDIENCE[audience]
    return {
        "id": f"{status_uri(number)}/activity",
        "type": "Announce",
        "actor": ACTOR_ID,
        "published": published,
        "to": to,
        "cc": [target.rsplit("/statuses/", 1)[0], *cc],
        "object": target,
    }


def collection_json(name: str, items: Iterable[Any], total: int | None, repeated: str = "") -> str:
    """An OrderedCollection file. `repeated`: "empty-first" writes `"orderedItems":[]` before
    the real list, as some archives do; "empty-last" after it."""
    head: dict[str, Any] = {"@context": CONTEXT, "id": name, "type": "OrderedCollection"}
    if total is not None:
        head["totalItems"] = total
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    listed = json.dumps(list(items), ensure_ascii=False, separators=(",", ":"))
    parts = {
        "": [f'"orderedItems":{listed}'],
        "empty-first": ['"orderedItems":[]', f'"orderedItems":{listed}'],
        "empty-last": [f'"orderedItems":{listed}', '"orderedItems":[]'],
    }[repeated]
    return opening + "," + ",".join(parts) + "}"


def outbox_json(items: Iterable[Any], total: int | None = None, repeated: str = "") -> str:
    items = list(items)
    return collection_json("outbox.json", items, len(items) if total is None else total, repeated)


def likes_json(uris: Iterable[Any], repeated: str = "") -> str:
    return collection_json("likes.json", uris, None, repeated)


def actor_json(**changes: Any) -> str:
    actor: dict[str, Any] = {
        "@context": CONTEXT,
        "id": ACTOR_ID,
        "type": "Person",
        "following": f"{ACTOR_ID}/following",
        "followers": FOLLOWERS,
        "inbox": f"{ACTOR_ID}/inbox",
        "outbox": "outbox.json",
        "featured": f"{ACTOR_ID}/collections/featured",
        "preferredUsername": "marie",
        "name": "Marie Tremblay ✨",
        "summary": (
            "<p>Directrice des ventes à Québec. J&#39;aide les PME à vendre <br />"
            "sur les réseaux. 🇨🇦</p>"
        ),
        "url": PROFILE_URL,
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "published": "2022-11-05T00:00:00Z",
        "publicKey": {
            "id": f"{ACTOR_ID}#main-key",
            "owner": ACTOR_ID,
            "publicKeyPem": "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
        },
        "tag": [],
        "attachment": [
            {
                "type": "PropertyValue",
                "name": "Site web",
                "value": (
                    '<a href="https://www.example.com/" target="_blank" rel="nofollow noopener '
                    'me" translate="no"><span class="invisible">https://www.</span>'
                    '<span class="">example.com/</span><span class="invisible"></span></a>'
                ),
            },
            {"type": "PropertyValue", "name": "Pronoms", "value": "elle"},
            {
                "type": "PropertyValue",
                "name": "LinkedIn",
                "value": (
                    '<a href="https://www.linkedin.com/in/marie-tremblay-qc" target="_blank" '
                    'rel="nofollow noopener me" translate="no"><span class="invisible">'
                    'https://www.</span><span class="">linkedin.com/in/marie-tremblay-qc</span>'
                    '<span class="invisible"></span></a>'
                ),
            },
        ],
        "endpoints": {"sharedInbox": f"{INSTANCE}/inbox"},
        "icon": {"type": "Image", "mediaType": "image/png", "url": "avatar.png"},
        "image": {"type": "Image", "mediaType": "image/jpeg", "url": "header.jpg"},
        "likes": "likes.json",
        "bookmarks": "bookmarks.json",
    }
    actor.update(changes)
    return json.dumps(actor, ensure_ascii=False)


FOLLOWING_CSV = (
    "Account address,Show boosts,Notify on new posts,Languages\n"
    "jean@autre.example,true,false,\n"
    'Lea.Morin@Social.Example,false,true,"fr, en"\n'
    "@sam@mastodon.example,true,false,\n"
)
FOLLOWING_HEADERLESS = "jean@autre.example\nlea.morin@social.example\n"

# A status liked, a boosted status and a reply's parent, on other servers.
LIKED = [
    "https://autre.example/users/jean/statuses/1101",
    "https://social.example/users/lea/statuses/2202",
]
BOOSTED = "https://social.example/users/lea/statuses/3303"
REPLIED_TO = "https://autre.example/users/jean/statuses/4404"


def full_items() -> list[dict[str, Any]]:
    """A realistic outbox: every kind of item once, in Mastodon's (creation) order."""
    day = "2026-10-{:02d}T08:00:00Z".format
    return [
        note(
            101,
            "2026-10-20T13:00:00Z",
            RICH_CONTENT,
            attachments=["media_attachments/files/110/101/original/dejeuner.jpg"],
            likes=12,
            shares=3,
        ),
        note(102, day(21), "<p>Second message du fil</p>", in_reply_to=status_uri(101)),
        note(103, day(22), f"<p>{MENTION_JEAN} Bonne idée !</p>", in_reply_to=REPLIED_TO),
        note(104, day(23), "<p>Hello circle</p>", language="en", audience="unlisted"),
        note(105, day(24), "<p>Pour mes abonnés</p>", audience="followers"),
        note(106, day(25), f"<p>{MENTION_JEAN} Mon numéro : 418-555-0101</p>", audience="direct"),
        poll(107, day(26)),
        announce(108, BOOSTED, day(27)),
    ]


def full_archive(items: list[dict[str, Any]] | None = None, total: int = 1234) -> dict[str, Any]:
    """Every member of a real archive, media included (the safe archive leaves media out)."""
    items = full_items() if items is None else items
    return {
        "outbox.json": outbox_json(items, total, repeated="empty-first"),
        "actor.json": actor_json(),
        "likes.json": likes_json(LIKED, repeated="empty-first"),
        "bookmarks.json": collection_json("bookmarks.json", [BOOSTED], None, "empty-first"),
        "avatar.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "header.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 64,
        "media_attachments/files/110/101/original/dejeuner.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 64,
    }


def _bytes(content: str | bytes) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def archive_zip(tmp_path: Path, files: Mapping[str, str | bytes], name: str = ARCHIVE_NAME) -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, content in files.items():
            archive.writestr(member, _bytes(content))
    return path


def archive_tar(tmp_path: Path, files: Mapping[str, str | bytes], name: str) -> Path:
    """A .tar.gz as Mastodon wrote archives before 4.1."""
    path = tmp_path / name
    with tarfile.open(path, "w:gz") as archive:
        for member, content in files.items():
            data = _bytes(content)
            info = tarfile.TarInfo(member)
            info.size = len(data)
            info.mode = 0o444
            info.mtime = 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return path


def archive_folder(tmp_path: Path, files: Mapping[str, str | bytes], name: str) -> Path:
    """The archive unpacked into a folder, as a user may upload it."""
    folder = tmp_path / name
    for member, content in files.items():
        path = folder / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_bytes(content))
    return folder


def single_file(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(_bytes(content))
    return path

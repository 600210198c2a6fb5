# ruff: noqa: E501 - the corpus reads best as one case per line
"""Hostile and broken exports of every network, through the whole import.

Each case is imported for a member who already has data on every network: the run says clearly
what is wrong (and what to do), and nothing stored before is changed or half-written.
"""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from maillage.imports.models import ImportRun
from maillage.imports.services import archive_import
from maillage.network.models import Connection, Person
from maillage.presence.models import Interaction, Post, SocialAccount
from tests import bluesky_fixtures as bluesky
from tests import x_fixtures as x

Builder = Callable[[Path], Path]
OUTBOX = '{"type": "OrderedCollection", "totalItems": 0, "orderedItems": []}'
TWEETS_HEAD = "window.YTD.tweets.part0 = "
FB_POSTS = "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
PAGE_HEADER = "Post ID,Page ID,Page name,Description,Publish time,Permalink,Reach\n"


@pytest.fixture
def bob(cast):
    """Bob already imported something from every network; the corpus must leave it all alone."""
    user = cast.bob
    user.language = "en"
    user.save(update_fields=["language"])
    moment = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    for number, network in enumerate(("linkedin", "facebook", "x", "mastodon", "bluesky")):
        account = SocialAccount.objects.create(
            owner=user, network=network, handle=f"{network}:bob", display_name="Bob Gagnon"
        )
        Post.objects.create(
            owner=user,
            account=account,
            network=network,
            key=f"kept-{number}",
            published_at=moment,
            text=f"Déjà importé sur {network}",
            reactions_count=number,
        )
        Interaction.objects.create(
            owner=user,
            account=account,
            network=network,
            key=f"kept-{number}",
            kind=Interaction.Kind.REACTION,
            occurred_at=moment,
        )
        person = Person.objects.create(
            owner=user, network=network, key=f"kept-{number}", name=f"Contact {number}"
        )
        Connection.objects.create(
            owner=user, person=person, network=network, connected_on=date(2025, 1, number + 1)
        )
    return user


def stored(user) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the member, every column: compared before and after each case."""
    return {
        model.__name__: sorted(
            tuple(str(value) for value in row)
            for row in model.objects.filter(owner=user).values_list()
        )
        for model in (SocialAccount, Post, Interaction, Person, Connection)
    }


# --- builders ----------------------------------------------------------------------------------


def zipped(name: str, members: dict[str, bytes | str]) -> Builder:
    def build(tmp: Path) -> Path:
        path = tmp / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        return path

    return build


def single(name: str, data: bytes | str) -> Builder:
    def build(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return build


def tarred(name: str, members: dict[str, bytes], link: str = "") -> Builder:
    def build(tmp: Path) -> Path:
        path = tmp / name
        with tarfile.open(path, "w:gz") as archive:
            for member, data in members.items():
                info = tarfile.TarInfo(member)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
            if link:
                info = tarfile.TarInfo(link)
                info.type = tarfile.SYMTYPE
                info.linkname = "/etc/passwd"
                archive.addfile(info)
        return path

    return build


def truncated(builder: Builder, keep: float = 0.5) -> Builder:
    def build(tmp: Path) -> Path:
        path = builder(tmp)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * keep)])
        return path

    return build


def symlinked_zip(tmp: Path) -> Path:
    path = tmp / "facebook-bob-2026-11-29.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo(FB_POSTS)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return path


def deep(levels: int = 100_000) -> str:
    return "[" * levels + "]" * levels


def tweets(text: str = "Bonjour", likes: str = "3") -> str:
    item = x.tweet("1862000000000000001", x.at(20), text, likes=likes)
    return x.ytd("tweets", x.wrapped([item]))


def car_tampered(tmp: Path) -> Path:
    data = bytearray(bluesky.repo_car(bluesky.realistic_records()))
    # One letter of a post's text changed: the block no longer matches its CID.
    at = data.index(b"Premier message")
    data[at] ^= 0x20
    return bluesky.export_file(tmp, bytes(data))


def car_truncated(tmp: Path) -> Path:
    data = bluesky.repo_car(bluesky.realistic_records())
    return bluesky.export_file(tmp, data[: len(data) // 2])


# (case, kind, builder, words the message must hold)
REJECTED: list[tuple[str, str, Builder, str]] = [
    # Archive-level, whatever the network.
    ("x zip slip", "x", zipped("twitter-2026-11-29-a.zip", {"../../data/tweets.js": tweets()}), "leaves its folder"),
    ("mastodon absolute path", "mastodon", zipped("archive-20261129-a.zip", {"/etc/outbox.json": OUTBOX}), "absolute path"),
    ("facebook symlink", "facebook", symlinked_zip, "link to another file"),
    ("x zip bomb", "x", zipped("twitter-2026-11-29-b.zip", {"data/tweets.js": TWEETS_HEAD + " " * (8 * 1024 * 1024) + "[]"}), "zip bomb"),
    ("mastodon tar.gz bomb", "mastodon", tarred("archive-20220301-a.tar.gz", {"outbox.json": b" " * (24 * 1024 * 1024)}), "zip bomb"),
    ("mastodon tar.gz symlink", "mastodon", tarred("archive-20220301-b.tar.gz", {}, link="outbox.json"), "link to another file"),
    ("x truncated zip", "x", truncated(zipped("twitter-2026-11-29-c.zip", {"data/tweets.js": tweets() * 50})), "download the export again"),
    ("mastodon truncated tar.gz", "mastodon", truncated(tarred("archive-20220301-c.tar.gz", {"outbox.json": os.urandom(100_000)})), "interrupted"),
    ("x nested archive", "x", zipped("twitter-2026-11-29-d.zip", {"data/tweets_media.zip": b"PK\x03\x04"}), "contains another archive"),
    ("facebook empty zip", "facebook", zipped("facebook-bob.zip", {"__MACOSX/._x": b"\x00"}), "contains no file"),
    ("mastodon binary json", "mastodon", single("outbox.json", b"\x89PNG\r\n\x1a\n\x00\x00" * 50), "not readable text"),
    ("page binary csv", "facebook-page", single("posts.csv", b"\x00\x01\x02\x03" * 100), "not readable text"),
    # Wrong shapes and damaged files, network by network.
    ("x javascript not window.YTD", "x", single("tweets.js", "alert('bonjour'); var tweets = [];"), "window.YTD."),
    ("x truncated json", "x", single("tweets.js", tweets()[:-40]), "damaged or incomplete"),
    ("x object instead of list", "x", single("tweets.js", TWEETS_HEAD + '{"tweet": {}}'), "structure X gives it"),
    ("x deep nesting", "x", single("tweets.js", TWEETS_HEAD + deep()), "tweets.js"),
    ("mastodon truncated outbox", "mastodon", single("outbox.json", OUTBOX[:30]), "incomplete or damaged"),
    ("mastodon outbox is a list", "mastodon", single("outbox.json", "[1, 2, 3]"), "OrderedCollection"),
    ("mastodon deep nesting", "mastodon", single("outbox.json", deep()), "outbox.json"),
    ("mastodon wrong encoding", "mastodon", single("outbox.json", '{"type": "OrderedCollection", "orderedItems": [], "summary": "café"}'.encode("cp1252")), "UTF-8"),
    ("facebook truncated posts", "facebook", zipped("facebook-bob-a.zip", {FB_POSTS: '[{"timestamp": 1764339300, "data": [{"post": "Bonj'}), "damaged or incomplete"),
    ("facebook friends wrong shape", "facebook", zipped("facebook-bob-b.zip", {"connections/friends/your_friends.json": '{"friends_v2": "everyone"}'}), "structure Facebook gives it"),
    ("facebook html export", "facebook", zipped("facebook-bob-c.zip", {FB_POSTS.replace(".json", ".html"): "<html><body>Publications</body></html>"}), "JSON format"),
    ("facebook deep nesting", "facebook", zipped("facebook-bob-d.zip", {FB_POSTS: deep()}), "damaged or incomplete"),
    ("page csv without publish time", "facebook-page", single("posts.csv", "Post ID,Reach\n1,20\n"), "publish time"),
    ("bluesky not a car", "bluesky", single("repo.car", os.urandom(2048)), "not a Bluesky repository"),
    ("bluesky truncated car", "bluesky", car_truncated, "incomplete"),
    ("linkedin connections without header", "linkedin", single("Connections.csv", "bonjour\nle monde\n"), "No header row"),
]  # fmt: skip


def run_of(user, tmp_path: Path, kind: str, builder: Builder) -> ImportRun:
    folder = tmp_path / "case"
    folder.mkdir()
    return archive_import(user, builder(folder), kind)


def message_of(run: ImportRun) -> str:
    reasons = [run.error]
    for data in (run.summary or {}).get("files", {}).values():
        reasons += [error["reason"] for error in data.get("errors", [])]
    return " ".join(reasons)


@pytest.mark.parametrize(
    ("case", "kind", "builder", "words"), REJECTED, ids=[c[0] for c in REJECTED]
)
def test_a_hostile_or_broken_export_is_refused_clearly_and_changes_nothing(
    bob, tmp_path, case, kind, builder, words
):
    before = stored(bob)
    run = run_of(bob, tmp_path, kind, builder)
    assert run.status == ImportRun.Status.REJECTED, (case, run.status, run.error)
    assert words.lower() in message_of(run).lower(), message_of(run)
    assert stored(bob) == before


def test_a_huge_field_in_a_page_export_is_refused_by_the_size_limit(bob, tmp_path, settings):
    settings.IMPORT_MAX_FILE_BYTES = 4 * 1024 * 1024
    before = stored(bob)
    huge = (
        PAGE_HEADER + f'1_2,1,Page,"{"x" * (5 * 1024 * 1024)}",11/28/2026 09:15,https://f.co/1,3\n'
    )
    run = run_of(bob, tmp_path, "facebook-page", single("posts.csv", huge))
    assert run.status == ImportRun.Status.REJECTED
    assert "MB allowed per file" in run.error
    assert stored(bob) == before


# (case, kind, builder, words of the item's error): the rest imports, nothing stored changes.
ONE_BAD_ITEM: list[tuple[str, str, Builder, str]] = [
    ("x count of 5,000 digits", "x", single("tweets.js", tweets(likes="9" * 5000)), ""),
    ("bluesky broken block", "bluesky", car_tampered, "damaged"),
    ("mastodon unreadable date", "mastodon", single("outbox.json", json.dumps({"type": "OrderedCollection", "orderedItems": [{"type": "Create", "id": "https://m.example/1/activity", "published": "hier", "object": {"type": "Note", "id": "https://m.example/1", "published": "hier", "content": "<p>Salut</p>", "to": ["https://www.w3.org/ns/activitystreams#Public"]}}]})), "could not be read"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "kind", "builder", "words"), ONE_BAD_ITEM, ids=[c[0] for c in ONE_BAD_ITEM]
)
def test_one_bad_item_is_reported_and_leaves_stored_rows_alone(
    bob, tmp_path, case, kind, builder, words
):
    before = stored(bob)
    run = run_of(bob, tmp_path, kind, builder)
    assert run.status in {ImportRun.Status.SUCCEEDED, ImportRun.Status.REJECTED}, run.error
    after = stored(bob)
    for model, rows in before.items():
        assert set(rows) <= set(after[model]), model  # every earlier row still there, unchanged
    if words:
        assert words in message_of(run)


def test_nul_characters_in_a_tweet_never_reach_the_database(bob, tmp_path):
    run = run_of(bob, tmp_path, "x", single("tweets.js", tweets(text="Bon\u0000jour")))
    assert run.status == ImportRun.Status.SUCCEEDED, run.error
    assert (
        Post.objects.get(owner=bob, network="x", key="tweet:1862000000000000001").text == "Bonjour"
    )

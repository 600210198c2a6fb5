"""The Bluesky importer reads a repo.car the way Bluesky writes it, and survives hostile ones."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import libipld
import pytest
from atproto import CAR

from maillage.imports.importers.bluesky import BlueskyImporter
from maillage.imports.importers.bluesky.readers import moment_parse, tid_moment
from maillage.imports.importers.bluesky.repo import Repository
from maillage.imports.records import (
    AccountRecord,
    InteractionRecord,
    ParsedArchive,
    ParsedFile,
    PostRecord,
)
from maillage.imports.services import archive_import
from maillage.lib.safe_archive import open_archive
from maillage.presence.models import Interaction, Post, SocialAccount
from tests import bluesky_fixtures as fx

POST = "app.bsky.feed.post"
OWNER_PREFIX = f"at://{fx.DID}/"
EXPORT_AGAIN = "Export your data again from Bluesky (Settings > Account > Export my data)."


def parse_path(path: Path) -> ParsedArchive:
    with open_archive(path) as archive:
        return BlueskyImporter().parse(archive)


def parse(tmp_path: Path, data: bytes, name: str = "repo.car") -> ParsedFile:
    (parsed,) = parse_path(fx.export_file(tmp_path, data, name)).files
    return parsed


def posts(parsed: ParsedFile) -> dict[str, PostRecord]:
    """Posts and reposts by the rkey their key ends with."""
    return {r.key.rsplit("/", 1)[1]: r for r in parsed.records if isinstance(r, PostRecord)}


def interactions(parsed: ParsedFile) -> list[InteractionRecord]:
    return [r for r in parsed.records if isinstance(r, InteractionRecord)]


def account(parsed: ParsedFile) -> AccountRecord:
    (found,) = [r for r in parsed.records if isinstance(r, AccountRecord)]
    return found


def realistic(tmp_path: Path) -> ParsedFile:
    return parse(tmp_path, fx.repo_car(fx.realistic_records()))


def rejected_reason(parsed: ParsedFile) -> str:
    assert parsed.status == "rejected"
    assert parsed.records == []
    (error,) = parsed.errors
    return error.reason


# --- the repository and its tree ---------------------------------------------------------


def test_it_walks_a_tree_of_several_layers_in_key_order(tmp_path):
    records = fx.many_posts(400)
    built = fx.repo_build(records)
    # The fixture is a real MST: several layers, keys compressed against their neighbours.
    assert built.tree.layers >= 4
    assert built.tree.compressed > 300

    walked = [key for key, _cid in Repository(built.data).walk()]

    assert walked == sorted(records)
    parsed = parse(tmp_path, built.data)
    assert parsed.status == "parsed"
    assert parsed.read == 400
    assert len(posts(parsed)) == 400
    assert parsed.errors == []


def test_it_reads_a_whole_realistic_repository(tmp_path):
    parsed = realistic(tmp_path)

    assert parsed.status == "parsed"
    assert parsed.unit == "record"
    assert parsed.errors == []
    # 8 posts, 1 like, 1 repost, 2 follows and the profile; 5 other apps' records aside.
    assert parsed.read == 13
    kinds = sorted(p.kind for p in posts(parsed).values())
    assert kinds == ["original"] * 5 + ["quote", "quote", "reply", "reshare"]
    assert sorted(i.kind for i in interactions(parsed)) == ["follow", "follow", "reaction"]
    assert account(parsed).display_name == "Marie Tremblay"


def test_it_keys_and_links_each_post_by_the_owners_did_and_its_record_key(tmp_path):
    first = posts(realistic(tmp_path))[fx.FIRST]

    assert first.key == f"at://{fx.DID}/app.bsky.feed.post/{fx.FIRST}"
    assert first.url == f"https://bsky.app/profile/{fx.DID}/post/{fx.FIRST}"
    assert first.text == "Bonjour Bluesky ! Premier message du cercle."
    assert first.published_at == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-02T09:00:00.000Z", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
        ("2026-11-02T09:00:00Z", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
        ("2026-11-02T09:00:00.5Z", datetime(2026, 11, 2, 9, 0, 0, 500000, tzinfo=UTC)),
        ("2026-11-02T09:00:00.123456Z", datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC)),
        # Go clients write nanoseconds: the digits past microseconds are dropped.
        ("2026-11-02T09:00:00.123456789Z", datetime(2026, 11, 2, 9, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-02T04:00:00-05:00", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
        ("2026-11-02T10:00:00.250+01:00", datetime(2026, 11, 2, 9, 0, 0, 250000, tzinfo=UTC)),
        ("2026-11-02t09:00:00z", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
        # No zone at all (the lexicon requires one, a few clients forgot): read as UTC.
        ("2026-11-02T09:00:00", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)),
    ],
)
def test_it_reads_creation_dates_with_any_fraction_and_any_zone_into_utc(value, expected):
    moment = moment_parse(value)

    assert moment == expected
    assert moment.tzinfo is UTC


def test_it_converts_a_post_dated_with_an_offset_to_utc(tmp_path):
    reply = posts(realistic(tmp_path))[fx.REPLY]

    # Written "2026-11-03T05:00:00-05:00" by the app.
    assert reply.published_at == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def test_it_takes_the_first_language_a_post_declares(tmp_path):
    found = posts(realistic(tmp_path))

    assert found[fx.FIRST].language == "fr"  # langs = ["fr", "en"]
    assert found[fx.REPLY].language == "fr-CA"
    assert found[fx.QUOTE].language == ""  # no langs


def test_it_counts_a_reply_to_someone_else_as_a_reply(tmp_path):
    assert posts(realistic(tmp_path))[fx.REPLY].kind == "reply"


def test_it_counts_a_reply_to_the_owners_own_post_as_an_original_thread_post(tmp_path):
    thread = posts(realistic(tmp_path))[fx.THREAD]

    assert thread.kind == "original"
    assert thread.text == "Suite du fil."


def test_it_counts_record_and_record_with_media_embeds_as_quotes(tmp_path):
    found = posts(realistic(tmp_path))
    jean_post = f"at://{fx.JEAN}/app.bsky.feed.post/{fx.JEAN_POST}"

    assert (found[fx.QUOTE].kind, found[fx.QUOTE].shared_url) == ("quote", jean_post)
    assert (found[fx.QUOTE_MEDIA].kind, found[fx.QUOTE_MEDIA].shared_url) == ("quote", jean_post)


def test_it_takes_the_shared_url_from_the_link_card_then_from_the_first_link_facet(tmp_path):
    found = posts(realistic(tmp_path))

    assert found[fx.LINKED].shared_url == "https://maillage.example/vente-sociale"
    assert found[fx.LINKED].kind == "original"
    # A mention facet comes first; the first *link* facet is the one shared.
    assert found[fx.FACETED].shared_url == "https://maillage.example/guide"
    assert found[fx.FIRST].shared_url == ""


def test_it_prefers_a_quote_posts_own_link_card_to_the_post_it_quotes(tmp_path):
    rkey = fx.tid(fx.when(20))
    record = fx.post(
        "Citation avec lien",
        "2026-11-20T12:00:00Z",
        embed={
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {
                "$type": "app.bsky.embed.record",
                "record": fx.strong_ref(fx.JEAN, POST, fx.JEAN_POST),
            },
            "media": {
                "$type": "app.bsky.embed.external",
                "external": {"uri": "https://example.com/etude", "title": "", "description": ""},
            },
        },
    )
    found = posts(parse(tmp_path, fx.repo_car({f"{POST}/{rkey}": record})))[rkey]

    assert (found.kind, found.shared_url) == ("quote", "https://example.com/etude")


def test_it_leaves_media_url_empty_because_images_are_not_in_the_export(tmp_path):
    photo = posts(realistic(tmp_path))[fx.PHOTO]

    assert photo.media_url == ""
    assert photo.text == ""
    assert photo.kind == "original"


def test_it_reads_likes_as_dated_reactions_keyed_by_their_own_record(tmp_path):
    (like,) = [i for i in interactions(realistic(tmp_path)) if i.kind == "reaction"]

    assert like.key == f"like:at://{fx.DID}/app.bsky.feed.like/{fx.LIKE}"
    assert like.target_url == f"at://{fx.JEAN}/app.bsky.feed.post/{fx.JEAN_POST}"
    assert like.counterpart == fx.JEAN
    assert like.detail == "like"
    assert like.occurred_at == datetime(2026, 11, 9, 8, 0, tzinfo=UTC)


def test_it_reads_reposts_as_reshares_of_the_post_they_repeat(tmp_path):
    repost = posts(realistic(tmp_path))[fx.REPOST]

    assert repost.key == f"at://{fx.DID}/app.bsky.feed.repost/{fx.REPOST}"
    assert repost.kind == "reshare"
    assert repost.shared_url == f"at://{fx.JEAN}/app.bsky.feed.post/{fx.JEAN_POST}"
    assert repost.published_at == datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def test_it_reads_follows_with_their_date_and_the_followed_profile(tmp_path):
    follows = {i.counterpart: i for i in interactions(realistic(tmp_path)) if i.kind == "follow"}

    assert set(follows) == {fx.JEAN, fx.ZOE}
    jean = follows[fx.JEAN]
    assert jean.key == f"follow:at://{fx.DID}/app.bsky.graph.follow/{fx.FOLLOW_JEAN}"
    assert jean.target_url == f"https://bsky.app/profile/{fx.JEAN}"
    assert jean.occurred_at == datetime(2026, 11, 11, 10, 0, tzinfo=UTC)
    assert follows[fx.ZOE].target_url == "https://bsky.app/profile/did:web:zoe-fortin.example"


def test_it_reads_the_profile_and_counts_follows_as_following(tmp_path):
    found = account(realistic(tmp_path))

    assert found.handle == f"https://bsky.app/profile/{fx.DID}"
    assert found.display_name == "Marie Tremblay"
    assert found.summary == "Directrice des ventes, Québec.\nVente sociale et mentorat."
    assert found.following_count == 2
    # A repository holds neither followers nor counts.
    assert (found.followers_count, found.posts_count) == (None, None)


def test_it_still_names_the_account_when_the_repository_has_no_profile(tmp_path):
    rkey = fx.tid(fx.when(1))
    parsed = parse(
        tmp_path, fx.repo_car({f"{POST}/{rkey}": fx.post("Salut", "2026-11-01T00:00:00Z")})
    )

    found = account(parsed)
    assert found.handle == f"https://bsky.app/profile/{fx.DID}"
    assert (found.display_name, found.summary, found.following_count) == ("", "", 0)


def test_it_leaves_other_collections_aside_with_one_note_counting_them(tmp_path):
    records = fx.realistic_records()
    # A profile record under another key is not the account's profile.
    records["app.bsky.actor.profile/other"] = {
        "$type": "app.bsky.actor.profile",
        "displayName": "X",
    }
    parsed = parse(tmp_path, fx.repo_car(records))

    assert parsed.notes == [
        "6 records of collections Maillage does not import were left aside: "
        "app.bsky.actor.profile (1), app.bsky.graph.block (1), chat.bsky.actor.declaration (1), "
        "com.whtwnd.blog.entry (2), fyi.unravel.frontpage.post (1)."
    ]
    assert parsed.read == 13
    assert account(parsed).display_name == "Marie Tremblay"


def test_it_numbers_records_in_tree_order_counting_those_left_aside(tmp_path):
    records = fx.realistic_records()
    bad_follow = f"app.bsky.graph.follow/{fx.tid(fx.when(25))}"
    records[bad_follow] = {"$type": "app.bsky.graph.follow", "createdAt": "2026-11-25T00:00:00Z"}
    parsed = parse(tmp_path, fx.repo_car(records))

    # In key order: the profile, a like, 8 posts, a repost, a block (left aside, still counted),
    # then the follows: the two good ones, and this one last.
    assert sorted(records).index(bad_follow) + 1 == 15
    assert [error.line for error in parsed.errors] == [15]
    assert f"The record {bad_follow} has no valid “subject” field" in parsed.errors[0].reason


def test_it_says_when_a_repository_holds_no_records_yet(tmp_path):
    parsed = parse(tmp_path, fx.repo_car({}))

    assert parsed.status == "parsed"
    assert parsed.read == 0
    assert parsed.notes == ["This Bluesky repository holds no records yet."]
    assert account(parsed).following_count == 0


def test_it_reports_progress_while_walking_a_big_repository(tmp_path, monkeypatch):
    monkeypatch.setattr("maillage.imports.importers.bluesky.PROGRESS_EVERY", 100)
    path = fx.export_file(tmp_path, fx.repo_car(fx.many_posts(400)), name="marie.car")
    reports: list[tuple[int, str]] = []

    with open_archive(path) as archive:
        BlueskyImporter().parse(archive, lambda percent, label: reports.append((percent, label)))

    percents = [percent for percent, _label in reports]
    assert len(reports) == 5  # every 100 records of 400, then the end of the file
    assert percents == sorted(percents) and 0 < percents[0] < 100 and percents[-1] == 100
    assert {label for _percent, label in reports} == {"marie.car"}


# --- when the export was made ------------------------------------------------------------


def test_it_dates_the_export_from_the_commits_revision(tmp_path):
    rev = fx.tid(datetime(2026, 10, 15, 23, 30, tzinfo=UTC))
    path = fx.export_file(tmp_path, fx.repo_car(fx.realistic_records(), rev=rev))

    assert parse_path(path).as_of == date(2026, 10, 15)
    assert tid_moment(rev) == datetime(2026, 10, 15, 23, 30, tzinfo=UTC)


def test_it_falls_back_on_the_file_date_when_the_revision_is_not_a_tid(tmp_path):
    data = fx.repo_car(fx.realistic_records(), rev="not-a-tid")
    path = fx.export_zip(tmp_path, {"repo.car": data})  # the zip entry says 2026-11-29

    assert parse_path(path).as_of == date(2026, 11, 29)
    assert tid_moment("2222222222222") is None  # 1970: not a real revision


# --- where the file comes from -----------------------------------------------------------


def test_it_claims_archives_holding_a_car_file_only():
    importer = BlueskyImporter()

    assert importer.claims(["repo.car"]) == 0.95
    assert importer.claims(["export/marie.bsky.social-2026-11-29.CAR", "notes.txt"]) == 0.95
    assert importer.claims(["Connections.csv", "tweets.js"]) == 0.0


def test_it_reads_a_car_file_of_any_name_inside_a_zip_or_a_folder(tmp_path):
    data = fx.repo_car(fx.realistic_records())
    zipped = parse_path(fx.export_zip(tmp_path / "z", {"bluesky/marie-2026.car": data}))
    folder = tmp_path / "folder"
    fx.export_file(folder, data, name="repo.car")
    (folder / "readme.txt").write_text("Mon export")
    unpacked = parse_path(folder)

    (from_zip,) = zipped.files
    assert from_zip.name == "bluesky/marie-2026.car"
    assert from_zip.read == 13
    statuses = {f.name: (f.status, f.read) for f in unpacked.files}
    assert statuses == {"repo.car": ("parsed", 13), "readme.txt": ("ignored", 0)}


def test_it_reads_a_lone_export_whose_name_lost_its_extension(tmp_path):
    parsed = parse(tmp_path, fx.repo_car(fx.realistic_records()), name="repo")

    assert parsed.status == "parsed"
    assert parsed.read == 13


# --- hostile and damaged files -----------------------------------------------------------


def test_it_rejects_a_file_that_is_not_a_car(tmp_path):
    reason = rejected_reason(parse(tmp_path, b"First Name,Last Name\nJean,Gagnon\n", "repo.car"))

    assert reason.startswith("This file is not a Bluesky repository export (a .car file)")
    assert reason.endswith(EXPORT_AGAIN)


@pytest.mark.parametrize(
    "header",
    [
        {"version": 2, "roots": []},  # a CARv2-like header
        {"version": 1, "roots": []},  # no root at all
        {"version": 1},
        ["version", 1],
    ],
)
def test_it_rejects_a_car_header_that_is_not_a_repository_export(tmp_path, header):
    encoded = libipld.encode_dag_cbor(header)
    reason = rejected_reason(parse(tmp_path, fx.varint(len(encoded)) + encoded + b"\x00"))

    assert "not a Bluesky repository export" in reason


def test_it_rejects_an_empty_car_file_inside_a_zip(tmp_path):
    (parsed,) = parse_path(fx.export_zip(tmp_path, {"repo.car": b""})).files

    assert "not a Bluesky repository export" in rejected_reason(parsed)


@pytest.mark.parametrize("cut", [1, 50, 1000])
def test_it_rejects_a_truncated_file_as_an_interrupted_download(tmp_path, cut):
    data = fx.repo_car(fx.realistic_records())

    reason = rejected_reason(parse(tmp_path, data[:-cut]))

    assert "incomplete" in reason and "interrupted" in reason
    assert reason.endswith(EXPORT_AGAIN)


def test_it_rejects_a_car_whose_commit_block_is_missing(tmp_path):
    built = fx.repo_build(fx.realistic_records())
    # The same file with every block but the commit.
    _root, blocks = libipld.decode_car(built.data)
    kept = [(cid, libipld.encode_dag_cbor(value)) for cid, value in blocks.items()]
    data = fx.car([built.commit], [(cid, raw) for cid, raw in kept if cid != built.commit])

    reason = rejected_reason(parse(tmp_path, data))

    assert reason.startswith("This Bluesky export has no commit")


def test_it_rejects_a_car_whose_root_is_not_a_commit(tmp_path):
    record_cid, record_data = fx.block(fx.post("Salut", "2026-11-01T00:00:00Z"))
    data = fx.car([record_cid], [(record_cid, record_data)])

    assert "is not a Bluesky repository commit" in rejected_reason(parse(tmp_path, data))


def test_it_rejects_a_commit_whose_account_identifier_is_not_a_did(tmp_path):
    data = fx.repo_car(fx.realistic_records(), did="did:plc:abc\x00<script>")

    assert "is not a Bluesky repository commit" in rejected_reason(parse(tmp_path, data))


def test_it_rejects_a_repository_version_it_does_not_know(tmp_path):
    data = fx.repo_car(fx.realistic_records(), version=4)

    assert "uses repository version 4" in rejected_reason(parse(tmp_path, data))


def test_it_reads_a_2023_version_2_repository_without_a_revision(tmp_path):
    built = fx.repo_build(fx.realistic_records(), commit_extra={"version": 2, "rev": None})
    path = fx.export_zip(tmp_path, {"repo.car": built.data})

    (parsed,) = parse_path(path).files
    assert parsed.status == "parsed"
    assert parsed.read == 13
    # No revision to date it: the zip entry's date says when it was made.
    assert parse_path(path).as_of == date(2026, 11, 29)


def test_it_reports_an_undecodable_record_and_reads_the_others(tmp_path):
    records = fx.realistic_records()
    broken_key = f"{POST}/{fx.tid(fx.when(21))}"
    parsed = parse(tmp_path, fx.repo_car(records, broken={broken_key: b"\xff\xfe garbage"}))

    assert parsed.status == "parsed"
    assert parsed.read == 14
    (error,) = parsed.errors
    assert error.reason == (
        f"The content of the record {broken_key} is damaged (it cannot be decoded): it was not "
        "imported."
    )
    assert len(posts(parsed)) == 9


def test_it_reports_a_record_nested_too_deep_to_decode(tmp_path):
    deep_key = f"{POST}/{fx.tid(fx.when(22))}"
    data = fx.repo_car({}, broken={deep_key: b"\x81" * 100_000 + b"\x01"})

    (error,) = parse(tmp_path, data).errors

    assert "cannot be decoded" in error.reason


def test_it_catches_a_tampered_record_that_atproto_itself_accepts(tmp_path):
    records = {f"{POST}/{fx.FIRST}": fx.post("Texte original", "2026-11-02T09:00:00Z")}
    data = fx.repo_car(records).replace(b"Texte original", b"Texte modifi\xc3\xa9")

    # atproto (libipld) decodes blocks without checking them against their CID...
    blocks = CAR.from_bytes(data).blocks
    assert any(b.get("text") == "Texte modifié" for b in blocks.values())
    # ...so the importer checks each block's sha2-256 itself.
    parsed = parse(tmp_path, data)
    (error,) = parsed.errors
    assert "does not match its checksum" in error.reason
    assert posts(parsed) == {}


def test_it_rejects_a_tampered_tree_node(tmp_path):
    records = fx.many_posts(50)
    built = fx.repo_build(records)
    _cid, node_data = built.tree.blocks[0]
    position = built.data.index(node_data)
    data = bytearray(built.data)
    # One byte of a node changes: it no longer matches the hash its parent links it by.
    data[position + len(node_data) - 60] ^= 0x01

    reason = rejected_reason(parse(tmp_path, bytes(data)))

    assert "repository tree" in reason and reason.endswith(EXPORT_AGAIN)


def test_it_reports_a_record_listed_in_the_tree_but_absent_from_the_file(tmp_path):
    present = fx.block(fx.post("Présent", "2026-11-01T00:00:00Z"))
    absent = fx.block(fx.post("Absent", "2026-11-02T00:00:00Z"))
    root = fx.leaf(
        (f"{POST}/{fx.tid(fx.when(1))}", present[0]), (f"{POST}/{fx.tid(fx.when(2))}", absent[0])
    )

    parsed = parse(tmp_path, fx.repo_from_nodes(root, extra=[present]))

    assert [p.text for p in posts(parsed).values()] == ["Présent"]
    (error,) = parsed.errors
    assert error.line == 2
    assert "its content is not in the file" in error.reason


def _node_shapes() -> list[Any]:
    value = fx.block(fx.post("x", "2026-11-01T00:00:00Z"))[0]
    key = f"{POST}/{fx.tid(fx.when(1))}".encode()
    good = {"p": 0, "k": key, "v": value, "t": None}
    return [
        ["not", "a", "node"],
        {"l": None},
        {"l": "bafy-not-a-link", "e": []},
        {"l": None, "e": ["entry"]},
        {"l": None, "e": [{**good, "k": key.decode()}]},  # key as text, not bytes
        {"l": None, "e": [{**good, "p": 5}]},  # shares 5 bytes with no previous key
        {"l": None, "e": [{**good, "v": "not a link"}]},
        {"l": None, "e": [{**good, "t": 42}]},
        {"l": None, "e": [{**good, "k": b"\xc3\xa9/\xff"}]},  # not ASCII
        {"l": None, "e": [{**good, "k": b"app.bsky.feed.post/a b\x00"}]},  # not a record path
        {"l": None, "e": [{**good, "k": b"app.bsky.feed.post"}]},  # no record key
    ]


@pytest.mark.parametrize("node", _node_shapes())
def test_it_rejects_a_tree_node_of_the_wrong_shape(tmp_path, node):
    reason = rejected_reason(parse(tmp_path, fx.repo_from_nodes(node)))

    assert reason.startswith("This Bluesky export is damaged: the index of its records")


def test_it_rejects_a_tree_whose_node_is_missing(tmp_path):
    absent_node = fx.block(fx.leaf())[0]
    root = fx.leaf(left=absent_node)

    assert "repository tree" in rejected_reason(parse(tmp_path, fx.repo_from_nodes(root)))


def test_it_rejects_a_tree_with_keys_out_of_order(tmp_path):
    value = fx.block(fx.post("x", "2026-11-01T00:00:00Z"))
    root = fx.leaf((f"{POST}/b", value[0]), (f"{POST}/a", value[0]))

    parsed = parse(tmp_path, fx.repo_from_nodes(root, extra=[value]))

    assert "repository tree" in rejected_reason(parsed)
    assert parsed.read == 1  # found on the second record, after reading the first


def test_it_rejects_a_tree_that_links_the_same_node_twice(tmp_path):
    value = fx.block(fx.post("x", "2026-11-01T00:00:00Z"))
    shared = fx.block(fx.leaf((f"{POST}/a", value[0])))
    root = {
        "l": shared[0],
        "e": [{"p": 0, "k": f"{POST}/b".encode(), "v": value[0], "t": shared[0]}],
    }

    parsed = parse(tmp_path, fx.repo_from_nodes(root, extra=[shared, value]))

    assert "repository tree" in rejected_reason(parsed)


@pytest.mark.parametrize(
    ("collection", "value", "field"),
    [
        (POST, {"$type": POST, "text": "sans date"}, "createdAt"),
        (POST, {"$type": POST, "text": 42, "createdAt": "2026-11-01T00:00:00Z"}, "text"),
        (POST, {"$type": POST, "text": "x", "createdAt": 1730419200}, "createdAt"),
        (
            "app.bsky.feed.like",
            {"subject": "at://x", "createdAt": "2026-11-01T00:00:00Z"},
            "subject",
        ),
        (
            "app.bsky.feed.repost",
            {"subject": {"uri": "https://bsky.app/x"}, "createdAt": "2026-11-01T00:00:00Z"},
            "subject",
        ),
        (
            "app.bsky.graph.follow",
            {"subject": "marie.bsky.social", "createdAt": "2026-11-01T00:00:00Z"},
            "subject",
        ),
    ],
)
def test_it_reports_a_record_of_the_wrong_shape_and_goes_on(tmp_path, collection, value, field):
    records = fx.realistic_records()
    key = f"{collection}/{fx.tid(fx.when(23))}"
    records[key] = value

    parsed = parse(tmp_path, fx.repo_car(records))

    (error,) = parsed.errors
    assert error.reason == (
        f"The record {key} has no valid “{field}” field, which Bluesky always writes: it was not "
        "imported."
    )
    assert parsed.read == 14
    assert len(posts(parsed)) == 9


def test_it_reports_a_record_that_is_not_a_set_of_fields(tmp_path):
    key = f"{POST}/{fx.tid(fx.when(24))}"

    (error,) = parse(tmp_path, fx.repo_car({key: ["a", "list"]})).errors

    assert error.reason == (
        f"The record {key} is not a Bluesky record (it holds no fields): it was not imported."
    )


@pytest.mark.parametrize(
    "value", ["hier", "0000-01-01T00:00:00Z", "2026-02-30T10:00:00Z", "0001-01-01T00:00:00+01:00"]
)
def test_it_reports_a_creation_date_it_cannot_read(tmp_path, value):
    key = f"app.bsky.feed.like/{fx.tid(fx.when(26))}"
    like = fx.subject_record("like", fx.strong_ref(fx.JEAN, POST, fx.JEAN_POST), value)

    parsed = parse(tmp_path, fx.repo_car({key: like}))

    (error,) = parsed.errors
    assert error.line == 1
    assert error.reason == (
        f"The record {key} has a creation date that cannot be read (“{value}”): it was not "
        "imported."
    )
    assert interactions(parsed) == []


def test_it_never_lets_a_damaged_byte_escape_as_an_exception(tmp_path):
    data = fx.repo_car(fx.realistic_records())
    outcomes = set()
    importer = BlueskyImporter()
    for position in range(0, len(data), 7):
        damaged = bytearray(data)
        damaged[position] ^= 0xA5
        (parsed,) = importer.parse(OneFile(bytes(damaged))).files
        outcomes.add(parsed.status)
        if parsed.status == "parsed":
            # Whatever was damaged cost a record at most: the account is still there.
            assert isinstance(parsed.records[-1], AccountRecord)
        else:
            assert parsed.records == [] and len(parsed.errors) == 1
    assert outcomes == {"parsed", "rejected"}


class OneFile:
    """An archive of one member, read from memory (the importer's view of an Archive)."""

    source_name = "repo.car"

    def __init__(self, data: bytes) -> None:
        self.data = data

    def names(self) -> list[str]:
        return ["repo.car"]

    def read(self, name: str) -> bytes:
        return self.data

    def modified(self, name: str) -> datetime | None:
        return None


# --- stable keys and idempotent imports ---------------------------------------------------


def test_it_keeps_every_key_between_an_older_and_a_newer_export(tmp_path):
    older_records = fx.realistic_records()
    newer_records = dict(older_records)
    del newer_records[f"app.bsky.feed.like/{fx.LIKE}"]  # unliked since
    newer_records.update(fx.many_posts(30, start=fx.when(20)))
    older = parse(tmp_path / "old", fx.repo_car(older_records, rev=fx.tid(fx.when(15))))
    newer = parse(tmp_path / "new", fx.repo_car(newer_records))

    def keys(parsed: ParsedFile) -> set[str]:
        return {r.key for r in parsed.records if isinstance(r, PostRecord | InteractionRecord)}

    assert keys(older) - keys(newer) == {f"like:at://{fx.DID}/app.bsky.feed.like/{fx.LIKE}"}
    assert len(keys(newer) - keys(older)) == 30
    assert account(older).handle == account(newer).handle


def english(user) -> None:
    user.language = "en"
    user.save(update_fields=["language"])


def test_it_imports_once_and_creates_nothing_when_the_same_export_comes_again(cast, tmp_path):
    english(cast.bob)  # the run speaks its owner's language; the assertions quote English
    path = fx.export_file(tmp_path, fx.repo_car(fx.realistic_records()))

    first = archive_import(cast.bob, path, "bluesky")
    again = archive_import(cast.bob, path, "bluesky")

    assert first.status == again.status == "succeeded"
    counts = first.summary["files"]["repo.car"]
    # 12 posts and interactions plus the account.
    assert (counts["read"], counts["created"], counts["unit"]) == (13, 13, "record")
    assert counts["notes"][0].startswith("5 records of collections Maillage does not import")
    assert first.summary["as_of"] == "2026-11-29"
    assert all(c["created"] == 0 and c["updated"] == 0 for c in again.summary["files"].values())
    stored = Post.objects.filter(owner=cast.bob, network="bluesky")
    assert sorted(stored.values_list("kind", flat=True)) == sorted(
        ["original"] * 5 + ["quote", "quote", "reply", "reshare"]
    )
    reply = stored.get(key=f"at://{fx.DID}/app.bsky.feed.post/{fx.REPLY}")
    assert (reply.language, reply.published_at) == ("fr-CA", datetime(2026, 11, 3, 10, tzinfo=UTC))
    assert sorted(
        Interaction.objects.filter(owner=cast.bob, network="bluesky").values_list(
            "kind", "counterpart"
        )
    ) == [("follow", fx.JEAN), ("follow", fx.ZOE), ("reaction", fx.JEAN)]
    (social,) = SocialAccount.objects.filter(owner=cast.bob, network="bluesky")
    assert (social.handle, social.display_name, social.following_count) == (
        f"https://bsky.app/profile/{fx.DID}",
        "Marie Tremblay",
        2,
    )


def test_it_drops_nul_characters_that_databases_refuse(cast, tmp_path):
    english(cast.bob)  # the run speaks its owner's language; the assertions quote English
    rkey = fx.tid(fx.when(1))
    records = {
        f"{POST}/{rkey}": fx.post("Bon\x00jour", "2026-11-01T00:00:00Z", langs=["fr\x00"]),
        "app.bsky.actor.profile/self": {"displayName": "Marie\x00", "description": "\x00Bio"},
        f"app.bsky.feed.like/{rkey}": fx.subject_record(
            "like", {"uri": f"at://{fx.JEAN}\x00/{POST}/x", "cid": ""}, "2026-11-0\x001"
        ),
    }

    run = archive_import(cast.bob, fx.export_file(tmp_path, fx.repo_car(records)), "bluesky")

    assert run.status == "succeeded"
    stored = Post.objects.get(owner=cast.bob)
    assert (stored.text, stored.language) == ("Bonjour", "fr")
    social = SocialAccount.objects.get(owner=cast.bob, network="bluesky")
    assert (social.display_name, social.summary) == ("Marie", "Bio")
    (error,) = run.summary["files"]["repo.car"]["errors"]
    assert "(“2026-11-01”)" in error["reason"]


def test_it_adds_only_what_a_newer_export_brings(cast, tmp_path):
    records = fx.realistic_records()
    archive_import(cast.bob, fx.export_file(tmp_path / "old", fx.repo_car(records)), "bluesky")
    records.update(fx.many_posts(3, start=fx.when(27)))
    records[f"app.bsky.graph.follow/{fx.tid(fx.when(28))}"] = fx.follow(
        fx.SAMIR, "2026-11-28T10:00:00Z"
    )

    newer = archive_import(
        cast.bob, fx.export_file(tmp_path / "new", fx.repo_car(records)), "bluesky"
    )

    counts = newer.summary["files"]["repo.car"]
    # Three posts and a follow are new; the account now follows three people.
    assert (counts["created"], counts["updated"]) == (4, 1)
    assert Post.objects.filter(owner=cast.bob, network="bluesky").count() == 12
    assert SocialAccount.objects.get(owner=cast.bob, network="bluesky").following_count == 3

"""The Mastodon importer reads archives, their quirks and CSV exports into records."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from maillage.imports.importers.mastodon import MastodonImporter, base_name, export_date
from maillage.imports.importers.mastodon.content import _scan, html_text, html_text_slow
from maillage.imports.records import (
    AccountRecord,
    InteractionRecord,
    ParsedArchive,
    ParsedFile,
    PostRecord,
)
from maillage.imports.registry import importer_get
from maillage.imports.services import archive_import
from maillage.lib.safe_archive import open_archive
from maillage.presence.index import compute_index
from maillage.presence.models import Interaction, Post, SocialAccount
from maillage.presence.selectors import index_inputs, presence_history
from tests import mastodon_fixtures as fx


def parse(path: Path) -> ParsedArchive:
    with open_archive(path) as archive:
        return MastodonImporter().parse(archive)


def parse_files(tmp_path: Path, files: Mapping[str, str | bytes]) -> ParsedArchive:
    return parse(fx.archive_zip(tmp_path, files))


def one(parsed: ParsedArchive, name: str) -> ParsedFile:
    (found,) = [f for f in parsed.files if f.name == name]
    return found


def outbox(tmp_path: Path, items: list, **options) -> ParsedFile:
    return one(
        parse_files(tmp_path, {"outbox.json": fx.outbox_json(items, **options)}), "outbox.json"
    )


def posts(parsed_file: ParsedFile) -> dict[str, PostRecord]:
    return {r.key: r for r in parsed_file.records if isinstance(r, PostRecord)}


def only_post(tmp_path: Path, item: dict) -> PostRecord:
    (post,) = posts(outbox(tmp_path, [item])).values()
    return post


# --- outbox.json: the collection ---------------------------------------------------------


def test_json_loads_keeps_the_last_value_of_a_repeated_key():
    # The standard library's behaviour the importer relies on, and corrects when it is wrong.
    assert json.loads('{"orderedItems": [], "orderedItems": [1]}') == {"orderedItems": [1]}
    assert json.loads('{"orderedItems": [1], "orderedItems": []}') == {"orderedItems": []}


@pytest.mark.parametrize("repeated", ["empty-first", "empty-last"])
def test_it_keeps_the_filled_list_when_ordered_items_is_written_twice(tmp_path, repeated):
    items = [fx.note(1), fx.note(2, "2026-11-03T10:00:00Z")]
    raw = fx.outbox_json(items, repeated=repeated)
    assert raw.count('"orderedItems"') == 2

    parsed = outbox(tmp_path, items, repeated=repeated)

    assert parsed.status == "parsed"
    assert sorted(posts(parsed)) == [fx.status_uri(1), fx.status_uri(2)]
    assert parsed.read == 2


def test_it_takes_total_items_as_the_posts_count_never_as_a_check_on_the_items(tmp_path):
    archive = {
        "outbox.json": fx.outbox_json([fx.note(1), fx.note(2)], total=1234),
        "actor.json": fx.actor_json(),
    }
    parsed = parse_files(tmp_path, archive)

    out = one(parsed, "outbox.json")
    (account,) = one(parsed, "actor.json").records
    assert isinstance(account, AccountRecord)
    assert account.posts_count == 1234
    assert len(posts(out)) == 2
    assert out.errors == [] and out.notes == [] and out.skipped == []
    assert [r for r in out.records if isinstance(r, AccountRecord)] == []


# --- outbox.json: the items ---------------------------------------------------------------


def test_it_reads_a_created_note_as_an_original_public_post(tmp_path):
    item = fx.note(
        101,
        "2026-10-20T13:00:00Z",
        "<p>Bonjour le cercle</p>",
        attachments=[
            "media_attachments/files/110/101/original/a.jpg",
            "media_attachments/files/110/101/original/b.jpg",
        ],
    )
    post = only_post(tmp_path, item)

    assert post.key == "https://mastodon.example/users/marie/statuses/101"
    assert post.url == "https://mastodon.example/@marie/101"
    assert post.published_at == datetime(2026, 10, 20, 13, 0, tzinfo=UTC)
    assert post.published_at.tzinfo is UTC
    assert post.text == "Bonjour le cercle"
    assert (post.kind, post.visibility, post.language) == ("original", "public", "fr")
    assert post.media_url == "media_attachments/files/110/101/original/a.jpg"
    assert post.shared_url == ""


def test_it_reads_a_poll_as_a_post(tmp_path):
    post = only_post(tmp_path, fx.poll(107, "2026-10-26T08:00:00Z"))

    assert post.key == fx.status_uri(107)
    assert post.kind == "original"
    assert post.text == "Quel jour pour le prochain déjeuner ?"
    assert post.published_at == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_it_reads_a_boost_whose_object_is_a_bare_uri_as_a_reshare(tmp_path):
    post = only_post(tmp_path, fx.announce(108, fx.BOOSTED, "2026-10-27T08:15:00Z"))

    assert post.key == "https://mastodon.example/users/marie/statuses/108/activity"
    assert post.kind == "reshare"
    assert post.shared_url == "https://social.example/users/lea/statuses/3303"
    assert post.published_at == datetime(2026, 10, 27, 8, 15, tzinfo=UTC)
    assert (post.text, post.url, post.visibility) == ("", "", "public")


def test_it_takes_the_language_from_content_map_and_leaves_it_empty_without(tmp_path):
    found = posts(
        outbox(
            tmp_path,
            [fx.note(1, language="en"), fx.note(2, language=None), fx.note(3, language="fr-CA")],
        )
    )

    assert [found[fx.status_uri(n)].language for n in (1, 2, 3)] == ["en", "", "fr-CA"]


def test_it_turns_html_into_plain_text_with_accents_emoji_links_and_entities(tmp_path):
    post = only_post(tmp_path, fx.note(1, content=fx.RICH_CONTENT))

    assert post.text == fx.RICH_TEXT
    # The link is read whole, hidden parts included; mentions and hashtags are not shared.
    assert post.shared_url == fx.ARTICLE


def test_it_puts_the_content_warning_before_the_text(tmp_path):
    post = only_post(
        tmp_path, fx.note(1, content="<p>Les résultats du trimestre</p>", summary="Chiffres")
    )

    assert post.text == "Chiffres\n\nLes résultats du trimestre"


def test_it_reads_like_and_share_counts_when_present_and_none_when_absent(tmp_path):
    found = posts(outbox(tmp_path, [fx.note(1, likes=12, shares=0), fx.note(2)]))

    counted, older = found[fx.status_uri(1)], found[fx.status_uri(2)]
    assert (counted.reactions_count, counted.reshares_count) == (12, 0)
    assert (older.reactions_count, older.reshares_count) == (None, None)
    # Mastodon's replies collection states no count.
    assert counted.comments_count is None
    assert counted.reach is None


def test_it_marks_a_reply_to_someone_else_as_a_reply_and_a_self_reply_as_original(tmp_path):
    found = posts(
        outbox(
            tmp_path,
            [
                fx.note(1),
                fx.note(2, in_reply_to=fx.status_uri(1)),
                fx.note(3, in_reply_to=fx.REPLIED_TO),
                # A user whose name starts like Marie's is someone else.
                fx.note(4, in_reply_to="https://mastodon.example/users/mariel/statuses/9"),
            ],
        )
    )

    kinds = [found[fx.status_uri(n)].kind for n in (1, 2, 3, 4)]
    assert kinds == ["original", "original", "reply", "reply"]


def test_it_reads_a_quote_post_as_a_quote_of_the_post_it_quotes(tmp_path):
    quoted = "https://social.example/users/lea/statuses/5505"
    content = (
        f'<p class="quote-inline">RE: <a href="{quoted}">{quoted}</a></p><p>Tellement vrai</p>'
    )
    post = only_post(tmp_path, fx.note(1, content=content, quote=quoted))

    assert (post.kind, post.shared_url, post.text) == ("quote", quoted, "Tellement vrai")


def test_it_sets_the_visibility_from_to_and_cc(tmp_path):
    found = posts(
        outbox(
            tmp_path,
            [
                fx.note(1, audience="public"),
                fx.note(2, audience="unlisted"),
                fx.note(3, audience="followers"),
                fx.announce(4, fx.BOOSTED, audience="unlisted"),
            ],
        )
    )

    assert [found[fx.status_uri(n)].visibility for n in (1, 2, 3)] == [
        "public",
        "unlisted",
        "followers",
    ]
    assert found[fx.status_uri(4) + "/activity"].visibility == "unlisted"


def test_it_skips_direct_messages_with_a_neutral_reason(tmp_path):
    parsed = outbox(tmp_path, [fx.note(1), fx.note(2, "2026-11-02T15:00:00Z", audience="direct")])

    assert list(posts(parsed)) == [fx.status_uri(1)]
    (skipped,) = parsed.skipped
    assert skipped.line == 2
    assert "direct message" in skipped.reason
    assert "418" not in skipped.reason
    assert parsed.errors == []


def test_it_skips_activities_that_are_not_posts_with_a_reason(tmp_path):
    update = {"id": fx.status_uri(5) + "#updates/1", "type": "Update", "actor": fx.ACTOR_ID}
    article = fx.note(6, kind="Article")
    parsed = outbox(tmp_path, [fx.note(1), update, article])

    assert list(posts(parsed)) == [fx.status_uri(1)]
    assert [(s.line, s.reason) for s in parsed.skipped] == [
        (2, "Activities of type “Update” are not posts: not imported."),
        (
            3,
            "Statuses of type “Article” are not posts Maillage reads (it reads notes and polls): "
            "not imported.",
        ),
    ]


def test_it_reports_each_malformed_item_by_its_number_and_reads_the_others(tmp_path):
    no_date = fx.note(3, published="")
    no_date["published"] = ""
    bad_date = fx.note(4, published="le 3 novembre")
    bad_date["published"] = "le 3 novembre"
    no_object = {
        "id": fx.status_uri(5) + "/activity",
        "type": "Create",
        "published": "2026-11-02T14:30:00Z",
    }
    parsed = outbox(
        tmp_path, [fx.note(1), "not an activity", no_date, bad_date, no_object, fx.note(6)]
    )

    assert parsed.status == "parsed"
    assert parsed.unit == "item"
    assert parsed.read == 6
    assert sorted(posts(parsed)) == [fx.status_uri(1), fx.status_uri(6)]
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (2, "This item is not an ActivityPub activity (an object with a “type”)."),
        (3, "This post has no date (“published”)."),
        (4, "The date “le 3 novembre” of this post could not be read."),
        (5, "This “Create” activity holds no post (its “object” is missing)."),
    ]


def test_it_reads_dates_with_an_offset_as_utc(tmp_path):
    post = only_post(tmp_path, fx.note(1, "2026-11-02T09:30:00-05:00"))

    assert post.published_at == datetime(2026, 11, 2, 14, 30, tzinfo=UTC)
    assert post.published_at.tzinfo is UTC


# --- bad files ------------------------------------------------------------------------------


def test_it_rejects_a_truncated_outbox_and_says_what_to_do(tmp_path):
    raw = fx.outbox_json([fx.note(n) for n in range(1, 4)])
    parsed = parse_files(
        tmp_path, {"outbox.json": raw[: len(raw) // 2], "actor.json": fx.actor_json()}
    )

    bad = one(parsed, "outbox.json")
    assert bad.status == "rejected"
    assert bad.records == []
    (error,) = bad.errors
    assert error.line == 1
    assert "outbox.json is incomplete or damaged" in error.reason
    assert "Request your archive" in error.reason
    # The other files still import.
    assert one(parsed, "actor.json").status == "parsed"


def test_it_rejects_a_truncated_actor_with_the_line_where_it_breaks(tmp_path):
    raw = json.dumps(json.loads(fx.actor_json()), indent=2)
    parsed = parse_files(
        tmp_path, {"actor.json": raw[:200], "outbox.json": fx.outbox_json([fx.note(1)])}
    )

    bad = one(parsed, "actor.json")
    assert bad.status == "rejected"
    assert bad.errors[0].line > 1
    assert f"line {bad.errors[0].line}" in bad.errors[0].reason
    assert len(posts(one(parsed, "outbox.json"))) == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"type": "Collection", "items": []}', "is not a Mastodon list of activities"),
        ("[1, 2, 3]", "is not a Mastodon list of activities"),
        ('{"type": "OrderedCollection", "orderedItems": {"0": 1}}', "has no list of items"),
        ('{"type": "OrderedCollection", "totalItems": 3}', "has no list of items"),
    ],
)
def test_it_rejects_an_outbox_of_the_wrong_shape(tmp_path, content, expected):
    bad = one(parse_files(tmp_path, {"outbox.json": content}), "outbox.json")

    assert bad.status == "rejected"
    assert expected in bad.errors[0].reason


def test_it_rejects_an_actor_that_is_not_an_account(tmp_path):
    parsed = parse_files(
        tmp_path, {"actor.json": '{"type": "Note", "id": "x"}', "outbox.json": fx.outbox_json([])}
    )

    bad = one(parsed, "actor.json")
    assert bad.status == "rejected"
    assert "does not describe a Mastodon account" in bad.errors[0].reason
    assert bad.records == []


# --- actor.json -----------------------------------------------------------------------------


def test_it_reads_the_account_from_the_actor(tmp_path):
    parsed = parse_files(
        tmp_path, {"actor.json": fx.actor_json(), "outbox.json": fx.outbox_json([], total=57)}
    )

    (account,) = one(parsed, "actor.json").records
    assert isinstance(account, AccountRecord)
    assert account.handle == "https://mastodon.example/@marie"
    assert account.display_name == "Marie Tremblay ✨"
    assert (
        account.summary
        == "Directrice des ventes à Québec. J'aide les PME à vendre\nsur les réseaux. 🇨🇦"
    )
    # Only the fields that are links, one per line; "Pronoms: elle" is not a website.
    assert (
        account.websites
        == "https://www.example.com/\nhttps://www.linkedin.com/in/marie-tremblay-qc"
    )
    assert account.posts_count == 57
    assert (account.followers_count, account.following_count) == (None, None)


def test_it_says_why_the_profile_is_missing_when_the_actor_has_no_address(tmp_path):
    actor = json.dumps({"type": "Person", "preferredUsername": "marie"})
    outbox_file = fx.outbox_json([fx.note(1)])
    parsed = parse_files(tmp_path, {"actor.json": actor, "outbox.json": outbox_file})

    read = one(parsed, "actor.json")
    assert (read.status, read.records, read.errors) == ("parsed", [], [])
    assert read.notes[0].startswith("actor.json does not give the account's address")
    # The posts are read all the same.
    assert len(posts(one(parsed, "outbox.json"))) == 1


def test_it_names_the_account_by_its_username_when_it_has_no_display_name(tmp_path):
    parsed = parse_files(
        tmp_path, {"actor.json": fx.actor_json(name="", attachment=[], summary=None)}
    )

    (account,) = one(parsed, "actor.json").records
    assert isinstance(account, AccountRecord)
    assert (account.display_name, account.summary, account.websites) == ("marie", "", "")
    assert account.posts_count is None  # no outbox.json, no counter


# --- likes.json and following_accounts.csv ----------------------------------------------------


def test_it_reads_favourites_as_dateless_reactions(tmp_path):
    likes = one(
        parse_files(tmp_path, {"likes.json": fx.likes_json([*fx.LIKED, 42], "empty-first")}),
        "likes.json",
    )

    found = [r for r in likes.records if isinstance(r, InteractionRecord)]
    assert [(r.key, r.kind, r.occurred_at, r.target_url, r.detail) for r in found] == [
        ("like:" + fx.LIKED[0], "reaction", None, fx.LIKED[0], "favourite"),
        ("like:" + fx.LIKED[1], "reaction", None, fx.LIKED[1], "favourite"),
    ]
    assert (likes.read, likes.unit) == (3, "item")
    assert [(e.line, e.reason) for e in likes.errors] == [
        (3, "This favourite does not give the address of a post.")
    ]


def test_it_reads_the_following_csv_as_dateless_follows(tmp_path):
    path = fx.single_file(
        tmp_path, "following_accounts.csv", fx.FOLLOWING_CSV + "pas une adresse,true,false,\n"
    )
    parsed = one(parse(path), "following_accounts.csv")

    found = [r for r in parsed.records if isinstance(r, InteractionRecord)]
    assert all(r.kind == "follow" and r.occurred_at is None for r in found)
    assert [(r.key, r.counterpart, r.target_url) for r in found] == [
        ("follow:jean@autre.example", "jean@autre.example", "https://autre.example/@jean"),
        (
            "follow:lea.morin@social.example",
            "Lea.Morin@Social.Example",
            "https://social.example/@lea.morin",
        ),
        ("follow:sam@mastodon.example", "sam@mastodon.example", "https://mastodon.example/@sam"),
    ]
    assert parsed.read == 4
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (5, "“pas une adresse” is not an account address like name@instance.")
    ]


def test_it_reads_a_following_list_without_a_header(tmp_path):
    path = fx.single_file(tmp_path, "following_accounts.csv", fx.FOLLOWING_HEADERLESS)
    parsed = one(parse(path), "following_accounts.csv")

    assert [r.key for r in parsed.records if isinstance(r, InteractionRecord)] == [
        "follow:jean@autre.example",
        "follow:lea.morin@social.example",
    ]
    assert parsed.read == 2


def test_it_rejects_a_following_csv_without_addresses(tmp_path):
    path = fx.single_file(tmp_path, "following_accounts.csv", "Nom,Ville\nJean,Québec\n")
    parsed = one(parse(path), "following_accounts.csv")

    assert parsed.status == "rejected"
    assert "no “Account address” column" in parsed.errors[0].reason


def test_it_lists_bookmarks_and_other_exports_as_ignored_with_the_reason(tmp_path):
    parsed = parse_files(
        tmp_path,
        {
            "outbox.json": fx.outbox_json([fx.note(1)]),
            "bookmarks.json": fx.collection_json("bookmarks.json", [fx.BOOSTED], None),
            "blocked_accounts.csv": "troll@bad.example\n",
            "muted_accounts.csv": "Account address,Hide notifications\nbruit@autre.example,true\n",
            "lists.csv": "Collègues,jean@autre.example\n",
            "notes.txt": "rien",
        },
    )

    statuses = {f.name: (f.status, f.records, f.notes) for f in parsed.files}
    assert statuses["bookmarks.json"] == (
        "ignored",
        [],
        ["Bookmarks are private reminders, not activity others see: not imported."],
    )
    assert statuses["blocked_accounts.csv"][2] == [
        "Blocks and mutes are private settings: not imported."
    ]
    assert statuses["muted_accounts.csv"][0] == "ignored"
    assert statuses["lists.csv"][2] == ["Lists only organise the owner's timeline: not imported."]
    assert statuses["notes.txt"] == ("ignored", [], [])


# --- HTML to text -----------------------------------------------------------------------------


HTML_SAMPLES = [
    fx.RICH_CONTENT,
    "<p>Un</p><p>Deux<br>trois<br/>quatre</p>",
    "<p>Espaces   multiples\net\tretours</p>",
    "Texte brut &amp; entité",
    "<p>Lien <a href='https://example.com/a?x=1&amp;y=2'>ici</a></p>",
    '<p><a href="https://example.com/b?x=1&amp;y=2" class="u-url">b</a> puis <a href="https://c.example">c</a></p>',
    "<p>Avant<!-- commentaire --> après</p>",
    "<p>Code <script>alert(1)</script>fin</p>",
    "<blockquote><p>Citation</p></blockquote><ul><li>un</li><li>deux</li></ul>",
    '<p class="quote-inline">RE: <a href="https://q.example/1">https://q.example/1</a></p><p>Oui</p>',
    "<p>1 &lt; 2 &gt; 0 et l&#39;été</p>",
    "<p><a href=https://unquoted.example>sans guillemets</a></p>",
    "<p>Fin sans fermeture",
]


@pytest.mark.parametrize("html", HTML_SAMPLES)
def test_the_fast_html_reader_agrees_with_the_standard_library(html):
    assert html_text(html) == html_text_slow(html)


def test_the_fast_html_reader_reads_mastodons_own_markup_without_falling_back():
    with_query = '<p>Voir <a href="https://example.com/a?utm=1&amp;x=2" rel="nofollow">ici</a></p>'
    assert _scan(fx.RICH_CONTENT) == (fx.RICH_TEXT, fx.ARTICLE)
    assert _scan(with_query) == ("Voir ici", "https://example.com/a?utm=1&x=2")


def test_it_reads_paragraphs_breaks_and_links_as_a_reader_sees_them():
    assert html_text("<p>Un</p><p>Deux<br />trois</p>") == ("Un\n\nDeux\ntrois", "")
    assert html_text('<p>Lien <a href="https://example.com/a?x=1&amp;y=2">ici</a></p>') == (
        "Lien ici",
        "https://example.com/a?x=1&y=2",
    )
    assert html_text("<p>Avant<!-- commentaire --> après <script>x()</script></p>") == (
        "Avant après",
        "",
    )


# --- the whole archive ----------------------------------------------------------------------


def test_it_reads_a_whole_realistic_archive(tmp_path):
    parsed = parse_files(tmp_path, fx.full_archive())

    assert parsed.network == "mastodon"
    assert parsed.as_of == date(2026, 11, 29)
    # Photos are left out by the safe archive before the importer sees the names.
    assert sorted(f.name for f in parsed.files) == [
        "actor.json",
        "bookmarks.json",
        "likes.json",
        "outbox.json",
    ]
    out = one(parsed, "outbox.json")
    found = posts(out)
    kinds = {key.removesuffix("/activity").rsplit("/", 1)[-1]: p.kind for key, p in found.items()}
    assert kinds == {
        "101": "original",
        "102": "original",
        "103": "reply",
        "104": "original",
        "105": "original",
        "107": "original",
        "108": "reshare",
    }
    assert [s.line for s in out.skipped] == [6]  # the direct message
    assert out.errors == []
    first = found[fx.status_uri(101)]
    assert (first.text, first.shared_url, first.reactions_count, first.reshares_count) == (
        fx.RICH_TEXT,
        fx.ARTICLE,
        12,
        3,
    )
    assert found[fx.status_uri(104)].language == "en"
    (account,) = one(parsed, "actor.json").records
    assert isinstance(account, AccountRecord)
    assert account.posts_count == 1234
    assert len(one(parsed, "likes.json").records) == 2
    assert one(parsed, "bookmarks.json").status == "ignored"


def test_it_reads_the_archive_unpacked_into_a_folder(tmp_path):
    folder = fx.archive_folder(tmp_path, fx.full_archive(), "archive-20261129143015-5f0c8e6a")
    parsed = parse(folder)

    assert parsed.as_of == date(2026, 11, 29)
    assert len(posts(one(parsed, "outbox.json"))) == 7
    (account,) = one(parsed, "actor.json").records
    assert isinstance(account, AccountRecord)
    assert account.handle == fx.PROFILE_URL


def test_it_imports_an_older_tar_gz_archive(cast, tmp_path):
    path = fx.archive_tar(tmp_path, fx.full_archive(), "archive-20221103101010-0a1b2c3d.tar.gz")

    run = archive_import(cast.bob, path, "mastodon")

    assert run.status == "succeeded"
    assert run.summary["as_of"] == "2022-11-03"
    assert run.summary["files"]["outbox.json"]["created"] == 7
    assert Post.objects.filter(owner=cast.bob, network="mastodon").count() == 7
    assert Interaction.objects.filter(owner=cast.bob, network="mastodon").count() == 2


def test_it_dates_an_archive_by_its_name_else_by_its_newest_file(tmp_path):
    assert export_date("archive-20261129143015-5f0c8e6a.zip") == date(2026, 11, 29)
    assert export_date("uploads/archive-20240229000000-ab (1).zip") == date(2024, 2, 29)
    assert export_date("archive-20261399143015-5f.zip") is None
    assert export_date("outbox.json") is None
    path = fx.single_file(tmp_path, "outbox.json", fx.outbox_json([fx.note(1)]))
    os.utime(path, (1_780_000_000, 1_780_000_000))

    assert parse(path).as_of == datetime.fromtimestamp(1_780_000_000, tz=UTC).date()


def test_it_keeps_the_same_keys_between_two_exports(tmp_path):
    older = parse(fx.archive_zip(tmp_path, fx.full_archive(), "archive-20261001000000-aa.zip"))
    newer_items = [
        fx.note(101, "2026-10-20T13:00:00Z", fx.RICH_CONTENT, likes=30, shares=5),
        *fx.full_items()[1:],
        fx.note(109, "2026-11-20T08:00:00Z"),
    ]
    newer = parse(
        fx.archive_zip(
            tmp_path, fx.full_archive(newer_items, total=1240), "archive-20261129000000-bb.zip"
        )
    )

    def keys(parsed: ParsedArchive) -> set[str]:
        return {
            r.key
            for f in parsed.files
            for r in f.records
            if isinstance(r, (PostRecord, InteractionRecord))
        }

    assert keys(older) <= keys(newer)
    assert keys(newer) - keys(older) == {fx.status_uri(109)}


@pytest.mark.parametrize(
    ("names", "score"),
    [
        (["outbox.json", "actor.json", "likes.json", "bookmarks.json"], 1.0),
        (["archive/outbox.json", "archive/actor.json"], 1.0),
        (["outbox.json"], 0.8),
        (["outbox (1).json"], 0.8),
        (["following_accounts.csv"], 0.7),
        (["bookmarks.json"], 0.0),
        (["Connections.csv", "messages.csv", "Profile.csv"], 0.0),
        (["data/manifest.js", "data/tweets.js", "data/like.js"], 0.0),
        (
            [
                "your_facebook_activity/posts/your_posts_1.json",
                "connections/friends/your_friends.json",
            ],
            0.0,
        ),
        (["repo.car"], 0.0),
    ],
)
def test_it_claims_mastodon_archives_and_nothing_else(names, score):
    assert MastodonImporter().claims(names) == score


def test_it_is_the_registered_mastodon_importer():
    importer = importer_get("mastodon")
    assert isinstance(importer, MastodonImporter)
    assert (importer.kind, importer.network, importer.label) == ("mastodon", "mastodon", "Mastodon")


def test_it_recognises_a_file_downloaded_twice():
    assert base_name("Downloads/following_accounts (2).csv") == "following_accounts.csv"
    assert base_name("OUTBOX.JSON") == "outbox.json"
    assert base_name("notes (draft).json") == "notes (draft).json"


def test_it_reports_progress_once_per_file_read(tmp_path):
    seen: list[tuple[int, str]] = []
    with open_archive(fx.archive_zip(tmp_path, fx.full_archive())) as archive:
        MastodonImporter().parse(archive, lambda percent, label: seen.append((percent, label)))

    assert seen == [(33, "actor.json"), (66, "outbox.json"), (100, "likes.json")]


# --- through the database ---------------------------------------------------------------------


def test_it_imports_a_whole_archive_then_creates_nothing_when_imported_again(cast, tmp_path):
    archive = fx.full_archive()
    archive["following_accounts.csv"] = fx.FOLLOWING_CSV
    path = fx.archive_zip(tmp_path, archive)

    first = archive_import(cast.bob, path, "mastodon")
    again = archive_import(cast.bob, path, "mastodon")

    assert first.status == again.status == "succeeded"
    files = first.summary["files"]
    assert files["outbox.json"]["created"] == 7
    assert files["outbox.json"]["skipped"] == 1
    assert files["likes.json"]["created"] == 2
    assert files["following_accounts.csv"]["created"] == 3
    assert files["actor.json"]["created"] == 1
    assert files["bookmarks.json"]["status"] == "ignored"
    for count in again.summary["files"].values():
        assert count["created"] == 0
        assert count["updated"] == 0

    (account,) = SocialAccount.objects.filter(owner=cast.bob, network="mastodon")
    assert (account.handle, account.display_name, account.posts_count) == (
        fx.PROFILE_URL,
        "Marie Tremblay ✨",
        1234,
    )
    stored = {p.key: p for p in Post.objects.filter(owner=cast.bob, network="mastodon")}
    assert len(stored) == 7
    first_post = stored[fx.status_uri(101)]
    assert (
        first_post.kind,
        first_post.language,
        first_post.reactions_count,
        first_post.visibility,
    ) == ("original", "fr", 12, "public")
    assert first_post.published_at == datetime(2026, 10, 20, 13, 0, tzinfo=UTC)
    assert stored[fx.status_uri(103)].kind == "reply"
    assert stored[fx.status_uri(108) + "/activity"].shared_url == fx.BOOSTED
    assert fx.status_uri(106) not in stored  # the direct message
    interactions = Interaction.objects.filter(owner=cast.bob, network="mastodon")
    assert sorted(interactions.values_list("kind", flat=True)) == ["follow"] * 3 + ["reaction"] * 2
    assert all(i.occurred_at is None and i.account_id == account.pk for i in interactions)


def test_a_newer_archive_adds_its_new_posts_and_updates_the_counts(cast, tmp_path):
    archive_import(
        cast.bob,
        fx.archive_zip(tmp_path, fx.full_archive(), "archive-20261001000000-aa.zip"),
        "mastodon",
    )
    items = [
        fx.note(
            101,
            "2026-10-20T13:00:00Z",
            fx.RICH_CONTENT,
            attachments=["media_attachments/files/110/101/original/dejeuner.jpg"],
            likes=30,
            shares=5,
        ),
        *fx.full_items()[1:],
        fx.note(109, "2026-11-20T08:00:00Z"),
    ]
    newer = archive_import(
        cast.bob,
        fx.archive_zip(
            tmp_path, fx.full_archive(items, total=1240), "archive-20261129000000-bb.zip"
        ),
        "mastodon",
    )

    files = newer.summary["files"]
    assert (files["outbox.json"]["created"], files["outbox.json"]["updated"]) == (1, 1)
    assert files["actor.json"]["updated"] == 1
    assert Post.objects.get(owner=cast.bob, key=fx.status_uri(101)).reactions_count == 30
    assert SocialAccount.objects.get(owner=cast.bob, network="mastodon").posts_count == 1240
    assert Post.objects.filter(owner=cast.bob, network="mastodon").count() == 8


def test_a_lone_following_csv_imports_on_the_members_mastodon_account(cast, tmp_path):
    path = fx.single_file(tmp_path, "following_accounts.csv", fx.FOLLOWING_CSV)

    run = archive_import(cast.carol, path, "mastodon")

    assert run.status == "succeeded"
    assert run.summary["files"]["following_accounts.csv"]["created"] == 3
    assert (
        Interaction.objects.filter(owner=cast.carol, network="mastodon", kind="follow").count() == 3
    )


def test_a_member_with_only_a_mastodon_archive_gets_a_meaningful_presence_index(
    cast, tmp_path, monkeypatch
):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 25, 15, 0, tzinfo=UTC))
    archive_import(cast.bob, fx.archive_zip(tmp_path, fx.full_archive()), "mastodon")

    inputs = index_inputs(presence_history(cast.bob), date(2026, 11, 23))
    result = compute_index(inputs)

    assert inputs.profile_fields == 5  # name, bio and links
    assert inputs.original_posts == 5  # the thread's second status and the poll included
    assert inputs.comments_given == 1  # the reply to Jean
    assert result.score > 0
    assert result.pillars["brand"] > 0

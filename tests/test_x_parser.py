"""The X importer reads X's archive as X writes it: every part, every older shape, every quirk."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from maillage.imports.importers.x import Member, XImporter, export_date, member_of
from maillage.imports.importers.x.tweets import created_at_parse, language_of, status_id
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
from tests import x_fixtures as fx

STATUS = f"https://x.com/{fx.USERNAME}/status/"


def parse(path: Path) -> ParsedArchive:
    with open_archive(path) as archive:
        return XImporter().parse(archive)


def parse_members(
    tmp_path: Path, members: Mapping[str, bytes | str], **kwargs: str
) -> ParsedArchive:
    return parse(fx.export_zip(tmp_path, members, **kwargs))


def one(parsed: ParsedArchive, name: str) -> ParsedFile:
    (found,) = [f for f in parsed.files if f.name == name]
    return found


def posts(parsed: ParsedArchive) -> dict[str, PostRecord]:
    """Posts by their id (the key without `tweet:`)."""
    return {
        r.key.removeprefix("tweet:"): r
        for f in parsed.files
        for r in f.records
        if isinstance(r, PostRecord)
    }


def interactions(parsed: ParsedArchive, kind: str) -> list[InteractionRecord]:
    return [
        r
        for f in parsed.files
        for r in f.records
        if isinstance(r, InteractionRecord) and r.kind == kind
    ]


def accounts(parsed: ParsedArchive) -> list[AccountRecord]:
    return [r for f in parsed.files for r in f.records if isinstance(r, AccountRecord)]


def tweets_file(items: list[dict[str, Any]], name: str = "tweets", part: int = 0) -> str:
    return fx.ytd(name, fx.wrapped(items), part)


def lone(tmp_path: Path, *items: dict[str, Any]) -> dict[str, PostRecord]:
    """The posts of a lone tweets.js holding these items (with account.js for the handle)."""
    parsed = parse_members(
        tmp_path, {"data/account.js": fx.account(), "data/tweets.js": tweets_file(list(items))}
    )
    return posts(parsed)


# --- the manifest and the file names --------------------------------------------------------


def test_it_follows_the_manifest_to_every_part_of_the_posts(tmp_path):
    first = [fx.tweet(f"18600000000000000{n:02d}", fx.at(1 + n), f"Billet {n}") for n in range(3)]
    second = [fx.tweet(f"18600000000000001{n:02d}", fx.at(10 + n), f"Suite {n}") for n in range(2)]
    members = {
        "data/manifest.js": fx.manifest(
            {"tweets": [("data/tweets.js", 3), ("data/tweets-part1.js", 2)]}
        ),
        "data/tweets.js": tweets_file(first),
        "data/tweets-part1.js": tweets_file(second, part=1),
    }

    parsed = parse_members(tmp_path, members)

    assert one(parsed, "data/tweets.js").read == 3
    assert one(parsed, "data/tweets-part1.js").read == 2
    assert sorted(p.text for p in posts(parsed).values()) == [
        "Billet 0", "Billet 1", "Billet 2", "Suite 0", "Suite 1",
    ]  # fmt: skip
    assert one(parsed, "data/manifest.js").status == "parsed"
    assert all(not f.notes for f in parsed.files)
    # Without account.js, the manifest names the owner: posts get their address with the handle.
    assert posts(parsed)["1860000000000000000"].url == STATUS + "1860000000000000000"


def test_it_finds_the_parts_the_manifest_lists_in_a_re_zipped_folder(tmp_path):
    top = "twitter-2026-11-29-3f2a9c1d7e5b4a60/"
    members = {top + name: text for name, text in fx.archive_members().items()}

    parsed = parse_members(tmp_path, members, name="archive.zip")

    assert len(posts(parsed)) == 9
    assert one(parsed, top + "data/manifest.js").notes == []


def test_it_notes_when_the_manifest_announces_another_count(tmp_path):
    members = {
        "data/manifest.js": fx.manifest({"tweets": [("data/tweets.js", 4)]}),
        "data/tweets.js": tweets_file([fx.tweet(fx.ORIGINAL, fx.at(3), "Un seul billet")]),
    }

    parsed = parse_members(tmp_path, members)

    (note,) = one(parsed, "data/tweets.js").notes
    assert "announces 4 items in this file, but 1 were found" in note
    assert len(posts(parsed)) == 1


def test_it_notes_the_parts_the_manifest_lists_but_the_upload_lacks(tmp_path):
    members = {
        "data/manifest.js": fx.manifest(
            {
                "tweets": [("data/tweets.js", 1), ("data/tweets-part1.js", 50_000)],
                "like": [("data/like.js", 0)],
            }
        ),
        "data/tweets.js": tweets_file([fx.tweet(fx.ORIGINAL, fx.at(3), "Premier billet")]),
    }

    parsed = parse_members(tmp_path, members)

    (note,) = one(parsed, "data/manifest.js").notes
    assert "lists data/tweets-part1.js, which is not in the upload" in note
    assert "like.js" not in note  # an empty data type has nothing missing


def test_it_reads_the_parts_by_their_names_when_there_is_no_manifest(tmp_path):
    folder = fx.export_folder(
        tmp_path,
        {
            "tweets.js": tweets_file([fx.tweet(fx.ORIGINAL, fx.at(3), "Un")]),
            "tweets-part1.js": tweets_file([fx.tweet(fx.QUOTE, fx.at(4), "Deux")], part=1),
            "tweets-part2 (1).js": tweets_file([fx.tweet(fx.MEDIA, fx.at(5), "Trois")], part=2),
        },
    )

    parsed = parse(folder)

    assert {p.text for p in posts(parsed).values()} == {"Un", "Deux", "Trois"}
    # Without account.js nor manifest, the handle is unknown: X's handle-less address.
    assert posts(parsed)[fx.ORIGINAL].url == f"https://x.com/i/status/{fx.ORIGINAL}"


def test_it_reads_the_older_tweet_js_naming(tmp_path):
    members = {
        "data/manifest.js": fx.manifest({"tweet": [("data/tweet.js", 1)]}),
        "data/tweet.js": tweets_file([fx.tweet(fx.ORIGINAL, fx.at(3), "Avant 2022")], "tweet"),
    }

    parsed = parse_members(tmp_path, members, name="twitter-2021-06-30-0a1b2c3d.zip")

    assert one(parsed, "data/tweet.js").status == "parsed"
    assert posts(parsed)[fx.ORIGINAL].text == "Avant 2022"
    assert parsed.as_of == date(2021, 6, 30)


def test_it_reads_posts_not_wrapped_in_tweet_before_2020(tmp_path):
    items = [
        fx.tweet(fx.ORIGINAL, datetime(2019, 3, 14, 9, 26, 53, tzinfo=UTC), "Pi &amp; café"),
        fx.tweet(fx.QUOTE, datetime(2019, 3, 15, 9, 0, tzinfo=UTC), "Deuxième", likes="3"),
    ]
    text = "window.YTD.tweet.part0 = " + json.dumps(items, indent=2)

    parsed = parse(fx.single_file(tmp_path, "tweet.js", text))

    found = posts(parsed)
    assert found[fx.ORIGINAL].published_at == datetime(2019, 3, 14, 9, 26, 53, tzinfo=UTC)
    assert found[fx.ORIGINAL].text == "Pi & café"
    assert found[fx.QUOTE].reactions_count == 3


def test_it_recognises_a_renamed_lone_file_by_its_window_ytd_name(tmp_path):
    text = fx.ytd("like", fx.wrapped([{"tweetId": "42", "fullText": "x"}], "like"))

    parsed = parse(fx.single_file(tmp_path, "mes-jaimes.js", text))

    assert [r.key for r in interactions(parsed, "reaction")] == ["like:42"]


def test_it_ignores_the_files_it_does_not_read(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members())

    for name in (
        "data/direct-messages.js",
        "data/README.txt",
        "Your archive.html",
        "assets/js/main.0a1b2c3d.js",
    ):
        assert one(parsed, name).status == "ignored"
        assert one(parsed, name).records == []


def test_it_claims_archives_by_their_names():
    importer = XImporter()

    assert importer.claims(["data/manifest.js", "data/account.js"]) >= 0.9
    assert importer.claims(["twitter-2026/data/tweets.js", "Your archive.html"]) >= 0.9
    assert importer.claims(["data/tweet.js"]) >= 0.9
    assert importer.claims(["tweets.js"]) == pytest.approx(0.8)
    assert importer.claims(["like (1).js"]) == pytest.approx(0.8)
    assert importer.claims(["outbox.json", "actor.json"]) == 0
    assert importer.claims(["Connections.csv", "assets/js/app.js"]) == 0


def test_it_knows_files_by_name_and_part():
    assert member_of("data/tweets-part3.js") == Member("tweets", 3)
    assert member_of("Twitter/data/Note-Tweet (2).js") == Member("notes", 0)
    assert member_of("data/tweets.json") is None
    assert member_of("data/ad-engagements.js") is None


def test_it_takes_the_export_date_from_the_archive_name_else_the_newest_file(tmp_path):
    assert export_date("twitter-2026-11-29-3f2a9c1d7e5b4a60.zip") == date(2026, 11, 29)
    assert export_date("twitter-2026-13-29-3f2a.zip") is None
    assert export_date("archive.zip") is None

    parsed = parse_members(tmp_path, fx.archive_members(), name="mon-archive.zip")

    assert parsed.as_of == date(*fx.MEMBER_TIME[:3])


# --- posts --------------------------------------------------------------------------------------


def test_it_reads_dates_in_x_s_format_with_any_offset():
    assert created_at_parse("Thu Nov 03 08:50:26 +0000 2022") == datetime(
        2022, 11, 3, 8, 50, 26, tzinfo=UTC
    )
    assert created_at_parse("Thu Nov 03 08:50:26 -0500 2022") == datetime(
        2022, 11, 3, 13, 50, 26, tzinfo=UTC
    )
    assert created_at_parse("Thu Nov  3 08:50:26 +0000 2022").day == 3
    for wrong in ("2022-11-03 08:50:26", "Thu Foo 03 08:50:26 +0000 2022", "Thu Nov 03"):
        with pytest.raises(ValueError):
            created_at_parse(wrong)


def test_it_reads_a_post_dated_with_another_offset(tmp_path):
    item = fx.tweet(fx.ORIGINAL, fx.at(3), "Bonjour de Québec")
    item["created_at"] = "Tue Nov 03 09:50:26 -0500 2026"

    found = lone(tmp_path, item)

    assert found[fx.ORIGINAL].published_at == datetime(2026, 11, 3, 14, 50, 26, tzinfo=UTC)


def test_it_reads_counts_written_as_strings(tmp_path):
    found = lone(tmp_path, fx.tweet(fx.ORIGINAL, fx.at(3), "Merci!", likes="1204", retweets="37"))

    post = found[fx.ORIGINAL]
    assert (post.reactions_count, post.reshares_count) == (1204, 37)
    assert post.comments_count is None  # the archive does not count replies
    assert post.published_at == fx.at(3)


def test_it_marks_retweets_as_reshares_without_their_meaningless_counts(tmp_path):
    found = lone(tmp_path, fx.tweet(fx.RETWEET, fx.at(5), "RT @ChambreQuebec: Gala 2026"))

    post = found[fx.RETWEET]
    assert post.kind == "reshare"
    assert (post.reactions_count, post.reshares_count) == (None, None)
    assert post.text == "RT @ChambreQuebec: Gala 2026"


def test_it_tells_replies_from_thread_continuations_and_quotes(tmp_path):
    found = lone(
        tmp_path,
        fx.tweet(fx.ORIGINAL, fx.at(3), "1/ Trois leçons"),
        fx.tweet(
            fx.REPLY, fx.at(4), "@quelquun Merci!", reply_to=(fx.OTHER_POST, fx.OTHER_ACCOUNT, "q")
        ),
        fx.tweet(fx.THREAD, fx.at(5), "2/ La suite", reply_to=(fx.ORIGINAL, fx.OWNER_ID, "x")),
        fx.tweet(
            fx.QUOTE,
            fx.at(6),
            "Exactement https://t.co/QuOtE0001",
            urls=[
                fx.url_entity(
                    f"https://twitter.com/a/status/{fx.OTHER_POST}", "https://t.co/QuOtE0001"
                )
            ],
        ),
        fx.tweet(fx.MEDIA, fx.at(7), "Marqué par X", is_quote_status=True),
        fx.tweet(
            fx.LONG,
            fx.at(8),
            "Relisez https://t.co/MiDdLe001 avant jeudi",
            urls=[
                fx.url_entity(f"https://x.com/a/status/{fx.OTHER_POST}", "https://t.co/MiDdLe001")
            ],
        ),
        fx.tweet(
            fx.OLDER,
            fx.at(9),
            "Mon propre billet https://t.co/OwNpOsT01",
            urls=[fx.url_entity(f"https://x.com/a/status/{fx.OLDER}", "https://t.co/OwNpOsT01")],
        ),
    )

    kinds = {tweet_id: post.kind for tweet_id, post in found.items()}
    assert kinds == {
        fx.ORIGINAL: "original",
        fx.REPLY: "reply",
        fx.THREAD: "original",  # a reply to one's own post continues a thread
        fx.QUOTE: "quote",  # a link to another post closes the text
        fx.MEDIA: "quote",
        fx.LONG: "original",  # a link to a post in the middle of the text is not a quote
        fx.OLDER: "original",  # a link to the post itself is not a quote
    }


def test_it_tells_a_thread_by_handle_when_the_owner_s_id_is_unknown(tmp_path):
    items = [
        fx.tweet(fx.THREAD, fx.at(5), "2/ Suite", reply_to=(fx.ORIGINAL, "", fx.USERNAME.upper())),
        fx.tweet(fx.REPLY, fx.at(6), "@q Oui", reply_to=(fx.OTHER_POST, "", "quelquun")),
    ]
    members = {
        "data/manifest.js": fx.manifest(
            {"tweets": [("data/tweets.js", 2)]}, user=("", fx.USERNAME, "")
        ),
        "data/tweets.js": tweets_file(items),
    }

    found = posts(parse_members(tmp_path, members))

    assert (found[fx.THREAD].kind, found[fx.REPLY].kind) == ("original", "reply")


def test_it_reads_links_and_media_from_the_entities(tmp_path):
    found = posts(parse_members(tmp_path, fx.archive_members()))

    # The first expanded link that is not a post on X, whatever its place.
    assert found[fx.ENTITIES].shared_url == "https://www.maillage.example/guide-recommandation"
    assert found[fx.QUOTE].shared_url == ""
    assert found[fx.MEDIA].media_url == "https://pbs.twimg.com/media/GaBcDeF.jpg"
    assert found[fx.MEDIA].shared_url == ""  # the photo's own page is a link to the post
    assert found[fx.ORIGINAL].media_url == ""


def test_it_takes_media_from_extended_entities_alone(tmp_path):
    item = fx.tweet(fx.MEDIA, fx.at(8), "Photo")
    item["extended_entities"] = {
        "media": [fx.media_entity("https://pbs.twimg.com/media/Ext.jpg", "https://t.co/x")]
    }

    assert lone(tmp_path, item)[fx.MEDIA].media_url == "https://pbs.twimg.com/media/Ext.jpg"


def test_it_recognises_links_to_posts_on_every_host():
    assert status_id("https://twitter.com/ChambreQuebec/status/123?s=20") == "123"
    assert status_id("https://mobile.twitter.com/a/status/456/photo/1") == "456"
    assert status_id("https://x.com/i/web/status/789") == "789"
    assert status_id("http://www.x.com/a/statuses/12") == "12"
    assert status_id("https://example.com/a/status/123") == ""
    assert status_id("https://x.com/a/status/") == ""


def test_it_undoes_the_html_entities_x_keeps(tmp_path):
    found = lone(
        tmp_path,
        fx.tweet(fx.ORIGINAL, fx.at(3), "Q&amp;R &lt;ventes&gt; : 5 &gt; 3 &amp;amp;lt; reste"),
    )

    assert found[fx.ORIGINAL].text == "Q&R <ventes> : 5 > 3 &amp;lt; reste"


def test_it_keeps_the_language_x_detected_but_not_its_placeholders():
    assert [language_of(code) for code in ("fr", "en", "und", "zxx", "qme", "qht", "")] == [
        "fr", "en", "", "", "", "", "",
    ]  # fmt: skip


def test_it_keys_posts_by_id_and_links_them_with_the_handle(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members())

    post = posts(parsed)[fx.ORIGINAL]
    assert post.key == "tweet:" + fx.ORIGINAL
    assert post.url == STATUS + fx.ORIGINAL
    assert post.language == "fr"
    assert posts(parsed)[fx.OLDER].language == "en"


def test_it_keeps_only_the_newest_version_of_an_edited_post(tmp_path):
    first, second = "1862000000000000100", "1862000000000000200"
    members = {
        "data/account.js": fx.account(),
        "data/tweets.js": tweets_file(
            [fx.tweet(second, fx.at(3, 14, 9), "Rendez-vous jeudi à 8 h", edit_ids=[first, second])]
        ),
        "data/tweets-part1.js": tweets_file(
            [fx.tweet(first, fx.at(3), "Rendez-vous jeudi à 7 h", edit_ids=[first, second])], part=1
        ),
    }

    parsed = parse_members(tmp_path, members)

    (post,) = posts(parsed).values()
    assert post.key == "tweet:" + first  # the first version's id, the same before and after
    assert post.text == "Rendez-vous jeudi à 8 h"
    assert post.url == STATUS + second
    (skipped,) = one(parsed, "data/tweets-part1.js").skipped
    assert skipped.line == 1
    assert "earlier version" in skipped.reason


def test_it_adds_their_whole_text_to_long_posts(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members())

    assert posts(parsed)[fx.LONG].text == fx.LONG_TEXT
    notes = one(parsed, "data/note-tweet.js")
    assert (notes.status, notes.read, notes.records, notes.skipped) == ("parsed", 1, [], [])


def test_it_skips_a_long_post_it_cannot_match_with_certainty(tmp_path):
    members = fx.archive_members(with_long=False)
    members["data/note-tweet.js"] = fx.note_tweet(fx.at(20), "Un autre texte, publié ailleurs.")

    parsed = parse_members(tmp_path, members)

    (skipped,) = one(parsed, "data/note-tweet.js").skipped
    assert "could not be matched with certainty" in skipped.reason
    assert posts(parsed)[fx.LONG].text.endswith("… https://t.co/LoNg0Note")


def test_it_leaves_deleted_posts_out_with_a_note(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members())

    deleted = one(parsed, "data/deleted-tweets.js")
    assert deleted.status == "ignored"
    assert deleted.records == []
    assert "Deleted posts are not imported" in deleted.notes[0]
    assert "1860000000000000999" not in posts(parsed)


# --- bad files and bad items ---------------------------------------------------------------------


def test_it_rejects_a_js_file_that_is_not_window_ytd(tmp_path):
    members = {
        "data/account.js": fx.account(),
        "data/tweets.js": 'var tweets = [{"id_str": "1"}];\n',
    }

    parsed = parse_members(tmp_path, members)

    rejected = one(parsed, "data/tweets.js")
    assert rejected.status == "rejected"
    (error,) = rejected.errors
    assert "tweets.js is not a file of an X archive" in error.reason
    assert "“window.YTD.”" in error.reason
    assert one(parsed, "data/account.js").status == "parsed"  # the other files still import


def test_it_rejects_a_file_cut_short_with_the_line_where_it_breaks(tmp_path):
    text = tweets_file(
        [fx.tweet(fx.ORIGINAL, fx.at(3), "Un"), fx.tweet(fx.QUOTE, fx.at(4), "Deux")]
    )
    cut = text[: len(text) // 2]

    parsed = parse_members(tmp_path, {"data/tweets.js": cut})

    rejected = one(parsed, "data/tweets.js")
    assert rejected.status == "rejected"
    assert rejected.unit == "line"
    (error,) = rejected.errors
    assert error.line == cut.count("\n") + 1
    assert "damaged or incomplete" in error.reason
    assert posts(parsed) == {}


def test_it_rejects_a_file_of_an_object_instead_of_a_list(tmp_path):
    members = {"data/like.js": 'window.YTD.like.part0 = {"like": {"tweetId": "1"}}'}

    rejected = one(parse_members(tmp_path, members), "data/like.js")

    assert rejected.status == "rejected"
    assert "like.js does not have the structure X gives it" in rejected.errors[0].reason
    assert "a list of items" in rejected.errors[0].reason


def test_it_rejects_a_list_of_things_that_are_not_objects(tmp_path):
    members = {"data/tweets.js": 'window.YTD.tweets.part0 = ["1", "2"]'}

    rejected = one(parse_members(tmp_path, members), "data/tweets.js")

    assert rejected.status == "rejected"
    assert "a list of objects" in rejected.errors[0].reason


def test_it_reports_each_unreadable_post_by_its_item_number_and_goes_on(tmp_path):
    good = fx.tweet(fx.ORIGINAL, fx.at(3), "Lisible")
    no_date = fx.tweet(fx.QUOTE, fx.at(4), "Sans date")
    no_date["created_at"] = "hier"
    no_id = fx.tweet(fx.MEDIA, fx.at(5), "Sans id")
    del no_id["id_str"], no_id["id"]
    no_text = fx.tweet(fx.LONG, fx.at(6), "x")
    del no_text["full_text"]
    bad_links = fx.tweet(fx.OLDER, fx.at(7), "Liens", urls=["https://t.co/x"])  # type: ignore[list-item]
    items = [{"tweet": good}, "pas un objet", {"tweet": no_date}, {"tweet": no_id}]
    items += [{"tweet": no_text}, {"tweet": bad_links}]

    parsed = parse_members(tmp_path, {"data/tweets.js": fx.ytd("tweets", items)})

    result = one(parsed, "data/tweets.js")
    assert (result.status, result.unit, result.read) == ("parsed", "item", 6)
    assert list(posts(parsed)) == [fx.ORIGINAL]
    reasons = {error.line: error.reason for error in result.errors}
    assert sorted(reasons) == [2, 3, 4, 5, 6]
    assert "is not a post as X writes them" in reasons[2]
    assert "The date “hier” of post" in reasons[3]
    assert "no identifier" in reasons[4]
    assert "has no text" in reasons[5]
    assert "its links or media could not be read" in reasons[6]


def test_it_rejects_a_broken_manifest_and_falls_back_on_file_names(tmp_path):
    members = {
        "data/manifest.js": 'window.__THAR_CONFIG = {\n  "dataTypes" : {',
        "data/tweets.js": tweets_file([fx.tweet(fx.ORIGINAL, fx.at(3), "Toujours lu")]),
    }

    parsed = parse_members(tmp_path, members)

    assert one(parsed, "data/manifest.js").status == "rejected"
    assert (
        "manifest.js is damaged or incomplete" in one(parsed, "data/manifest.js").errors[0].reason
    )
    assert posts(parsed)[fx.ORIGINAL].text == "Toujours lu"


# --- likes, follows, the account ------------------------------------------------------------------


def test_it_reads_likes_without_dates(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members())

    likes = interactions(parsed, "reaction")
    assert [like.key for like in likes] == [
        "like:1850000000000000001", "like:1850000000000000002", "like:1850000000000000003",
    ]  # fmt: skip
    assert {like.occurred_at for like in likes} == {None}
    assert likes[0].target_url == "https://twitter.com/i/web/status/1850000000000000001"
    assert likes[0].detail == "like"
    assert likes[0].text == ""  # someone else's post: not kept


def test_it_counts_followers_and_following_and_keeps_who_the_owner_follows(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members())

    (account,) = accounts(parsed)
    assert (account.followers_count, account.following_count) == (4, 2)
    follows = interactions(parsed, "follow")
    assert [(f.key, f.counterpart, f.occurred_at) for f in follows] == [
        (f"follow:{fx.OTHER_ACCOUNT}", fx.OTHER_ACCOUNT, None),
        ("follow:202", "202", None),
    ]
    assert follows[1].target_url == "https://twitter.com/intent/user?user_id=202"
    assert one(parsed, "data/follower.js").records == []  # followers are only counted


def test_it_combines_account_and_profile_without_the_email(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members())

    (account,) = one(parsed, "data/account.js").records
    assert account == AccountRecord(
        handle=f"https://x.com/{fx.USERNAME}",
        display_name=fx.DISPLAY_NAME,
        summary="Développement des affaires B2B & vente-conseil à Québec",
        location="Québec, Canada",
        websites="https://t.co/Xy12AbCdEf",
        followers_count=4,
        following_count=2,
    )
    assert fx.EMAIL not in repr(parsed)


def test_it_writes_no_account_without_account_js_and_says_so(tmp_path):
    members = fx.archive_members()
    del members["data/account.js"]

    parsed = parse_members(tmp_path, members)

    assert accounts(parsed) == []
    assert "not kept without account.js" in one(parsed, "data/follower.js").notes[0]


# --- the whole archive ---------------------------------------------------------------------------


def test_it_reads_a_whole_realistic_archive(tmp_path):
    progress: list[tuple[int, str]] = []
    with open_archive(fx.export_zip(tmp_path, fx.archive_members())) as archive:
        parsed = XImporter().parse(
            archive, lambda percent, label: progress.append((percent, label))
        )

    assert parsed.network == "x"
    assert parsed.as_of == date(2026, 11, 29)
    statuses = {f.name: f.status for f in parsed.files}
    assert [name for name, status in statuses.items() if status == "parsed"] == [
        "data/manifest.js",
        "data/account.js",
        "data/profile.js",
        "data/tweets.js",
        "data/tweets-part1.js",
        "data/like.js",
        "data/follower.js",
        "data/following.js",
        "data/note-tweet.js",
    ]
    assert all(not f.errors and not f.notes for f in parsed.files if f.status == "parsed")
    kinds = sorted(p.kind for p in posts(parsed).values())
    assert kinds == ["original"] * 6 + ["quote", "reply", "reshare"]
    assert progress[-1][0] == 100


def test_its_keys_stay_the_same_between_two_exports(tmp_path):
    older = {
        name: text
        for name, text in fx.archive_members(with_long=False).items()
        if name not in ("data/tweets-part1.js", "data/manifest.js")
    }
    newer = fx.archive_members(username="MarieTremblayVentes")

    first = parse_members(tmp_path / "a", older, name="twitter-2026-11-10-aaaa.zip")
    second = parse_members(tmp_path / "b", newer)

    keys_first = set(posts(first)) | {r.key for r in interactions(first, "reaction")}
    keys_second = set(posts(second)) | {r.key for r in interactions(second, "reaction")}
    assert keys_first < keys_second
    # A new handle changes posts' addresses, never their keys.
    assert (
        posts(second)[fx.ORIGINAL].url == f"https://x.com/MarieTremblayVentes/status/{fx.ORIGINAL}"
    )
    assert {f.key for f in interactions(first, "follow")} == {
        f.key for f in interactions(second, "follow")
    }


@pytest.mark.django_db
def test_an_archive_imported_twice_creates_nothing_the_second_time(cast, tmp_path):
    path = fx.export_zip(tmp_path, fx.archive_members())

    first = archive_import(cast.alice, path, "x")
    again = archive_import(cast.alice, path, "x")

    assert first.status == again.status == "succeeded"
    files = first.summary["files"]
    assert files["data/tweets.js"]["created"] == 5
    assert files["data/tweets-part1.js"]["created"] == 4
    assert files["data/like.js"]["created"] == 3
    assert files["data/following.js"]["created"] == 2
    assert files["data/account.js"]["created"] == 1
    assert files["data/tweets.js"]["unit"] == "item"
    assert all(count["created"] == 0 for count in again.summary["files"].values())
    assert all(count["updated"] == 0 for count in again.summary["files"].values())
    mine = {"owner": cast.alice, "network": "x"}
    assert Post.objects.filter(**mine).count() == 9
    assert Interaction.objects.filter(**mine, kind="reaction", occurred_at=None).count() == 3
    assert Interaction.objects.filter(**mine, kind="follow").count() == 2
    (account,) = SocialAccount.objects.filter(**mine)
    assert account.handle == f"https://x.com/{fx.USERNAME}"
    assert (account.followers_count, account.following_count) == (4, 2)
    retweet = Post.objects.get(**mine, key="tweet:" + fx.RETWEET)
    assert (retweet.kind, retweet.reactions_count, retweet.reshares_count) == (
        "reshare",
        None,
        None,
    )
    long_post = Post.objects.get(**mine, key="tweet:" + fx.LONG)
    assert long_post.text == fx.LONG_TEXT
    assert long_post.account_id == account.pk
    original = Post.objects.get(**mine, key="tweet:" + fx.ORIGINAL)
    assert (original.reactions_count, original.reshares_count) == (12, 3)
    assert original.text == "Café-rencontre du cercle des ventes ce jeudi & apportez vos cartes!"

"""The Facebook importer reads both archive layouts and every quirk of real exports."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path

import ftfy
import pytest

from maillage.imports.importers.facebook import FacebookImporter, Found, kind_of
from maillage.imports.importers.facebook.readers import (
    State,
    load,
    read_posts,
    read_posts_typed,
    repair,
)
from maillage.imports.records import (
    AccountRecord,
    ConnectionRecord,
    InteractionRecord,
    ParsedArchive,
    ParsedFile,
    PostRecord,
)
from maillage.imports.services import archive_import
from maillage.lib.safe_archive import open_archive
from maillage.network.models import Connection
from maillage.presence.models import Interaction, Post, SocialAccount
from tests import facebook_fixtures as fx

TOP = "facebook-jeannetremblay-2026-11-29-AbCdEf12/"


def parse(path: Path) -> ParsedArchive:
    with open_archive(path) as archive:
        return FacebookImporter().parse(archive)


def parse_members(
    tmp_path: Path, members: Mapping[str, bytes | str], **kwargs: str
) -> ParsedArchive:
    return parse(fx.export_zip(tmp_path, members, **kwargs))


def one(parsed: ParsedArchive, name: str) -> ParsedFile:
    (found,) = [f for f in parsed.files if f.name == name]
    return found


def posts(parsed: ParsedArchive) -> list[PostRecord]:
    return [r for f in parsed.files for r in f.records if isinstance(r, PostRecord)]


def interactions(parsed: ParsedArchive, kind: str) -> list[InteractionRecord]:
    return [
        r
        for f in parsed.files
        for r in f.records
        if isinstance(r, InteractionRecord) and r.kind == kind
    ]


def friends(parsed: ParsedArchive) -> dict[str, ConnectionRecord]:
    return {
        r.person.name: r for f in parsed.files for r in f.records if isinstance(r, ConnectionRecord)
    }


def accounts(parsed: ParsedArchive) -> list[AccountRecord]:
    return [r for f in parsed.files for r in f.records if isinstance(r, AccountRecord)]


def keys(parsed: ParsedArchive) -> set[str]:
    found: set[str] = set()
    for parsed_file in parsed.files:
        for record in parsed_file.records:
            if isinstance(record, PostRecord | InteractionRecord):
                found.add(record.key)
            elif isinstance(record, ConnectionRecord):
                found.add(record.person.key)
    return found


# --- whole archives ------------------------------------------------------------------------


def test_it_reads_a_whole_archive_in_the_current_layout(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members(fx.CURRENT, top=TOP))

    read = {f.name[len(TOP) :]: f for f in parsed.files if f.status == "parsed"}
    assert set(read) == set(fx.CURRENT.values())
    assert all(f.unit == "item" and not f.errors for f in read.values())
    assert read[fx.CURRENT["posts"]].read == 4
    assert len(posts(parsed)) == 4
    assert len(interactions(parsed, "comment")) == 2
    assert len(interactions(parsed, "reaction")) == 4
    assert set(friends(parsed)) == {"Émilie Côté", "François Bélanger", "Samir Roy"}
    (account,) = accounts(parsed)
    assert account.handle == fx.OWNER_URI
    assert account.display_name == "Jeanne Tremblay"
    assert account.location == "Québec, Québec"
    assert account.websites == "https://jeannetremblay.example"
    assert parsed.network == "facebook"
    assert parsed.as_of == date(2026, 11, 29)


def test_it_reads_a_whole_archive_in_the_older_layout(tmp_path):
    parsed = parse_members(
        tmp_path, fx.archive_members(fx.OLDER, top="facebook-jeannetremblay/"), name="fb.zip"
    )

    assert {f.name.split("/", 1)[1] for f in parsed.files if f.status == "parsed"} == set(
        fx.OLDER.values()
    )
    assert len(posts(parsed)) == 4
    assert len(interactions(parsed, "comment")) == 2
    assert [r.detail for r in interactions(parsed, "reaction")] == ["LIKE", "LIKE", "LOVE", "LIKE"]
    assert len(friends(parsed)) == 3
    assert accounts(parsed)[0].handle == fx.OWNER_URI


def test_both_layouts_give_the_same_keys(tmp_path):
    current = parse_members(tmp_path / "a", fx.archive_members(fx.CURRENT))
    older = parse_members(tmp_path / "b", fx.archive_members(fx.OLDER, top="facebook-jt/"))

    assert keys(current) == keys(older)
    assert len(keys(current)) == 4 + 2 + 4 + 3


# --- posts ---------------------------------------------------------------------------------


def test_it_reads_a_post_text_link_photo_and_utc_date(tmp_path):
    parsed = parse_members(tmp_path, {fx.CURRENT["posts"]: fx.facebook_json(fx.posts())})

    status, shared, photo, _check_in = posts(parsed)
    assert status.text == "Café-rencontre à Québec : « le réseautage, ça s'anime » 🎉"
    assert status.published_at == datetime(2025, 11, 28, 14, 15, tzinfo=UTC)
    assert status.kind == "original"
    assert shared.shared_url == "https://example.com/vendre-en-2027"
    assert shared.text == "Élan, cohérence, présence : à lire."
    assert photo.media_url == "your_facebook_activity/posts/media/Journal/photo_1.jpg"
    assert photo.text == ""


def test_it_keeps_posts_without_any_text(tmp_path):
    parsed = parse_members(tmp_path, {fx.CURRENT["posts"]: fx.facebook_json(fx.posts())})

    without_text = [p for p in posts(parsed) if not p.text]
    assert len(without_text) == 2
    assert all(p.key.startswith(f"post:{p.published_at.timestamp():.0f}:") for p in without_text)
    assert len({p.key for p in without_text}) == 2


def test_it_never_keys_on_the_interface_language_title(tmp_path):
    french = parse_members(tmp_path / "fr", fx.archive_members(fx.CURRENT, language="fr"))
    english = parse_members(tmp_path / "en", fx.archive_members(fx.CURRENT, language="en"))

    assert keys(french) == keys(english)


def test_it_keeps_every_key_when_a_newer_export_adds_items(tmp_path):
    older = parse_members(tmp_path / "old", fx.archive_members(fx.CURRENT))
    newer_members = fx.archive_members(fx.CURRENT)
    newer_posts = [{"timestamp": fx.T + 7 * 86_400, "data": [{"post": "Nouveau !"}]}, *fx.posts()]
    # Facebook lists the newest first: new reactions come before the old ones.
    newer_reactions = [
        {"timestamp": fx.T + 900, "data": [{"reaction": {"reaction": "WOW"}}], "title": "x"},
        {"timestamp": fx.T + 5000, "data": [{"reaction": {"reaction": "LIKE"}}], "title": "y"},
        *fx.reactions(),
    ]
    newer_members[fx.CURRENT["posts"]] = fx.facebook_json(newer_posts)
    newer_members[fx.CURRENT["reactions"]] = fx.facebook_json(newer_reactions)
    newer = parse_members(tmp_path / "new", newer_members)

    assert keys(older) < keys(newer)
    assert len(keys(newer) - keys(older)) == 3


# --- comments --------------------------------------------------------------------------------


def test_it_reads_comments_with_their_group(tmp_path):
    parsed = parse_members(tmp_path, {fx.CURRENT["comments"]: fx.facebook_json(fx.comments())})

    in_group, reply = interactions(parsed, "comment")
    assert in_group.text == "Très juste, François ! 👍"
    assert in_group.counterpart == "Cercle des ventes de Québec"
    assert in_group.occurred_at == datetime(2025, 11, 28, 14, 20, tzinfo=UTC)
    assert in_group.key.startswith(f"comment:{fx.T + 300}:")
    assert reply.counterpart == ""
    assert reply.text == "Ça marche."


# --- reactions -------------------------------------------------------------------------------


def test_it_numbers_reactions_of_one_type_in_the_same_second(tmp_path):
    parsed = parse_members(tmp_path, {fx.CURRENT["reactions"]: fx.facebook_json(fx.reactions())})

    found = interactions(parsed, "reaction")
    assert [r.key for r in found] == [
        f"reaction:{fx.T + 900}:LIKE:1",
        f"reaction:{fx.T + 900}:LIKE:2",
        f"reaction:{fx.T + 900}:LOVE:1",
        f"reaction:{fx.T - 86_400}:LIKE:1",
    ]
    assert all(r.target_url == "" for r in found)
    assert found[0].occurred_at == datetime(2025, 11, 28, 14, 30, tzinfo=UTC)


def test_it_numbers_reactions_across_numbered_files_in_their_order(tmp_path):
    same_second = [fx._reaction(fx.T, "LIKE", "fr", "Émilie Côté")]
    folder = "your_facebook_activity/comments_and_reactions/"
    parsed = parse_members(
        tmp_path,
        {
            folder + "likes_and_reactions_10.json": fx.facebook_json(same_second),
            folder + "likes_and_reactions_2.json": fx.facebook_json(same_second),
            folder + "likes_and_reactions_1.json": fx.facebook_json(same_second),
        },
    )

    numbered = {
        f.name.rsplit("/", 1)[1]: f.records[0].key  # type: ignore[union-attr]
        for f in parsed.files
    }
    assert numbered == {
        "likes_and_reactions_1.json": f"reaction:{fx.T}:LIKE:1",
        "likes_and_reactions_2.json": f"reaction:{fx.T}:LIKE:2",
        "likes_and_reactions_10.json": f"reaction:{fx.T}:LIKE:3",
    }


def test_it_reads_label_values_reactions_only_when_no_numbered_file_exists(tmp_path):
    folder = "your_facebook_activity/comments_and_reactions/"
    labelled = [
        {
            "timestamp": fx.T,
            "fbid": "100200300",
            "label_values": [
                {"label": "Réaction", "value": "LIKE"},
                {"label": "URL", "value": "https://www.facebook.com/emilie.cote/posts/555"},
                {"label": "Nom", "value": "Émilie Côté"},
            ],
        }
    ]
    alone = parse_members(
        tmp_path / "a", {folder + "likes_and_reactions.json": fx.facebook_json(labelled)}
    )
    both = parse_members(
        tmp_path / "b",
        {
            folder + "likes_and_reactions.json": fx.facebook_json(labelled),
            folder + "likes_and_reactions_1.json": fx.facebook_json(fx.reactions()[:1]),
        },
    )

    (reaction,) = interactions(alone, "reaction")
    assert reaction.key == f"reaction:{fx.T}:LIKE:1"
    assert reaction.target_url == "https://www.facebook.com/emilie.cote/posts/555"
    assert one(both, folder + "likes_and_reactions.json").status == "ignored"
    assert len(interactions(both, "reaction")) == 1


def test_it_sets_aside_reactions_whose_date_is_a_placeholder(tmp_path):
    items = [
        {"timestamp": 1, "data": [{"reaction": {"reaction": "LIKE"}}]},
        *fx.reactions()[:1],
    ]
    parsed = parse_members(tmp_path, {fx.CURRENT["reactions"]: fx.facebook_json(items)})

    found = one(parsed, fx.CURRENT["reactions"])
    assert len(interactions(parsed, "reaction")) == 1
    assert [s.line for s in found.skipped] == [1]
    assert "no date" in found.skipped[0].reason


# --- friends and profile ---------------------------------------------------------------------


def test_it_reads_friends_as_names_with_their_utc_date(tmp_path):
    parsed = parse_members(tmp_path, {fx.CURRENT["friends"]: fx.facebook_json(fx.friends())})

    found = friends(parsed)
    emilie = found["Émilie Côté"]
    assert emilie.connected_on == date(2023, 11, 14)  # 23:30 UTC, whatever the server's zone
    assert emilie.person.key == "name:émilie côté"
    assert found["François Bélanger"].person.profile_url == ""


def test_it_keeps_a_friend_without_a_date_and_reports_one_without_a_name(tmp_path):
    document = {"friends_v2": [{"name": "Zoé Fortin"}, {"timestamp": fx.T}, "Samir"]}
    parsed = parse_members(tmp_path, {fx.CURRENT["friends"]: fx.facebook_json(document)})

    assert friends(parsed)["Zoé Fortin"].connected_on is None
    found = one(parsed, fx.CURRENT["friends"])
    assert [(e.line, e.reason) for e in found.errors] == [
        (2, "This friend has no name."),
        (3, "This item is not a Facebook record (an object was expected)."),
    ]
    assert found.read == 3


def test_it_makes_a_handle_from_the_name_when_the_profile_has_no_address(tmp_path):
    document = fx.profile(uri="")
    document["profile_v2"]["name"]["full_name"] = "  Jeanne   TREMBLAY "
    parsed = parse_members(tmp_path, {fx.CURRENT["profile"]: fx.facebook_json(document)})

    (account,) = accounts(parsed)
    assert account.handle == "facebook:jeanne tremblay"
    assert account.display_name == "Jeanne TREMBLAY"


def test_it_gives_no_account_record_without_a_profile_file(tmp_path):
    members = fx.archive_members(fx.CURRENT)
    del members[fx.CURRENT["profile"]]

    assert accounts(parse_members(tmp_path, members)) == []


# --- mojibake --------------------------------------------------------------------------------


def test_it_repairs_mojibake_in_names_texts_comments_and_groups(tmp_path):
    raw = fx.archive_members(fx.CURRENT)[fx.CURRENT["comments"]]
    assert b"\\u00c3\\u00a8s juste" in raw  # `è` as Facebook writes it

    parsed = parse_members(tmp_path, fx.archive_members(fx.CURRENT))

    assert posts(parsed)[0].text.endswith("« le réseautage, ça s'anime » 🎉")
    comment = interactions(parsed, "comment")[0]
    assert (comment.text, comment.counterpart) == (
        "Très juste, François ! 👍",
        "Cercle des ventes de Québec",
    )
    assert "François Bélanger" in friends(parsed)
    assert accounts(parsed)[0].location == "Québec, Québec"


@pytest.mark.parametrize(
    "text",
    ["é è à ç É", "« Ça, c'est déjà l'été »", "Bravo 👍🎉", "Æsop, naïve, Zoë", "Ünïcödé — ok"],
)
def test_it_repairs_each_string_exactly_as_ftfy_would(text):
    damaged = fx.mojibake(text)

    assert repair(damaged) == text
    assert repair(damaged) == ftfy.fix_encoding(damaged)


@pytest.mark.parametrize(
    "text", ["Déjà vu à Québec", "Emoji déjà correct 👍", "« guillemets »", "plain ascii", "Ça"]
)
def test_it_leaves_correct_text_unchanged(text):
    assert repair(text) == text


def test_it_leaves_a_file_already_in_correct_utf8_unchanged(tmp_path):
    document = [{"timestamp": fx.T, "data": [{"post": "Déjà écrit correctement 🎉"}]}]
    data = json.dumps(document, ensure_ascii=False).encode("utf-8")
    parsed = parse_members(tmp_path, {fx.CURRENT["posts"]: data})

    assert posts(parsed)[0].text == "Déjà écrit correctement 🎉"


# --- files it does not read, files it rejects ------------------------------------------------


def test_it_ignores_files_it_does_not_know(tmp_path):
    parsed = parse_members(tmp_path, fx.archive_members(fx.CURRENT))

    ignored = {f.name for f in parsed.files if f.status == "ignored"}
    assert ignored == set(fx.UNKNOWN)
    assert all(not f.records and not f.errors for f in parsed.files if f.status == "ignored")


def test_it_rejects_a_truncated_file_and_reads_the_others(tmp_path):
    members = fx.archive_members(fx.CURRENT)
    members[fx.CURRENT["posts"]] = members[fx.CURRENT["posts"]][:300]
    parsed = parse_members(tmp_path, members)

    found = one(parsed, fx.CURRENT["posts"])
    assert found.status == "rejected"
    assert found.records == []
    (error,) = found.errors
    assert "damaged or incomplete" in error.reason
    assert "Download your information from Facebook again" in error.reason
    assert found.unit == "line" and error.line > 1
    assert one(parsed, fx.CURRENT["comments"]).status == "parsed"


@pytest.mark.parametrize(
    ("member", "document", "expected"),
    [
        (fx.CURRENT["posts"], {"posts": []}, "a list of items"),
        (fx.CURRENT["posts"], ["un", "deux"], "not of bare values"),
        (fx.CURRENT["comments"], [], "“comments_v2”"),
        (fx.CURRENT["friends"], {"amis": []}, "“friends_v2”"),
        (fx.CURRENT["reactions"], "LIKE", "a list of items"),
        (fx.CURRENT["profile"], [], "“profile_v2”"),
    ],
)
def test_it_rejects_a_file_of_the_wrong_shape(tmp_path, member, document, expected):
    parsed = parse_members(tmp_path, {member: fx.facebook_json(document)})

    found = one(parsed, member)
    assert found.status == "rejected"
    (error,) = found.errors
    assert expected in error.reason
    assert "without editing it" in error.reason


def test_it_reports_malformed_items_by_number_and_goes_on(tmp_path):
    items = [
        fx.posts()[0],
        "pas un objet",
        {"data": [{"post": "Sans date"}]},
        {"timestamp": "hier", "data": [{"post": "Date en texte"}]},
        fx.posts()[1],
    ]
    parsed = parse_members(tmp_path, {fx.CURRENT["posts"]: fx.facebook_json(items)})

    found = one(parsed, fx.CURRENT["posts"])
    assert found.status == "parsed"
    assert found.read == 5
    assert len(posts(parsed)) == 2
    assert [(e.line, e.reason) for e in found.errors] == [
        (2, "This item is not a Facebook record (an object was expected)."),
        (3, "This post has no date."),
        (4, "This post has no date."),
    ]


@pytest.mark.parametrize(
    "document",
    [
        fx.posts("fr"),
        fx.posts("en"),
        [],
        # Pieces of text joined, null values, a second link and photo not taken, other fields.
        [
            {
                "timestamp": fx.T,
                "data": [{"post": "Un"}, {"post": None}, {"post": "  "}, {"post": "Deux"}],
                "attachments": [
                    {"data": [{"external_context": {"url": None}}, {"place": {"name": "Lévis"}}]},
                    {"data": [{"external_context": {"url": " https://a.example/ "}}]},
                    {"data": [{"media": {"uri": "photo_1.jpg"}}, {"media": {"uri": "2.jpg"}}]},
                ],
                "tags": [{"name": "Émilie Côté"}],
            }
        ],
    ],
)
def test_reading_posts_by_their_usual_shape_gives_what_reading_item_by_item_gives(document):
    data = fx.facebook_json(document)
    typed, by_item = ParsedFile(name="posts"), ParsedFile(name="posts")

    assert read_posts_typed(data, typed)
    read_posts(load(data), by_item, State())

    assert typed.records == by_item.records
    assert typed.read == by_item.read == len(document)
    assert typed.errors == by_item.errors == []


@pytest.mark.parametrize(
    "item",
    [
        "pas un objet",
        {"data": [{"post": "Sans date"}]},
        {"timestamp": 1_764_339_300.5},
        {"timestamp": True},
        {"timestamp": 3_600, "data": [{"post": "Avant Facebook"}]},
        {"timestamp": 10**30},
        {"timestamp": fx.T, "data": {"post": "Pas une liste"}},
        {"timestamp": fx.T, "data": [{"post": 42}]},
        {"timestamp": fx.T, "attachments": [{"data": [{"external_context": "https://a.ca"}]}]},
    ],
)
def test_a_posts_file_off_the_usual_shape_is_left_to_the_item_by_item_reading(item):
    data = fx.facebook_json([*fx.posts(), item])
    parsed = ParsedFile(name="posts")

    assert not read_posts_typed(data, parsed)

    assert parsed.records == [] and parsed.read == 0


def test_it_rejects_the_html_version_of_the_export(tmp_path):
    html = fx.CURRENT["posts"].replace(".json", ".html")
    parsed = parse_members(tmp_path, {html: "<html><body>Vos publications</body></html>"})

    (found,) = parsed.files
    assert found.status == "rejected"
    assert "choose the JSON format" in found.errors[0].reason


# --- single files ----------------------------------------------------------------------------


def test_it_reads_a_single_file_recognised_by_its_name(tmp_path):
    path = fx.single_file(tmp_path, "your_posts_1 (1).json", fx.facebook_json(fx.posts()))

    parsed = parse(path)

    assert [f.status for f in parsed.files] == ["parsed"]
    assert len(posts(parsed)) == 4


@pytest.mark.parametrize(
    ("document", "kind"),
    [
        (fx.posts(), PostRecord),
        (fx.reactions(), InteractionRecord),
        (fx.comments(), InteractionRecord),
        (fx.friends(), ConnectionRecord),
        (fx.profile(), AccountRecord),
    ],
)
def test_it_recognises_a_renamed_single_file_by_its_shape(tmp_path, document, kind):
    path = fx.single_file(tmp_path, "mon-export.json", fx.facebook_json(document))

    parsed = parse(path)

    (found,) = parsed.files
    assert found.status == "parsed"
    assert found.records and all(isinstance(r, kind) for r in found.records)


def test_it_leaves_a_single_unrelated_json_file_ignored(tmp_path):
    path = fx.single_file(tmp_path, "notes.json", json.dumps({"notes": ["a", "b"]}))

    (found,) = parse(path).files

    assert found.status == "ignored"
    assert found.records == [] and found.errors == []


# --- claims and dates ------------------------------------------------------------------------


def test_it_claims_facebook_archives_more_surely_the_more_files_it_knows():
    importer = FacebookImporter()

    whole = importer.claims([TOP + name for name in fx.CURRENT.values()])
    older = importer.claims(list(fx.OLDER.values()))
    alone = importer.claims(["your_posts_1.json"])

    assert whole == older == 1.0
    assert 0 < alone < whole
    assert importer.claims(["comments.json"]) > 0  # a lone upload needs no folder


@pytest.mark.parametrize(
    "names",
    [
        ["Connections.csv", "messages.csv", "Profile.csv", "Comments.csv", "Reactions.csv"],
        ["data/manifest.js", "data/tweets.js", "data/like.js", "data/follower.js"],
        ["outbox.json", "actor.json", "likes.json", "bookmarks.json"],
        ["repo.car"],
        ["holiday/comments.json", "friends.json.bak", "notes/friends.json"],
    ],
)
def test_it_does_not_claim_other_networks_archives(names):
    assert FacebookImporter().claims(names) == 0.0


def test_it_knows_files_by_path_whatever_the_top_folder_and_numbering():
    deep = "facebook-x-2026/" + fx.CURRENT["posts"].replace("_1.json", "_12.json")

    assert kind_of(deep) == Found("posts", 12)
    assert kind_of("Your_Posts_1.JSON") == Found("posts", 1)
    assert kind_of("a/connections/friends/your_friends.json") == Found("friends")
    assert kind_of("connections/friends/removed_friends.json") is None
    assert kind_of("your_facebook_activity/posts/album/0.json") is None


def test_it_dates_the_archive_from_its_name_else_its_newest_file(tmp_path):
    named = parse_members(tmp_path / "a", fx.archive_members(fx.CURRENT))
    unnamed = parse_members(tmp_path / "b", fx.archive_members(fx.CURRENT), name="export.zip")

    assert named.as_of == date(2026, 11, 29)
    assert unnamed.as_of == date(2026, 11, 20)


# --- through the database --------------------------------------------------------------------


def test_it_imports_a_whole_archive_then_creates_nothing_when_imported_again(cast, tmp_path):
    path = fx.export_zip(tmp_path, fx.archive_members(fx.CURRENT, top=TOP))

    first = archive_import(cast.alice, path, "facebook")
    again = archive_import(cast.alice, path, "facebook")

    assert first.status == again.status == "succeeded"
    files = {name[len(TOP) :]: count for name, count in first.summary["files"].items()}
    assert files[fx.CURRENT["posts"]]["created"] == 4
    assert files[fx.CURRENT["reactions"]]["created"] == 4
    assert files[fx.CURRENT["friends"]]["created"] == 3
    assert files[fx.CURRENT["posts"]]["unit"] == "item"
    assert all(count["created"] == 0 for count in again.summary["files"].values())
    assert all(count["updated"] == 0 for count in again.summary["files"].values())
    mine = {"owner": cast.alice, "network": "facebook"}
    assert Post.objects.filter(**mine).count() == 4
    assert Interaction.objects.filter(**mine, kind="comment").count() == 2
    assert Interaction.objects.filter(**mine, kind="reaction").count() == 4
    assert Connection.objects.filter(**mine).count() == 3
    (account,) = SocialAccount.objects.filter(**mine)
    assert (account.handle, account.display_name) == (fx.OWNER_URI, "Jeanne Tremblay")
    post = Post.objects.get(**mine, text__startswith="Café-rencontre")
    assert post.account_id == account.pk


def test_an_export_in_another_interface_language_creates_nothing_new(cast, tmp_path):
    french = fx.export_zip(tmp_path / "fr", fx.archive_members(fx.CURRENT, language="fr"))
    english = fx.export_zip(tmp_path / "en", fx.archive_members(fx.OLDER, language="en"))

    archive_import(cast.alice, french, "facebook")
    again = archive_import(cast.alice, english, "facebook")

    assert again.status == "succeeded"
    assert sum(count["created"] for count in again.summary["files"].values()) == 0
    assert Interaction.objects.filter(owner=cast.alice, kind="reaction").count() == 4

"""The Facebook Page importer reads Meta Business Suite's posts CSV, in English and French."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from maillage.imports.importers.facebook_page import (
    PAGE_ZONE,
    FacebookPageImporter,
    count,
    language_of,
    publish_time,
)
from maillage.imports.records import AccountRecord, ParsedArchive, ParsedFile, PostRecord
from maillage.imports.services import archive_import
from maillage.lib.safe_archive import open_archive
from maillage.presence.models import Post, SocialAccount
from tests import facebook_fixtures as fx

POST_1 = f"page-post:{fx.PAGE_ID}_900000000000001"
HANDLE = f"facebook-page:{fx.PAGE_ID}"


def parse(path: Path) -> ParsedArchive:
    with open_archive(path) as archive:
        return FacebookPageImporter().parse(archive)


def parse_csv(tmp_path: Path, text: str, name: str = "posts.csv") -> ParsedFile:
    (found,) = parse(fx.single_file(tmp_path, name, text)).files
    return found


def posts(parsed_file: ParsedFile) -> dict[str, PostRecord]:
    return {r.key: r for r in parsed_file.records if isinstance(r, PostRecord)}


def account(parsed_file: ParsedFile) -> AccountRecord:
    (found,) = [r for r in parsed_file.records if isinstance(r, AccountRecord)]
    return found


# --- whole exports ---------------------------------------------------------------------------


def test_it_reads_an_english_export(tmp_path):
    found = parse_csv(tmp_path, fx.PAGE_POSTS_EN)

    assert found.status == "parsed"
    assert found.read == 3 and found.errors == [] and found.notes == []
    by_key = posts(found)
    assert len(by_key) == 3
    bread = by_key[POST_1]
    assert bread.text == "Pain de campagne, sorti du four"
    assert bread.url == f"https://www.facebook.com/{fx.PAGE_ID}/posts/900000000000001"
    assert bread.published_at == datetime(2026, 11, 28, 14, 15, tzinfo=UTC)  # 09:15 in Toronto
    assert (bread.reach, bread.reactions_count, bread.comments_count) == (1234, 48, 6)
    assert bread.reshares_count == 3
    assert bread.language == "fr"
    assert bread.kind == "original"
    page = account(found)
    assert (page.handle, page.kind, page.display_name) == (HANDLE, "page", "Boulangerie Côté")


def test_it_reads_a_french_export_into_the_same_posts(tmp_path):
    english = parse_csv(tmp_path / "en", fx.PAGE_POSTS_EN)
    french = parse_csv(tmp_path / "fr", fx.PAGE_POSTS_FR)

    assert french.status == "parsed" and french.errors == []
    assert posts(french) == posts(english)
    assert account(french) == account(english)


def test_it_keeps_empty_counts_unknown_rather_than_zero(tmp_path):
    found = parse_csv(tmp_path, fx.PAGE_POSTS_EN)

    empty = posts(found)[f"page-post:{fx.PAGE_ID}_900000000000003"]
    assert empty.reach is None and empty.reactions_count is None and empty.reshares_count is None
    assert empty.text == "Ouvert le 24 décembre !"


def test_it_takes_the_title_when_the_description_is_empty(tmp_path):
    found = parse_csv(tmp_path, fx.PAGE_POSTS_EN)

    assert posts(found)[f"page-post:{fx.PAGE_ID}_900000000000002"].text == "Nos heures des fêtes"


# --- dates -----------------------------------------------------------------------------------


def test_it_reads_times_in_the_pages_zone_across_daylight_saving(tmp_path):
    found = parse_csv(tmp_path, fx.PAGE_POSTS_EN)

    summer = posts(found)[f"page-post:{fx.PAGE_ID}_900000000000003"]
    winter = posts(found)[f"page-post:{fx.PAGE_ID}_900000000000002"]
    assert summer.published_at == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # EDT, UTC-4
    assert winter.published_at == datetime(2026, 12, 1, 21, 5, tzinfo=UTC)  # EST, UTC-5


@pytest.mark.parametrize(
    ("value", "day_first", "expected"),
    [
        ("11/28/2026 09:15", False, datetime(2026, 11, 28, 14, 15, tzinfo=UTC)),
        ("28/11/2026 09:15", True, datetime(2026, 11, 28, 14, 15, tzinfo=UTC)),
        ("11/28/2026 9:15 AM", False, datetime(2026, 11, 28, 14, 15, tzinfo=UTC)),
        ("11/28/2026 9:15 PM", False, datetime(2026, 11, 29, 2, 15, tzinfo=UTC)),
        ("28/11/2026 09 h 15", True, datetime(2026, 11, 28, 14, 15, tzinfo=UTC)),
        ("2026-11-28 09:15", True, datetime(2026, 11, 28, 14, 15, tzinfo=UTC)),
        ("2026-11-28T09:15:00-08:00", False, datetime(2026, 11, 28, 17, 15, tzinfo=UTC)),
        ("11/28/2026 09:15 UTC", False, datetime(2026, 11, 28, 9, 15, tzinfo=UTC)),
    ],
)
def test_it_reads_each_publish_time_format(value, day_first, expected):
    assert publish_time(value, day_first, PAGE_ZONE) == expected


def test_it_reads_day_first_dates_in_an_english_file_when_a_day_says_so(tmp_path):
    text = (
        "Post ID,Publish time\n"
        "1_1,03/04/2026 10:00\n"  # ambiguous alone
        "1_2,25/04/2026 10:00\n"  # only day first makes sense
    )
    found = parse_csv(tmp_path, text)

    assert posts(found)["page-post:1_1"].published_at.month == 4
    assert found.errors == []


def test_it_reads_ambiguous_dates_of_a_french_file_day_first(tmp_path):
    found = parse_csv(tmp_path, "ID de la publication,Heure de publication\n1_1,03/04/2026 10:00\n")

    assert posts(found)["page-post:1_1"].published_at == datetime(2026, 4, 3, 14, 0, tzinfo=UTC)


def test_it_reads_times_as_utc_when_the_header_says_so(tmp_path):
    found = parse_csv(tmp_path, "Post ID,Publish time (UTC)\n1_1,11/28/2026 09:15\n")

    assert posts(found)["page-post:1_1"].published_at == datetime(2026, 11, 28, 9, 15, tzinfo=UTC)


# --- numbers and other cells -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1234", 1234),
        ("1,234", 1234),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234 567", 1_234_567),
        ("1.234", 1234),
        ("12.0", 12),
        ("", None),
        ("  ", None),
        ("--", None),
    ],
)
def test_it_reads_counts_with_any_thousands_separator(value, expected):
    assert count(value) == expected


@pytest.mark.parametrize("value", ["12,5", "beaucoup", "1,23,4", "-3"])
def test_it_refuses_what_is_not_a_count(value):
    with pytest.raises(ValueError):
        count(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fr", "fr"), ("fr_CA", "fr-CA"), ("French", "fr"), ("Français, English", "fr"), ("", "")],
)
def test_it_reads_the_language_as_a_code(value, expected):
    assert language_of(value) == expected


def test_it_reports_rows_with_bad_dates_or_numbers_by_line_and_goes_on(tmp_path):
    text = (
        "Post ID,Publish time,Reach,Shares\n"
        "1_1,11/28/2026 09:15,100,1\n"
        "1_2,hier matin,100,1\n"
        "1_3,11/28/2026 09:15,beaucoup,1\n"
        ",11/28/2026 09:15,5,1\n"
        "1_5,13/13/2026 09:15,5,1\n"
        '1_6,11/29/2026 09:15,"2,5",3\n'
    )
    found = parse_csv(tmp_path, text)

    assert set(posts(found)) == {"page-post:1_1"}
    assert [(e.line, e.reason) for e in found.errors] == [
        (3, "The publish time “hier matin” could not be read."),
        (4, "The number “beaucoup” in column “Reach” could not be read."),
        (5, "This post has neither a Post ID nor a permalink."),
        (6, "The publish time “13/13/2026 09:15” could not be read."),
        (7, "The number “2,5” in column “Reach” could not be read."),
    ]
    assert found.read == 6


# --- columns ---------------------------------------------------------------------------------


def test_it_says_which_columns_were_not_found(tmp_path):
    found = parse_csv(tmp_path, fx.PAGE_POSTS_MINIMAL)

    assert found.status == "parsed"
    assert found.notes[0] == (
        "Columns not found: Page ID, Page name, Post ID, Reach, Shares. "
        "Posts were imported without these values."
    )
    assert len(posts(found)) == 2


def test_it_names_missing_columns_in_french_for_a_french_export(tmp_path):
    found = parse_csv(tmp_path, "ID de la publication,Heure de publication\n1_1,28/11/2026 10:00\n")

    assert "Couverture" in found.notes[0] and "Réactions" in found.notes[0]


def test_it_keys_posts_by_permalink_without_a_post_id(tmp_path):
    found = parse_csv(tmp_path, fx.PAGE_POSTS_MINIMAL)

    keys = set(posts(found))
    assert all(k.startswith("page-post:") and len(k) == len("page-post:") + 40 for k in keys)
    again = parse_csv(tmp_path / "again", fx.PAGE_POSTS_MINIMAL.replace("\n", "\r\n"))
    assert set(posts(again)) == keys


def test_it_files_posts_under_an_unnamed_page_when_nothing_names_it(tmp_path):
    found = parse_csv(tmp_path, fx.PAGE_POSTS_MINIMAL)

    assert account(found).handle == "facebook-page:unnamed"
    assert "without a name" in found.notes[1]


def test_it_finds_the_page_id_in_the_post_ids(tmp_path):
    found = parse_csv(tmp_path, "Post ID,Publish time\n104729381234567_9,11/28/2026 09:15\n")

    assert account(found).handle == HANDLE


def test_it_tolerates_a_separator_line_tab_separators_and_unknown_columns(tmp_path):
    text = (
        "sep=\t\n"
        "Custom labels\tPost ID\tPage name\tPublish time\tSomething new\tReach\n"
        f"promo\t9001\t{fx.PAGE_NAME}\t11/28/2026 09:15\t?\t1 500\n"
    )
    found = parse_csv(tmp_path, text)

    assert posts(found)["page-post:9001"].reach == 1500
    assert account(found).handle == "facebook-page:boulangerie côté"


def test_it_rejects_a_csv_that_is_not_a_posts_export(tmp_path):
    found = parse_csv(tmp_path, "Date,Primary\n2026-11-01,20\n", name="Follows.csv")

    assert found.status == "rejected"
    assert found.records == []
    assert "Publish time" in found.errors[0].reason
    assert "Meta Business Suite" in found.errors[0].reason


def test_it_rejects_an_export_without_post_id_nor_permalink(tmp_path):
    found = parse_csv(tmp_path, "Publish time,Reach\n11/28/2026 09:15,10\n")

    assert found.status == "rejected"
    assert "neither a “Post ID” nor a “Permalink” column" in found.errors[0].reason


# --- several files ---------------------------------------------------------------------------


def test_it_reads_several_monthly_exports_of_one_page(tmp_path):
    folder = tmp_path / "exports"
    fx.single_file(folder, "Nov-01-2026_Nov-30-2026_1039829308656930.csv", fx.PAGE_POSTS_EN)
    fx.single_file(folder, "Dec-01-2026_Dec-31-2026_2035041197114989.csv", fx.PAGE_POSTS_FR)
    fx.single_file(folder, "notes.txt", "à lire")

    parsed = parse(folder)

    statuses = {f.name: f.status for f in parsed.files}
    assert statuses == {
        "Nov-01-2026_Nov-30-2026_1039829308656930.csv": "parsed",
        "Dec-01-2026_Dec-31-2026_2035041197114989.csv": "parsed",
        "notes.txt": "ignored",
    }
    records = [r for f in parsed.files for r in f.records]
    assert sum(isinstance(r, AccountRecord) for r in records) == 1


def test_it_rejects_a_file_about_another_page(tmp_path):
    folder = tmp_path / "exports"
    fx.single_file(folder, "a.csv", fx.PAGE_POSTS_EN)
    fx.single_file(
        folder, "b.csv", "Post ID,Page ID,Page name,Publish time\n9_1,9,Autre,1/2/2026 1:00\n"
    )

    parsed = parse(folder)

    other = next(f for f in parsed.files if f.name == "b.csv")
    assert other.status == "rejected"
    assert "another Page (Autre)" in other.errors[0].reason


# --- claims ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Nov-01-2026_Nov-30-2026_1039829308656930.csv"], 0.6),
        (["a.csv"], 0.3),
        (["publications.csv"], 0.3),
        (["Connections.csv"], 0.0),
        (["Shares.csv"], 0.0),
        (["following_accounts.csv"], 0.0),
        (["a.csv", "b.csv"], 0.0),
        (["Connections.csv", "messages.csv", "Profile.csv"], 0.0),
        (["data/manifest.js", "data/tweets.js"], 0.0),
        (["outbox.json", "actor.json"], 0.0),
        (["repo.car"], 0.0),
        (["your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"], 0.0),
    ],
)
def test_it_claims_a_lone_csv_modestly_and_other_archives_not_at_all(names, expected):
    assert FacebookPageImporter().claims(names) == expected


# --- through the database --------------------------------------------------------------------


def test_it_imports_an_export_then_creates_nothing_when_imported_again(cast, tmp_path):
    path = fx.single_file(tmp_path, "posts.csv", fx.PAGE_POSTS_EN)

    first = archive_import(cast.alice, path, "facebook-page")
    again = archive_import(cast.alice, path, "facebook-page")

    assert first.status == again.status == "succeeded"
    assert first.summary["files"]["posts.csv"]["created"] == 4  # three posts and the Page
    assert again.summary["files"]["posts.csv"]["created"] == 0
    assert again.summary["files"]["posts.csv"]["updated"] == 0
    (page,) = SocialAccount.objects.filter(owner=cast.alice, network="facebook")
    assert (page.handle, page.kind, page.display_name) == (HANDLE, "page", "Boulangerie Côté")
    stored = Post.objects.filter(owner=cast.alice, network="facebook", account=page)
    assert stored.count() == 3
    assert stored.get(key=POST_1).reach == 1234


def test_a_later_export_updates_the_counts_of_the_same_posts(cast, tmp_path):
    archive_import(
        cast.alice, fx.single_file(tmp_path / "a", "p.csv", fx.PAGE_POSTS_EN), "facebook-page"
    )
    later = fx.PAGE_POSTS_FR.replace("1\u00a0234,57,48", "2\u00a0000,70,61")

    run = archive_import(
        cast.alice, fx.single_file(tmp_path / "b", "p.csv", later), "facebook-page"
    )

    counts = run.summary["files"]["p.csv"]
    assert (counts["created"], counts["updated"]) == (0, 1)
    post = Post.objects.get(owner=cast.alice, key=POST_1)
    assert (post.reach, post.reactions_count) == (2000, 61)
    assert Post.objects.filter(owner=cast.alice).count() == 3


def test_page_posts_and_profile_posts_live_side_by_side(cast, tmp_path):
    profile = fx.export_zip(tmp_path / "profile", fx.archive_members(fx.CURRENT))
    page = fx.single_file(tmp_path / "page", "posts.csv", fx.PAGE_POSTS_EN)

    archive_import(cast.alice, profile, "facebook")
    archive_import(cast.alice, page, "facebook-page")

    kinds = dict(
        SocialAccount.objects.filter(owner=cast.alice, network="facebook").values_list(
            "handle", "kind"
        )
    )
    assert kinds == {fx.OWNER_URI: "profile", HANDLE: "page"}
    assert Post.objects.filter(owner=cast.alice, network="facebook").count() == 4 + 3
    assert Post.objects.filter(owner=cast.alice, account__kind="page").count() == 3

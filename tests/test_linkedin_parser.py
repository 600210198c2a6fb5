"""The LinkedIn parser reads every file and every known quirk of real exports (no database)."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from maillage.demo.generator import exports_write
from maillage.demo.plan import demo_plan
from maillage.imports.importers.linkedin import LinkedInImporter
from maillage.imports.records import (
    AccountRecord,
    ConnectionRecord,
    InteractionRecord,
    ParsedArchive,
    ParsedFile,
    PostRecord,
)
from maillage.imports.services import archive_import
from maillage.lib.dates import parse_datetime
from maillage.lib.safe_archive import open_archive
from maillage.lib.text import linkedin_url_normalise, person_key
from tests import linkedin_fixtures as fx


def parse(path: Path) -> ParsedArchive:
    with open_archive(path) as archive:
        return LinkedInImporter().parse(archive)


def parse_files(
    tmp_path: Path,
    files: dict[str, str | bytes],
    name: str = "Basic_LinkedInDataExport_11-29-2026.zip",
) -> ParsedArchive:
    return parse(fx.export_zip(tmp_path, files, name=name))


def one(parsed: ParsedArchive, name: str) -> ParsedFile:
    (found,) = [f for f in parsed.files if f.name == name]
    return found


def connections(parsed_file: ParsedFile) -> dict[str, ConnectionRecord]:
    return {r.person.name: r for r in parsed_file.records if isinstance(r, ConnectionRecord)}


def interactions(parsed_file: ParsedFile) -> list[InteractionRecord]:
    return [r for r in parsed_file.records if isinstance(r, InteractionRecord)]


def posts(parsed_file: ParsedFile) -> list[PostRecord]:
    return [r for r in parsed_file.records if isinstance(r, PostRecord)]


# --- Connections.csv ---------------------------------------------------------------------


def test_it_finds_the_connections_header_after_the_notes_preamble_and_bom(tmp_path):
    parsed = one(parse_files(tmp_path, {"Connections.csv": fx.CONNECTIONS}), "Connections.csv")

    people = connections(parsed)
    assert parsed.status == "parsed"
    assert set(people) == {"Jean Gagnon", "Émilie Côté", "Samir Roy"}
    jean = people["Jean Gagnon"]
    assert jean.connected_on == date(2019, 8, 30)
    assert jean.person.key == "https://www.linkedin.com/in/jean-gagnon"
    assert jean.person.company == "Desjardins"
    assert people["Émilie Côté"].person.position == "Directrice, ventes"
    assert people["Émilie Côté"].person.email == "emilie@example.com"


def test_it_skips_padding_rows_and_sets_aside_rows_with_only_a_date(tmp_path):
    parsed = one(parse_files(tmp_path, {"Connections.csv": fx.CONNECTIONS}), "Connections.csv")

    # The blank padding row is not a row; the dated empty one is read then skipped with a reason.
    assert parsed.read == 4
    assert parsed.errors == []
    assert [row.line for row in parsed.skipped] == [8]
    assert "closed their account" in parsed.skipped[0].reason


def test_it_normalises_every_profile_url_variant_to_one_key(tmp_path):
    people = connections(
        one(parse_files(tmp_path, {"Connections.csv": fx.CONNECTIONS}), "Connections.csv")
    )

    assert people["Émilie Côté"].person.key == "https://www.linkedin.com/in/emilie-cote"
    assert people["Samir Roy"].person.key == "https://www.linkedin.com/in/samir-roy"
    assert people["Samir Roy"].connected_on == date(2024, 6, 18)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.linkedin.com/in/jean-gagnon",
        "https://www.linkedin.com/in/Jean-Gagnon/",
        "http://linkedin.com/in/jean-gagnon?trk=people",
        "www.linkedin.com/in/jean-gagnon",
        "fr.linkedin.com/in/jean-gagnon/fr/",
        "HTTPS://CA.LINKEDIN.COM/in/jean-gagnon#about",
    ],
)
def test_it_gives_the_same_person_key_for_any_way_of_writing_a_profile_url(url):
    assert person_key(url, "whatever") == "https://www.linkedin.com/in/jean-gagnon"


def test_it_keeps_accents_but_not_case_or_spacing_in_name_keys():
    assert person_key("", "  Émilie   CÔTÉ ") == "name:émilie côté"
    assert linkedin_url_normalise("https://example.com/in/x") == ""
    assert linkedin_url_normalise("NA") == ""


def test_it_reads_2021_connections_without_a_url_column_by_name(tmp_path):
    parsed = one(parse_files(tmp_path, {"Connections.csv": fx.CONNECTIONS_2021}), "Connections.csv")

    people = connections(parsed)
    assert set(people) == {"Jean Gagnon", "Léa Morin"}
    assert people["Léa Morin"].person.key == "name:léa morin"
    assert people["Léa Morin"].person.profile_url == ""


def test_it_reads_2018_connections_with_their_us_dates_and_column_names(tmp_path):
    parsed = one(parse_files(tmp_path, {"Connections.csv": fx.CONNECTIONS_2018}), "Connections.csv")

    (jean,) = connections(parsed).values()
    assert jean.connected_on == date(2018, 1, 8)
    assert jean.person.company == "Desjardins"


# --- Shares.csv --------------------------------------------------------------------------


def test_it_unwraps_the_extra_quotes_around_each_line_of_a_multiline_post(tmp_path):
    parsed = one(parse_files(tmp_path, {"Shares.csv": fx.SHARES}), "Shares.csv")

    first, reshare, unlinked = posts(parsed)
    assert first.text == "Première ligne\n\nDeuxième ligne"
    assert first.kind == "original"
    assert first.key == "https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A111"
    assert first.published_at == datetime(2025, 7, 1, 14, 33, 22, tzinfo=UTC)
    assert reshare.kind == "reshare"
    assert reshare.shared_url == "https://example.com/article"
    assert unlinked.text == "Sans lien, mais avec une virgule"
    assert unlinked.key.startswith("sha1:")


def test_it_reads_the_2024_sharedurl_and_mediaurl_header_variants(tmp_path):
    (post,) = posts(one(parse_files(tmp_path, {"Shares.csv": fx.SHARES_2024}), "Shares.csv"))

    assert post.shared_url == "https://example.com/shared"
    assert post.media_url == "https://media.example.com/1.jpg"
    assert post.kind == "reshare"


def test_it_reads_the_2018_utf16_tab_separated_shares_by_header_name(tmp_path):
    parsed = one(parse_files(tmp_path, {"Shares.csv": fx.SHARES_2018}), "Shares.csv")

    (post,) = posts(parsed)
    assert post.text == "Bonjour à tous"
    assert post.url == "https://www.linkedin.com/updates?topic=6377"
    assert post.published_at == datetime(2018, 3, 2, 10, 15, tzinfo=UTC)


def test_it_reads_spreadsheet_resaved_dates_and_na_cells(tmp_path):
    parsed = one(parse_files(tmp_path, {"Shares.csv": fx.SHARES_SPREADSHEET}), "Shares.csv")

    (post,) = posts(parsed)
    assert post.published_at == datetime(2024, 6, 18, tzinfo=UTC)
    assert (post.shared_url, post.media_url, post.visibility) == ("", "", "")
    # A post without a date cannot be placed in time: reported on its physical line.
    assert [(e.line, e.reason) for e in parsed.errors] == [(3, "This post has no date.")]
    assert parsed.read == 2


# --- Comments, Reactions -----------------------------------------------------------------


def test_it_reads_backslash_escaped_quotes_in_comments(tmp_path):
    parsed = one(parse_files(tmp_path, {"Comments.csv": fx.COMMENTS}), "Comments.csv")

    first, second = interactions(parsed)
    assert first.text == 'Bravo pour "la" conférence, vraiment'
    assert first.kind == "comment"
    assert first.target_url.endswith("activity%3A1")
    assert second.text == "Merci"
    assert parsed.errors == []


def test_it_reports_an_unreadable_date_on_its_line_and_reads_the_rest(tmp_path):
    parsed = one(parse_files(tmp_path, {"Reactions.csv": fx.REACTIONS}), "Reactions.csv")

    assert [r.detail for r in interactions(parsed)] == ["PRAISE", "LIKE"]
    assert parsed.read == 3
    (error,) = parsed.errors
    assert error.line == 4
    assert "not a date" in error.reason


def test_it_reads_files_mixing_crlf_and_lf_line_endings(tmp_path):
    mixed = "Date,Type,Link\r\n2025-07-04 12:00:00,LIKE,u1\n2025-07-05 12:00:00,PRAISE,u2\r\n"
    parsed = parse_files(tmp_path, {"Reactions.csv": mixed, "Shares.csv": fx.SHARES})

    assert [r.target_url for r in interactions(one(parsed, "Reactions.csv"))] == ["u1", "u2"]
    assert len(posts(one(parsed, "Shares.csv"))) == 3


# --- Invitations, messages, profile ------------------------------------------------------


def test_it_maps_invitation_directions_to_the_other_person(tmp_path):
    parsed = one(parse_files(tmp_path, {"Invitations.csv": fx.INVITATIONS}), "Invitations.csv")

    sent, received = interactions(parsed)
    assert sent.kind == "invitation_sent"
    assert sent.person is not None
    assert sent.person.key == "https://www.linkedin.com/in/zoe-fortin"
    assert sent.text == "Au plaisir"
    assert sent.occurred_at == datetime(2024, 6, 14, 5, 57, tzinfo=UTC)
    assert received.kind == "invitation_received"
    assert received.counterpart == "Noël Bouchard"
    assert received.occurred_at == datetime(2024, 6, 15, 12, 3, tzinfo=UTC)


def test_it_tells_sent_from_received_messages_by_the_owner_in_every_conversation(tmp_path):
    # No Profile.csv nor Invitations.csv: the owner is who takes part in every conversation.
    parsed = one(parse_files(tmp_path, {"messages.csv": fx.MESSAGES}), "messages.csv")

    received, sent, other = interactions(parsed)
    assert (received.kind, sent.kind, other.kind) == (
        "message_received",
        "message_sent",
        "message_received",
    )
    assert received.person is not None
    assert received.person.key == "https://www.linkedin.com/in/jean-gagnon"
    assert sent.counterpart == "Jean Gagnon"
    assert sent.person is not None
    assert sent.person.key == "https://www.linkedin.com/in/jean-gagnon"
    assert sent.conversation == "2-abc"
    assert sent.detail == "INBOX"
    assert sent.text == "Bonjour Jean"
    assert all(m.is_message_body for m in (received, sent, other))


def test_it_uses_the_invitations_to_know_the_owner_of_a_single_conversation(tmp_path):
    one_conversation = "\n".join(fx.MESSAGES.splitlines()[:3]) + "\n"
    parsed = parse_files(
        tmp_path, {"Invitations.csv": fx.INVITATIONS, "messages.csv": one_conversation}
    )

    kinds = [m.kind for m in interactions(one(parsed, "messages.csv"))]
    assert kinds == ["message_received", "message_sent"]


def test_it_reads_old_messages_csv_and_newer_columns_and_skips_drafts(tmp_path):
    old = parse_files(tmp_path / "old", {"Messages.csv": fx.MESSAGES})
    newer = parse_files(tmp_path / "new", {"messages.csv": fx.MESSAGES_NEWER})

    assert len(interactions(one(old, "Messages.csv"))) == 3
    parsed = one(newer, "messages.csv")
    (message,) = interactions(parsed)
    assert message.text == "Bonjour Marie"
    assert [row.reason for row in parsed.skipped] == ["Draft message, never sent."]
    # The same message in both exports has the same key.
    assert message.key == interactions(one(old, "Messages.csv"))[0].key


def test_it_builds_the_account_from_the_profile_and_the_owners_url(tmp_path):
    parsed = parse_files(tmp_path, {"Profile.csv": fx.PROFILE, "Invitations.csv": fx.INVITATIONS})

    (account,) = one(parsed, "Profile.csv").records
    assert isinstance(account, AccountRecord)
    assert account.handle == fx.OWNER_URL
    assert account.display_name == "Marie Tremblay"
    assert account.headline == "Directrice des ventes"
    assert account.summary == "Je vends,\nje relie."
    assert account.location == "Québec, Canada"
    assert account.industry == "Services-conseils"
    assert account.websites == "[COMPANY:https://exemple.example]"


def test_it_names_the_account_after_the_owner_when_no_url_is_known(tmp_path):
    parsed = parse_files(tmp_path, {"Profile.csv": fx.PROFILE})

    (account,) = one(parsed, "Profile.csv").records
    assert isinstance(account, AccountRecord)
    assert account.handle == "linkedin:marie tremblay"


# --- Recommendations, endorsements, follows ----------------------------------------------


def test_it_reads_recommendations_endorsements_and_follows(tmp_path):
    parsed = parse_files(
        tmp_path,
        {
            "Recommendations_Received.csv": fx.RECOMMENDATIONS_RECEIVED,
            "Recommendations_Given.csv": fx.RECOMMENDATIONS_GIVEN,
            "Endorsement_Received_Info.csv": fx.ENDORSEMENTS,
            "Company Follows.csv": fx.FOLLOWS,
        },
    )

    (received,) = interactions(one(parsed, "Recommendations_Received.csv"))
    assert received.kind == "recommendation_received"
    assert received.person is not None
    assert (received.person.name, received.person.company) == ("Jean Gagnon", "Desjardins")
    assert received.person.position == "Conseiller"
    assert (received.detail, received.text) == ("VISIBLE", "Marie est formidable.")
    assert received.occurred_at == datetime(2023, 12, 24, 5, 28, tzinfo=UTC)
    (given,) = interactions(one(parsed, "Recommendations_Given.csv"))
    assert given.kind == "recommendation_given"
    assert given.occurred_at == datetime(2024, 1, 2, 22, 1, tzinfo=UTC)
    (endorsement,) = interactions(one(parsed, "Endorsement_Received_Info.csv"))
    assert endorsement.detail == "Vente"
    assert endorsement.person is not None
    assert endorsement.person.key == "https://www.linkedin.com/in/jean-gagnon"
    assert endorsement.occurred_at == datetime(2024, 2, 24, 14, 3, 38, tzinfo=UTC)
    (follow,) = interactions(one(parsed, "Company Follows.csv"))
    assert (follow.kind, follow.counterpart) == ("follow", "Desjardins")
    assert follow.occurred_at == datetime(2024, 6, 18, 12, 3, 31, tzinfo=UTC)


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 Aug 2019", datetime(2019, 8, 30, tzinfo=UTC)),
        ("1/8/18, 6:14 PM", datetime(2018, 1, 8, 18, 14, tzinfo=UTC)),
        ("2025-07-01 14:33:22", datetime(2025, 7, 1, 14, 33, 22, tzinfo=UTC)),
        ("6/14/24, 5:57 AM", datetime(2024, 6, 14, 5, 57, tzinfo=UTC)),
        ("2024-06-18 11:59:53 UTC", datetime(2024, 6, 18, 11, 59, 53, tzinfo=UTC)),
        ("12/24/23, 05:28 AM", datetime(2023, 12, 24, 5, 28, tzinfo=UTC)),
        ("12/24/23, 12:05 AM", datetime(2023, 12, 24, 0, 5, tzinfo=UTC)),
        ("2024/02/24 14:03:38 UTC", datetime(2024, 2, 24, 14, 3, 38, tzinfo=UTC)),
        ("Tue Jun 18 12:03:31 UTC 2024", datetime(2024, 6, 18, 12, 3, 31, tzinfo=UTC)),
        ("18-Jun-24", datetime(2024, 6, 18, tzinfo=UTC)),
        ("2024-06-18T11:59:53+02:00", datetime(2024, 6, 18, 9, 59, 53, tzinfo=UTC)),
    ],
)
def test_it_reads_every_linkedin_date_format_as_utc(text, expected):
    assert parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["", "NA", " n/a ", "#N/A"])
def test_it_treats_empty_and_na_dates_as_no_date(text):
    assert parse_datetime(text) is None


@pytest.mark.parametrize("text", ["yesterday", "32 Aug 2019", "13/45/24, 5:57 AM", "Tue Jun"])
def test_it_refuses_dates_it_cannot_read(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


# --- the archive as a whole --------------------------------------------------------------


def test_it_reads_a_whole_realistic_export(tmp_path):
    parsed = parse_files(tmp_path, fx.FULL_EXPORT)

    assert parsed.network == "linkedin"
    assert parsed.as_of == date(2026, 11, 29)
    status = {f.name: f.status for f in parsed.files}
    assert status["Jobs/Job Applications.csv"] == "ignored"
    assert status["Learning.csv"] == "ignored"
    known = [f for f in parsed.files if f.status != "ignored"]
    assert len(known) == 11
    assert all(f.status == "parsed" and f.records for f in known)
    # Only the deliberate bad date of Reactions.csv is an error.
    assert [(f.name, len(f.errors)) for f in known if f.errors] == [("Reactions.csv", 1)]
    sent = [m.kind for m in interactions(one(parsed, "messages.csv")) if m.kind == "message_sent"]
    assert sent == ["message_sent"]
    keys = [getattr(r, "key", "") for f in parsed.files for r in f.records]
    assert all(len(key) <= 255 for key in keys)


def test_it_reports_progress_once_per_known_file(tmp_path):
    calls: list[tuple[int, str]] = []
    with open_archive(fx.export_zip(tmp_path, fx.FULL_EXPORT)) as archive:
        LinkedInImporter().parse(archive, lambda percent, label: calls.append((percent, label)))

    assert len(calls) == 11
    assert calls[-1][0] == 100
    assert [percent for percent, _ in calls] == sorted(percent for percent, _ in calls)


def test_it_keeps_keys_stable_between_an_older_and_a_newer_export(tmp_path):
    older = dict(fx.FULL_EXPORT)
    newer = dict(fx.FULL_EXPORT, **{"Connections.csv": fx.CONNECTIONS_NEWER})
    first = parse_files(tmp_path / "a", older, name="Basic_LinkedInDataExport_01-15-2026.zip")
    second = parse_files(tmp_path / "b", newer, name="Complete_LinkedInDataExport_11-29-2026.zip")

    def keys(parsed: ParsedArchive, name: str) -> set[str]:
        return {
            r.person.key if isinstance(r, ConnectionRecord) else getattr(r, "key", "")
            for r in one(parsed, name).records
        }

    old_people, new_people = keys(first, "Connections.csv"), keys(second, "Connections.csv")
    assert old_people < new_people
    assert new_people - old_people == {"https://www.linkedin.com/in/zoe-fortin"}
    for name in ("Shares.csv", "Comments.csv", "Reactions.csv", "Invitations.csv", "messages.csv"):
        assert keys(first, name) == keys(second, name)
    assert (first.as_of, second.as_of) == (date(2026, 1, 15), date(2026, 11, 29))


def test_it_reads_the_export_date_from_the_complete_export_name(tmp_path):
    parsed = parse_files(
        tmp_path, {"Shares.csv": fx.SHARES}, name="Complete_LinkedInDataExport_03-07-2025.zip"
    )

    assert parsed.as_of == date(2025, 3, 7)


def test_it_dates_an_export_without_a_dated_name_by_its_newest_entry(tmp_path):
    path = fx.export_zip(
        tmp_path, {"Shares.csv": fx.SHARES}, name="export.zip", date_time=(2025, 2, 3, 4, 5, 6)
    )

    assert parse(path).as_of == date(2025, 2, 3)


def test_it_reads_a_single_uploaded_csv_file(tmp_path):
    parsed = parse(fx.export_file(tmp_path, "Connections.csv", fx.CONNECTIONS))

    (connections_file,) = parsed.files
    assert connections_file.status == "parsed"
    assert len(connections_file.records) == 3


def test_it_recognises_a_renamed_single_csv_by_its_header(tmp_path):
    parsed = parse(fx.export_file(tmp_path, "Connections (2).csv", fx.CONNECTIONS))
    renamed = parse(fx.export_file(tmp_path, "mes-contacts.csv", fx.CONNECTIONS_NEWER))

    assert parsed.files[0].status == "parsed"
    assert len(renamed.files[0].records) == 4


def test_it_rejects_a_known_file_without_its_header_and_says_what_to_do(tmp_path):
    parsed = parse_files(
        tmp_path, {"Connections.csv": "Nom;Prénom\nGagnon;Jean\n", "Shares.csv": fx.SHARES}
    )

    broken = one(parsed, "Connections.csv")
    assert broken.status == "rejected"
    assert broken.records == []
    (error,) = broken.errors
    assert "“First Name”" in error.reason and "spreadsheet" in error.reason
    assert one(parsed, "Shares.csv").status == "parsed"


def test_it_ignores_files_it_does_not_know(tmp_path):
    parsed = parse_files(tmp_path, {"Learning.csv": "Content Title\nVendre\n", "Rich.csv": "x\n"})

    assert [(f.name, f.status, f.read) for f in parsed.files] == [
        ("Learning.csv", "ignored", 0),
        ("Rich.csv", "ignored", 0),
    ]


def test_it_claims_archives_by_their_linkedin_file_names():
    importer = LinkedInImporter()

    assert importer.claims(["Connections.csv", "Shares.csv", "messages.csv"]) == 1.0
    assert 0 < importer.claims(["Connections.csv"]) < 1
    assert importer.claims(["tweets.js", "manifest.js"]) == 0.0


# --- with the demo generator and the import service --------------------------------------


def test_it_reads_the_demo_generators_exports_without_a_row_error(tmp_path):
    plan = demo_plan(42, members=4, scale=0.2, now=datetime(2026, 11, 29, 15, tzinfo=UTC))
    for path in exports_write(plan, tmp_path).values():
        parsed = parse(path)

        assert parsed.as_of == date(2026, 11, 29)
        assert all(f.status == "parsed" for f in parsed.files)
        assert [(f.name, f.errors[:1]) for f in parsed.files if f.errors] == []
        skipped = {row.reason for f in parsed.files for row in f.skipped}
        assert len(skipped) <= 1  # only empty connection rows are set aside


def test_it_imports_a_whole_export_then_creates_nothing_when_imported_again(cast, tmp_path):
    path = fx.export_zip(tmp_path, fx.FULL_EXPORT)

    first = archive_import(cast.alice, path)
    again = archive_import(cast.alice, path)

    assert first.status == again.status == "succeeded"
    files = first.summary["files"]
    assert files["Connections.csv"]["created"] == 3
    assert files["Shares.csv"]["created"] == 3
    assert files["Reactions.csv"]["errors"][0]["line"] == 4
    assert sum(count["created"] for count in again.summary["files"].values()) == 0
    assert sum(count["updated"] for count in again.summary["files"].values()) == 0


def test_it_reports_a_row_with_values_beyond_the_header_instead_of_shifting_them(tmp_path):
    shifted = (
        "Date,Type,Link\n"
        "2025-07-04 12:00:00,LIKE,u1\n"
        '2025-07-05 12:00:00,LIKE,"u2",u3\n'
        "2025-07-06 12:00:00,PRAISE,u4,\n"
    )
    parsed = one(parse_files(tmp_path, {"Reactions.csv": shifted}), "Reactions.csv")

    assert [r.target_url for r in interactions(parsed)] == ["u1", "u4"]
    (error,) = parsed.errors
    assert error.line == 3
    assert "4 values where the header has 3" in error.reason
    assert parsed.read == 3


def test_it_keys_a_message_the_same_with_or_without_the_sender_url_column(tmp_path):
    lines = fx.MESSAGES.splitlines()

    def without_urls(line: str) -> str:
        cells = next(csv.reader([line]))
        del cells[5], cells[3]
        return ",".join(f'"{c}"' for c in cells)

    older = "".join(without_urls(line) + "\n" for line in lines)
    new_file = parse_files(tmp_path / "n", {"messages.csv": fx.MESSAGES})
    old_file = parse_files(tmp_path / "o", {"Messages.csv": older})
    new = interactions(one(new_file, "messages.csv"))
    old = interactions(one(old_file, "Messages.csv"))

    assert [m.key for m in old] == [m.key for m in new]
    assert [m.kind for m in old] == [m.kind for m in new]
    assert old[0].person is not None
    assert old[0].person.key == "name:jean gagnon"

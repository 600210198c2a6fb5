"""The import writer: idempotent upserts, newer-wins people, counts per file, message privacy."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import transaction

from maillage.imports.models import ImportRun
from maillage.imports.records import (
    AccountRecord,
    ConnectionRecord,
    InteractionRecord,
    ParsedArchive,
    ParsedFile,
    PersonRef,
    PostRecord,
    RowError,
)
from maillage.imports.services import archive_import
from maillage.imports.writer import archive_write
from maillage.network.models import Connection, Person
from maillage.presence.models import Interaction, Post, SocialAccount
from tests import linkedin_fixtures as fx

JUNE = datetime(2025, 6, 18, 11, 59, 53, tzinfo=UTC)


def person(n: int, position: str = "Directrice des ventes") -> PersonRef:
    return PersonRef(
        key=f"https://www.linkedin.com/in/person-{n}",
        name=f"Personne {n}",
        first_name="Personne",
        last_name=str(n),
        position=position,
        company="Desjardins",
        profile_url=f"https://www.linkedin.com/in/person-{n}",
    )


def archive(as_of: date | None = date(2025, 7, 1), position: str = "Directrice des ventes"):
    connections = ParsedFile(
        name="Connections.csv",
        read=4,
        records=[
            ConnectionRecord(person(1, position), date(2019, 8, 30)),
            ConnectionRecord(person(2), date(2020, 1, 8)),
            ConnectionRecord(person(2), date(2020, 1, 8)),  # the same person twice
        ],
        skipped=[RowError(line=7, reason="Empty row: only the connection date")],
    )
    shares = ParsedFile(
        name="Shares.csv",
        read=2,
        records=[
            PostRecord(key="urn:li:share:1", published_at=JUNE, text="Bonjour Québec"),
            PostRecord(key="urn:li:share:2", published_at=JUNE, text="Deuxième"),
        ],
    )
    messages = ParsedFile(
        name="messages.csv",
        read=2,
        records=[
            InteractionRecord(
                key="msg:1",
                kind="message_sent",
                occurred_at=JUNE,
                person=person(1, position=""),
                conversation="conv-1",
                text="Secret body",
                is_message_body=True,
            ),
            InteractionRecord(key="msg:2", kind="message_received", occurred_at=JUNE),
        ],
        errors=[RowError(line=3, reason="The DATE column is empty")],
    )
    jobs = ParsedFile(name="Jobs/Job Applications.csv", status="ignored")
    return ParsedArchive(
        network="linkedin", files=[connections, shares, messages, jobs], as_of=as_of
    )


def write(user, parsed):
    with transaction.atomic():
        return {name: count.as_json() for name, count in archive_write(user, parsed).items()}


def test_it_writes_every_record_and_counts_them_per_file(cast):
    files = write(cast.alice, archive())

    assert files["Connections.csv"]["read"] == 4
    assert files["Connections.csv"]["created"] == 2
    # One duplicate plus one empty row the parser skipped.
    assert files["Connections.csv"]["skipped"] == 2
    assert files["Shares.csv"]["created"] == 2
    assert files["messages.csv"]["created"] == 2
    assert files["messages.csv"]["skipped"] == 1
    assert files["messages.csv"]["errors"] == [{"line": 3, "reason": "The DATE column is empty"}]
    assert files["Jobs/Job Applications.csv"]["status"] == "ignored"
    assert files["Connections.csv"]["status"] == "imported"
    assert Person.objects.filter(owner=cast.alice).count() == 2
    assert Connection.objects.get(
        owner=cast.alice, person__key__endswith="person-1"
    ).connected_on == date(2019, 8, 30)
    assert Post.objects.filter(owner=cast.alice).count() == 2
    assert Post.objects.get(key="urn:li:share:1").published_at == JUNE
    message = Interaction.objects.get(key="msg:1")
    assert message.person is not None and message.person.name == "Personne 1"
    assert message.conversation == "conv-1"


def test_it_creates_and_updates_nothing_when_the_same_archive_comes_again(cast):
    write(cast.alice, archive())
    files = write(cast.alice, archive())

    assert all(f["created"] == 0 and f["updated"] == 0 for f in files.values())
    assert Person.objects.filter(owner=cast.alice).count() == 2
    assert Interaction.objects.filter(owner=cast.alice).count() == 2


def test_it_takes_a_connections_new_position_from_a_newer_archive(cast):
    write(cast.alice, archive(as_of=date(2025, 7, 1)))
    files = write(cast.alice, archive(as_of=date(2025, 9, 1), position="Vice-présidente"))

    assert files["Connections.csv"]["updated"] == 1
    assert files["Connections.csv"]["created"] == 0
    updated = Person.objects.get(owner=cast.alice, key__endswith="person-1")
    assert updated.position == "Vice-présidente"
    assert updated.as_of == date(2025, 9, 1)


def test_it_never_lets_an_older_archive_overwrite_newer_values(cast):
    write(cast.alice, archive(as_of=date(2025, 9, 1), position="Vice-présidente"))
    files = write(cast.alice, archive(as_of=date(2025, 7, 1), position="Directrice des ventes"))
    undated = write(cast.alice, archive(as_of=None, position="Stagiaire"))

    assert files["Connections.csv"]["updated"] == 0
    assert undated["Connections.csv"]["updated"] == 0
    assert Person.objects.get(owner=cast.alice, key__endswith="person-1").position == (
        "Vice-présidente"
    )


def test_it_drops_message_bodies_unless_the_owner_keeps_them(cast):
    write(cast.alice, archive())
    cast.bob.keep_message_text = True
    cast.bob.save()
    write(cast.bob, archive())

    assert Interaction.objects.get(owner=cast.alice, key="msg:1").text == ""
    assert Interaction.objects.get(owner=cast.bob, key="msg:1").text == "Secret body"


def test_it_keeps_each_owners_rows_apart(cast):
    write(cast.alice, archive())
    files = write(cast.bob, archive(position="Autre poste"))

    assert files["Connections.csv"]["created"] == 2
    assert Person.objects.get(owner=cast.alice, key__endswith="person-1").position == (
        "Directrice des ventes"
    )
    assert Person.objects.get(owner=cast.bob, key__endswith="person-1").position == "Autre poste"


def test_it_makes_one_account_per_network_and_adopts_it_when_a_profile_arrives(cast):
    write(cast.alice, archive())
    placeholder = SocialAccount.objects.get(owner=cast.alice, network="linkedin")
    assert placeholder.handle == "linkedin:alice@example.com"
    assert Post.objects.filter(account=placeholder).count() == 2

    profile = ParsedFile(
        name="Profile.csv",
        read=1,
        records=[
            AccountRecord(
                handle="https://www.linkedin.com/in/alice-tremblay",
                display_name="Alice Tremblay",
                headline="Conseillère",
            )
        ],
    )
    parsed = archive()
    parsed.files.append(profile)
    files = write(cast.alice, parsed)

    account = SocialAccount.objects.get(owner=cast.alice, network="linkedin")
    assert account.pk == placeholder.pk
    assert account.handle == "https://www.linkedin.com/in/alice-tremblay"
    assert account.headline == "Conseillère"
    assert files["Profile.csv"]["updated"] == 1
    assert write(cast.alice, parsed)["Profile.csv"]["updated"] == 0


def test_it_updates_a_post_whose_text_changed(cast):
    write(cast.alice, archive())
    parsed = archive()
    shares = parsed.files[1]
    shares.records[0] = PostRecord(key="urn:li:share:1", published_at=JUNE, text="Corrigé")

    files = write(cast.alice, parsed)

    assert files["Shares.csv"]["updated"] == 1
    assert Post.objects.get(owner=cast.alice, key="urn:li:share:1").text == "Corrigé"


def test_it_reports_a_rejected_file_without_writing_its_rows(cast):
    parsed = archive()
    parsed.files.append(
        ParsedFile(
            name="Reactions.csv",
            status="rejected",
            errors=[RowError(line=1, reason="The header is not the one LinkedIn writes")],
        )
    )
    files = write(cast.alice, parsed)

    assert files["Reactions.csv"]["status"] == "rejected"
    assert files["Reactions.csv"]["errors"][0]["line"] == 1


# --- end to end through the real archive reader and LinkedIn parser ------------------------------


def newer_export(tmp_path):
    files = {**fx.FULL_EXPORT, "Connections.csv": fx.CONNECTIONS_NEWER}
    return fx.export_zip(
        tmp_path / "newer", files, name="Complete_LinkedInDataExport_12-15-2026.zip"
    )


def test_it_imports_a_real_linkedin_export_and_nothing_twice(cast, tmp_path):
    path = fx.export_zip(tmp_path, fx.FULL_EXPORT)

    first = archive_import(cast.alice, path)
    again = archive_import(cast.alice, path)

    assert first.status == ImportRun.Status.SUCCEEDED, first.error
    files = first.summary["files"]
    assert files["Connections.csv"]["created"] == 3
    assert files["Jobs/Job Applications.csv"]["status"] == "ignored"
    assert first.summary["as_of"] == "2026-11-29"
    account = SocialAccount.objects.get(owner=cast.alice, network="linkedin")
    assert account.handle == fx.OWNER_URL
    assert account.headline == "Directrice des ventes"
    assert Post.objects.filter(owner=cast.alice).count() == files["Shares.csv"]["created"] > 0
    # Message bodies stay out unless Alice opted in.
    messages = Interaction.objects.filter(owner=cast.alice, kind__startswith="message_")
    assert messages.exists() and not messages.exclude(text="").exists()
    assert again.status == ImportRun.Status.SUCCEEDED
    assert all(f["created"] == 0 and f["updated"] == 0 for f in again.summary["files"].values())


def test_it_brings_connections_up_to_date_from_a_newer_export(cast, tmp_path):
    archive_import(cast.alice, fx.export_zip(tmp_path, fx.FULL_EXPORT))

    newer = archive_import(cast.alice, newer_export(tmp_path))

    connections = newer.summary["files"]["Connections.csv"]
    assert connections["created"] == 1  # Zoé Fortin
    assert connections["updated"] == 1  # Jean Gagnon's new position
    jean = Person.objects.get(owner=cast.alice, connections__isnull=False, first_name="Jean")
    assert jean.position == "Directeur"
    assert jean.as_of == date(2026, 12, 15)

    older = archive_import(cast.alice, fx.export_zip(tmp_path / "again", fx.FULL_EXPORT))
    assert older.summary["files"]["Connections.csv"]["updated"] == 0
    jean.refresh_from_db()
    assert jean.position == "Directeur"


def test_its_datetime_text_is_what_djangos_sqlite_backend_stores():
    from types import SimpleNamespace
    from zoneinfo import ZoneInfo

    # Through the backend's base module: importing its operations module first is a circular
    # import when no SQLite connection has loaded the backend yet (the PostgreSQL run).
    from django.db.backends.sqlite3.base import DatabaseWrapper

    from maillage.imports.writer import _sqlite_datetime

    # Django's own SQLite adapter, on a stand-in connection in UTC (as SQLite's is), so the test
    # also runs where the test database is PostgreSQL.
    sqlite = DatabaseWrapper.ops_class(connection=SimpleNamespace(timezone=UTC))  # type: ignore[arg-type]
    django_text = sqlite.adapt_datetimefield_value
    montreal = ZoneInfo("America/Montreal")
    values = [
        datetime(2026, 3, 8, 6, 59, 59, tzinfo=UTC),  # the minute before Montréal's DST change
        datetime(2026, 11, 1, 1, 30, tzinfo=montreal),  # an hour that happens twice
        datetime(2026, 11, 1, 1, 30, tzinfo=montreal).replace(fold=1),
        datetime(2000, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2021, 11, 30, 11, 42, 51, 5, tzinfo=UTC),
        datetime(2019, 1, 1),  # naive: exports without an offset are in UTC
        datetime(2019, 1, 1, 0, 0, 0, 120_000),
        *(datetime.fromtimestamp(1_000_000_000 + n * 7_919_777, UTC) for n in range(200)),
    ]
    for value in values:
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        assert _sqlite_datetime(value) == django_text(aware), value
    assert _sqlite_datetime(None) is None


def test_none_is_bound_through_an_identity_adapter_and_stored_as_null():
    import sqlite3

    adapter = sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)]
    assert adapter(None) is None
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE t (a INTEGER, b TEXT)")
    database.execute("INSERT INTO t VALUES (?, ?)", (None, None))
    assert database.execute("SELECT a IS NULL, b IS NULL, typeof(a) FROM t").fetchone() == (
        1,
        1,
        "null",
    )


def test_nullable_columns_empty_in_every_row_are_left_out_of_the_insert():
    from maillage.imports.writer import _without_empty_columns
    from maillage.presence.models import Post

    names = ("key", "text", "reach", "reactions_count")
    rows = [("a", "", None, None), ("b", "", None, 3)]

    kept, values = _without_empty_columns(Post, names, rows)

    # `reach` goes (NULL all the same); `text` stays, empty but not nullable; a count given
    # for one row keeps its column, with None for the others.
    assert list(kept) == ["key", "text", "reactions_count"]
    assert values == [("a", "", None), ("b", "", 3)]
    mixed = [("a", "", 1, None), ("b", "", None, 3)]
    assert _without_empty_columns(Post, names, mixed) == (names, mixed)

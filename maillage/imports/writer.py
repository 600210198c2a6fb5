"""Writes a parsed archive into the database: idempotent upserts, counted per file.

Speed matters (an archive holds 100,000+ rows): existing keys and values are loaded with one
query per model, rows are classified new/changed/unchanged in Python, and new rows go in with
raw `executemany` INSERTs instead of model instances. Call it inside one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.utils.translation import gettext as _

from maillage.accounts.models import User
from maillage.imports.records import (
    AccountRecord,
    ConnectionRecord,
    InteractionRecord,
    ParsedArchive,
    ParsedFile,
    PostRecord,
)
from maillage.network.models import Connection, Person
from maillage.presence.models import Interaction, Post, SocialAccount

BATCH = 5000
# Enough to explain what went wrong without making a run's summary megabytes long.
MAX_LISTED = 200

PERSON_FIELDS = ("name", "first_name", "last_name", "position", "company", "profile_url", "email")
POST_FIELDS = ("kind", "published_at", "text", "url", "shared_url", "media_url", "visibility")
INTERACTION_FIELDS = (
    "kind",
    "occurred_at",
    "person_id",
    "counterpart",
    "target_url",
    "detail",
    "conversation",
    "text",
)
ACCOUNT_FIELDS = ("kind", "display_name", "headline", "summary", "industry", "location", "websites")

# Outcomes of one record against what is stored.
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class FileCount:
    """What happened to one file's rows; `as_json` is the run summary's shape."""

    status: str
    read: int = 0
    created: int = 0
    updated: int = 0
    duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.skipped_rows) + self.duplicates + len(self.errors)

    def as_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "duplicates": self.duplicates,
            "errors": self.errors[:MAX_LISTED],
            "skipped_rows": self.skipped_rows[:MAX_LISTED],
            "status": self.status,
        }


def _aware(value: datetime | None) -> datetime | None:
    # Exports without an offset are in UTC (FORMATS.md); stored values come back aware.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _sqlite_datetime(value: datetime | None) -> Any:
    # What Django's SQLite backend stores: naive UTC text; ten times cheaper than its adapter.
    if value is None:
        return None
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return str(value.replace(tzinfo=None))


def _sqlite_date(value: date | None) -> Any:
    return None if value is None else str(value)


def _same(value: Any) -> Any:
    return value


def _adapters() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """Datetime and date adapters for raw SQL; PostgreSQL's driver takes Python values as is."""
    if connection.vendor == "sqlite":
        return _sqlite_datetime, _sqlite_date
    return _same, _same


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def _columns(model: type[Model], names: Sequence[str]) -> list[str]:
    return [connection.ops.quote_name(_field(model, n).column) for n in names]


def _insert(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain INSERT of many rows: no model instances, portable across SQLite and PostgreSQL."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, names))
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from models
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _update(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """UPDATE by primary key; each row is (*values, pk)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{column} = %s" for column in _columns(model, names))
    pk = connection.ops.quote_name(_field(model, "id").column)
    sql = f"UPDATE {table} SET {sets} WHERE {pk} = %s"  # noqa: S608 - names from models
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _newer_or_same(incoming: date | None, stored: date | None) -> bool:
    # An archive without a date counts as the oldest one.
    if incoming is None:
        return stored is None
    return stored is None or incoming >= stored


class ArchiveWriter:
    """Upserts one parsed archive for one owner; `write()` returns the per-file counts."""

    def __init__(self, owner: User, parsed: ParsedArchive) -> None:
        self.owner = owner
        self.parsed = parsed
        self.network = parsed.network
        self.as_of = parsed.as_of
        self.keep_text = bool(owner.keep_message_text)
        self.person_outcome: dict[str, str] = {}
        self.person_ids: dict[str, int] = {}
        self.seen: set[str] = set()
        self.db_datetime, self.db_date = _adapters()

    # --- entry point --------------------------------------------------------------------------

    def write(self, progress: Callable[[int, str], None] | None = None) -> dict[str, FileCount]:
        counts = {f.name: self._count_for(f) for f in self.parsed.files}
        parsed = [f for f in self.parsed.files if f.status == "parsed"]
        account_id, account_outcome = self._account(parsed)
        self._people(parsed)
        connection_outcome = self._connections(parsed)
        post_outcome = self._posts(parsed, account_id)
        interaction_outcome = self._interactions(parsed, account_id)
        for parsed_file in parsed:
            self._tally(
                parsed_file,
                counts[parsed_file.name],
                account_outcome,
                connection_outcome,
                post_outcome,
                interaction_outcome,
            )
        return counts

    @staticmethod
    def _count_for(parsed_file: ParsedFile) -> FileCount:
        status = {"parsed": "imported", "ignored": "ignored"}.get(parsed_file.status, "rejected")
        return FileCount(
            status=status,
            read=parsed_file.read,
            errors=[{"line": e.line, "reason": e.reason} for e in parsed_file.errors],
            skipped_rows=[{"line": s.line, "reason": s.reason} for s in parsed_file.skipped],
        )

    # --- the owner's account -------------------------------------------------------------------

    def _account(self, files: Iterable[ParsedFile]) -> tuple[int, str]:
        record = next(
            (r for f in files for r in f.records if isinstance(r, AccountRecord)),
            None,
        )
        accounts = SocialAccount.objects.filter(owner=self.owner, network=self.network)
        placeholder = f"{self.network}:{self.owner.email}"
        if record is None:
            account = accounts.order_by("pk").first()
            if account is None:
                account = SocialAccount.objects.create(
                    owner=self.owner, network=self.network, handle=placeholder
                )
                return account.pk, CREATED
            return account.pk, UNCHANGED
        account = accounts.filter(handle=record.handle).first()
        if account is None:
            # An earlier archive without a profile made a placeholder: it becomes this account.
            account = accounts.filter(handle=placeholder).first()
            if account is None:
                account = SocialAccount(owner=self.owner, network=self.network)
            account.handle = record.handle
        changed = [n for n in ACCOUNT_FIELDS if getattr(account, n) != getattr(record, n)]
        outcome = CREATED if account.pk is None else UPDATED if changed else UNCHANGED
        if outcome != UNCHANGED or account.handle != record.handle:
            for name in ACCOUNT_FIELDS:
                setattr(account, name, getattr(record, name))
            account.save()
        return account.pk, outcome

    # --- people and connections ----------------------------------------------------------------

    def _refs(self, files: Iterable[ParsedFile]) -> dict[str, list[str]]:
        """Merged values per person key: connection rows first, then what other files add."""
        refs: dict[str, list[str]] = {}
        ordered = sorted(
            files, key=lambda f: not any(isinstance(r, ConnectionRecord) for r in f.records)
        )
        for parsed_file in ordered:
            for record in parsed_file.records:
                ref = getattr(record, "person", None)
                if ref is None or not ref.key:
                    continue
                known = refs.get(ref.key)
                if known is None:
                    refs[ref.key] = [getattr(ref, n) for n in PERSON_FIELDS]
                    continue
                for index, name in enumerate(PERSON_FIELDS):
                    if not known[index]:
                        known[index] = getattr(ref, name)
        return refs

    def _people(self, files: Iterable[ParsedFile]) -> None:
        refs = self._refs(files)
        if not refs:
            return
        stored = {
            row[1]: row
            for row in Person.objects.filter(owner=self.owner, network=self.network).values_list(
                "id", "key", *PERSON_FIELDS, "as_of"
            )
        }
        as_of = self.db_date(self.as_of)
        limits = [_field(Person, n).max_length or 255 for n in PERSON_FIELDS]
        new_rows: list[tuple[Any, ...]] = []
        changed_rows: list[tuple[Any, ...]] = []
        for key, ref in refs.items():
            values = tuple(value[:limit] for value, limit in zip(ref, limits, strict=True))
            row = stored.get(key)
            if row is None:
                new_rows.append((self.owner.pk, self.network, key, *values, as_of))
                self.person_outcome[key] = CREATED
                continue
            self.person_ids[key] = row[0]
            old = row[2:-1]
            if not _newer_or_same(self.as_of, row[-1]):
                self.person_outcome[key] = UNCHANGED
                continue
            # Empty incoming values never erase what an earlier archive said.
            merged = tuple(new or was for new, was in zip(values, old, strict=True))
            if merged != old:
                changed_rows.append((*merged, as_of, row[0]))
                self.person_outcome[key] = UPDATED
            else:
                if self.as_of is not None and row[-1] != self.as_of:
                    changed_rows.append((*merged, as_of, row[0]))
                self.person_outcome[key] = UNCHANGED
        new_rows.sort(key=itemgetter(2))
        _insert(Person, ("owner", "network", "key", *PERSON_FIELDS, "as_of"), new_rows)
        _update(Person, (*PERSON_FIELDS, "as_of"), changed_rows)
        if new_rows:
            self.person_ids.update(
                Person.objects.filter(owner=self.owner, network=self.network).values_list(
                    "key", "id"
                )
            )

    def _connections(self, files: Iterable[ParsedFile]) -> dict[str, str]:
        records: dict[str, ConnectionRecord] = {}
        for parsed_file in files:
            for record in parsed_file.records:
                if isinstance(record, ConnectionRecord) and record.person.key:
                    records.setdefault(record.person.key, record)
        if not records:
            return {}
        stored: dict[int, tuple[int, date | None]] = {
            person_id: (pk, connected_on)
            for person_id, pk, connected_on in Connection.objects.filter(
                owner=self.owner, network=self.network
            ).values_list("person_id", "id", "connected_on")
        }
        outcome: dict[str, str] = {}
        new_rows: list[tuple[Any, ...]] = []
        changed_rows: list[tuple[Any, ...]] = []
        for key, record in records.items():
            person_id = self.person_ids[key]
            known = stored.get(person_id)
            if known is None:
                new_rows.append(
                    (self.owner.pk, person_id, self.network, self.db_date(record.connected_on))
                )
                outcome[key] = CREATED
            elif record.connected_on is not None and known[1] != record.connected_on:
                changed_rows.append((self.db_date(record.connected_on), known[0]))
                outcome[key] = UPDATED
            else:
                outcome[key] = self.person_outcome.get(key, UNCHANGED)
        _insert(Connection, ("owner", "person", "network", "connected_on"), new_rows)
        _update(Connection, ("connected_on",), changed_rows)
        return outcome

    # --- posts and interactions ----------------------------------------------------------------

    def _posts(self, files: Iterable[ParsedFile], account_id: int) -> dict[str, str]:
        records: dict[str, PostRecord] = {}
        for parsed_file in files:
            for record in parsed_file.records:
                if isinstance(record, PostRecord) and record.key:
                    records.setdefault(record.key, record)
        if not records:
            return {}
        stored = {
            row[1]: row
            for row in Post.objects.filter(owner=self.owner, network=self.network).values_list(
                "id", "key", *POST_FIELDS
            )
        }
        return self._upsert(
            Post,
            POST_FIELDS,
            stored,
            {
                key: (
                    r.kind,
                    _aware(r.published_at),
                    r.text,
                    r.url[:500],
                    r.shared_url[:1000],
                    r.media_url[:1000],
                    r.visibility[:32],
                )
                for key, r in records.items()
            },
            account_id,
            datetime_at=1,
        )

    def _interactions(self, files: Iterable[ParsedFile], account_id: int) -> dict[str, str]:
        records: dict[str, InteractionRecord] = {}
        for parsed_file in files:
            for record in parsed_file.records:
                if isinstance(record, InteractionRecord) and record.key:
                    records.setdefault(record.key, record)
        if not records:
            return {}
        stored = {
            row[1]: row
            for row in Interaction.objects.filter(
                owner=self.owner, network=self.network
            ).values_list("id", "key", *INTERACTION_FIELDS)
        }
        person_ids = self.person_ids
        values: dict[str, tuple[Any, ...]] = {}
        for key, r in records.items():
            text = r.text if (self.keep_text or not r.is_message_body) else ""
            values[key] = (
                r.kind,
                _aware(r.occurred_at),
                person_ids.get(r.person.key) if r.person is not None else None,
                r.counterpart[:500],
                r.target_url[:1000],
                r.detail[:255],
                r.conversation[:255],
                text,
            )
        return self._upsert(
            Interaction, INTERACTION_FIELDS, stored, values, account_id, datetime_at=1
        )

    def _upsert(
        self,
        model: type[Model],
        names: Sequence[str],
        stored: dict[str, tuple[Any, ...]],
        incoming: dict[str, tuple[Any, ...]],
        account_id: int,
        datetime_at: int,
    ) -> dict[str, str]:
        """Insert what is new, update what changed, by (owner, network, key)."""
        outcome: dict[str, str] = {}
        new_rows: list[tuple[Any, ...]] = []
        changed_rows: list[tuple[Any, ...]] = []
        owner_id, network = self.owner.pk, self.network

        def adapt(values: tuple[Any, ...]) -> tuple[Any, ...]:
            moment = self.db_datetime(values[datetime_at])
            return (*values[:datetime_at], moment, *values[datetime_at + 1 :])

        for key, values in incoming.items():
            row = stored.get(key)
            if row is None:
                new_rows.append((owner_id, account_id, network, key, *adapt(values)))
                outcome[key] = CREATED
            elif tuple(row[2:]) != values:
                changed_rows.append((*adapt(values), row[0]))
                outcome[key] = UPDATED
            else:
                outcome[key] = UNCHANGED
        # In key order the unique index grows at its end instead of splitting pages everywhere.
        new_rows.sort(key=itemgetter(3))
        _insert(model, ("owner", "account", "network", "key", *names), new_rows)
        _update(model, names, changed_rows)
        return outcome

    # --- counting ------------------------------------------------------------------------------

    def _tally(
        self,
        parsed_file: ParsedFile,
        count: FileCount,
        account: str,
        connections: dict[str, str],
        posts: dict[str, str],
        interactions: dict[str, str],
    ) -> None:
        """Count each record of the file once; a key seen again in the archive is a duplicate."""
        seen = self.seen
        for record in parsed_file.records:
            if isinstance(record, AccountRecord):
                outcome, key = account, "account"
            elif isinstance(record, ConnectionRecord):
                key = "c:" + record.person.key
                outcome = connections.get(record.person.key, UNCHANGED)
            elif isinstance(record, PostRecord):
                key = "p:" + record.key
                outcome = posts.get(record.key, UNCHANGED)
            else:
                key = "i:" + record.key
                outcome = interactions.get(record.key, UNCHANGED)
            if key in seen:
                count.duplicates += 1
                continue
            seen.add(key)
            if outcome == CREATED:
                count.created += 1
            elif outcome == UPDATED:
                count.updated += 1


def archive_write(owner: User, parsed: ParsedArchive) -> dict[str, FileCount]:
    """Upsert every record of a parsed archive; returns the counts per file name."""
    return ArchiveWriter(owner, parsed).write()


def no_usable_file_message() -> str:
    return _(
        "None of the files in this archive is one Maillage can read. Upload the zip LinkedIn "
        "sent you, or its CSV files (Connections.csv, Shares.csv, messages.csv...)."
    )

"""Writes a parsed archive into the database: idempotent upserts, counted per file.

Speed matters (an archive holds 100,000+ rows): existing keys and values are loaded with one
query per model, rows are classified new/changed/unchanged in Python, and new rows go in with
raw `executemany` INSERTs instead of model instances. Call it inside one transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import chain
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
    PersonRef,
    PostRecord,
)
from maillage.lib.dates import clock_text
from maillage.network.models import Connection, Person
from maillage.presence.models import Interaction, Post, SocialAccount
from maillage.presence.networks import AccountKind

BATCH = 5000
MAX_ROWS_PER_INSERT = 500
# The import transaction's SQLite page cache, in KiB (negative = KiB for the PRAGMA): the
# unique and composite indexes of 100,000 rows fit, instead of the default 2 MiB.
SQLITE_CACHE_KIB = -65536
# PositiveIntegerField's upper bound on every database Django supports.
MAX_COUNT = 2_147_483_647
# Enough to explain what went wrong without making a run's summary megabytes long.
MAX_LISTED = 200

PERSON_FIELDS = ("name", "first_name", "last_name", "position", "company", "profile_url", "email")
POST_FIELDS = (
    "kind",
    "published_at",
    "text",
    "url",
    "shared_url",
    "media_url",
    "visibility",
    "language",
    "reach",
    "reactions_count",
    "comments_count",
    "reshares_count",
)
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
ACCOUNT_FIELDS = (
    "kind",
    "display_name",
    "headline",
    "summary",
    "industry",
    "location",
    "websites",
    "followers_count",
    "following_count",
    "posts_count",
)

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
    unit: str = "line"
    notes: list[str] = field(default_factory=list)

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
            "unit": self.unit,
            "notes": self.notes[:MAX_LISTED],
        }


def _sqlite_datetime(value: datetime | None) -> Any:
    """What Django's SQLite backend stores: the naive UTC value as text (`str()` of it)."""
    if value is None:
        return None
    if value.tzinfo is not None and value.tzinfo is not UTC:
        value = value.astimezone(UTC)  # naive values are UTC already (FORMATS.md)
    return clock_text(value)


def _aware_datetime(value: datetime | None) -> Any:
    # PostgreSQL's driver takes aware values as they are; naive ones are UTC (FORMATS.md).
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _sqlite_date(value: date | None) -> Any:
    return None if value is None else str(value)


def _same(value: Any) -> Any:
    return value


def _adapters() -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """Datetime and date adapters for raw SQL; PostgreSQL's driver takes Python values as is."""
    if connection.vendor == "sqlite":
        return _sqlite_datetime, _sqlite_date
    return _aware_datetime, _same


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, Field)
    return found


def _limit(model: type[Model], name: str) -> int:
    return _field(model, name).max_length or 255


def _columns(model: type[Model], names: Sequence[str]) -> list[str]:
    return [connection.ops.quote_name(_field(model, n).column) for n in names]


def _rows_per_insert(columns: int) -> int:
    # As many rows per statement as the backend takes parameters (999 on SQLite, 65,535 for
    # PostgreSQL's protocol), with a cap that keeps each statement a few hundred KiB at most.
    limit = connection.features.max_query_params or 65_535
    return max(1, min(MAX_ROWS_PER_INSERT, limit // columns))


def _insert(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """New rows in bulk, without model instances: COPY on PostgreSQL, multi-row INSERTs else.

    Many rows per statement rather than `executemany` (one statement per row): SQLite runs
    half as much per row, the AUTOINCREMENT counter is updated once per statement.
    """
    if not rows:
        return
    names, rows = _without_empty_columns(model, names, rows)
    if connection.vendor == "postgresql":
        _insert_copy(model, names, rows)
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, names))
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - names from models
    per = _rows_per_insert(len(names))
    if connection.vendor == "sqlite":
        # SQLite's own `?` marks on the connection Django's transaction uses: Django's cursor
        # would rewrite `%s` into `?` with a regex on every 999-mark statement (a fifth of the
        # insert time).
        connection.ensure_connection()
        cursor_context: Any = closing(connection.connection.cursor())
        mark = "?"
    else:
        cursor_context, mark = connection.cursor(), "%s"
    one = "(" + ", ".join([mark] * len(names)) + ")"
    full = head + ", ".join([one] * per)
    with cursor_context as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = full if len(chunk) == per else head + ", ".join([one] * len(chunk))
            cursor.execute(sql, list(chain.from_iterable(chunk)))


def _without_empty_columns(
    model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]
) -> tuple[Sequence[str], list[tuple[Any, ...]]]:
    """The names and rows without the nullable columns that are None in every row.

    Left out of the INSERT, such a column is NULL all the same (Django gives columns no
    default), and Python's sqlite3 binds None through its adapter lookup, a slow path: the
    counts no Facebook post has cost a third of the posts' insert time.
    """
    empty = [
        i
        for i, name in enumerate(names)
        if _field(model, name).null and list(map(itemgetter(i), rows)).count(None) == len(rows)
    ]
    if not empty:
        return names, rows
    kept = [i for i in range(len(names)) if i not in empty]
    if len(kept) == 1:
        (only,) = kept
        return [names[only]], [(row[only],) for row in rows]
    pick = itemgetter(*kept)
    return [names[i] for i in kept], list(map(pick, rows))


def _insert_copy(model: type[Model], names: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    """PostgreSQL: `COPY ... FROM STDIN`, its bulk-loading path. The rows stream in PostgreSQL's
    text format, written by psycopg's C code, with no statement to parse or plan: the LinkedIn
    benchmark's archive inserts in 1.5-1.7 s instead of 3.8-4.2 s with `unnest`ed arrays (which
    were already faster than `executemany` or multi-row INSERTs there)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_columns(model, names))
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        write_row = copy.write_row
        for row in rows:
            write_row(row)


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


@contextmanager
def _bulk_pragmas() -> Iterator[None]:
    """A bigger SQLite page cache while the import writes, so index pages stay in memory.

    Only memory settings of this connection, restored after: durability is unchanged.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _count(value: int | None) -> int | None:
    """A count as stored: positive and within the column's range, else unknown."""
    if value is None or value < 0:
        return None
    return min(value, MAX_COUNT)


def _newer_or_same(incoming: date | None, stored: date | None) -> bool:
    # An archive without a date counts as the oldest one.
    if incoming is None:
        return stored is None
    return stored is None or incoming >= stored


@dataclass
class _Gathered:
    """Every record of the archive sorted by kind in one pass; the first of each key wins."""

    account: AccountRecord | None = None
    connections: dict[str, ConnectionRecord] = field(default_factory=dict)
    posts: dict[str, PostRecord] = field(default_factory=dict)
    interactions: dict[str, InteractionRecord] = field(default_factory=dict)
    # Per file: person refs in record order, and the keys it was the first to bring.
    refs: dict[str, list[PersonRef]] = field(default_factory=dict)
    has_connections: dict[str, bool] = field(default_factory=dict)
    firsts: dict[str, tuple[list[str], list[str], list[str], bool]] = field(default_factory=dict)


def _gather(files: Iterable[ParsedFile]) -> tuple[_Gathered, dict[str, int]]:
    """(the records by kind, duplicates per file name)."""
    found = _Gathered()
    duplicates: dict[str, int] = {}
    connections, posts, interactions = found.connections, found.posts, found.interactions
    for parsed_file in files:
        refs: list[PersonRef] = []
        mine_c: list[str] = []
        mine_p: list[str] = []
        mine_i: list[str] = []
        has_account = has_connections = False
        repeated = 0
        for record in parsed_file.records:
            kind = type(record)
            if kind is InteractionRecord:
                assert isinstance(record, InteractionRecord)  # for mypy; `type` is faster
                if record.person is not None and record.person.key:
                    refs.append(record.person)
                if record.key in interactions:
                    repeated += 1
                    continue
                interactions[record.key] = record
                mine_i.append(record.key)
            elif kind is ConnectionRecord:
                assert isinstance(record, ConnectionRecord)
                has_connections = True
                key = record.person.key
                if key:
                    refs.append(record.person)
                if key in connections:
                    repeated += 1
                    continue
                connections[key] = record
                mine_c.append(key)
            elif kind is PostRecord:
                assert isinstance(record, PostRecord)
                if record.key in posts:
                    repeated += 1
                    continue
                posts[record.key] = record
                mine_p.append(record.key)
            elif isinstance(record, AccountRecord):
                if found.account is not None:
                    repeated += 1
                    continue
                found.account = record
                has_account = True
        found.refs[parsed_file.name] = refs
        found.has_connections[parsed_file.name] = has_connections
        found.firsts[parsed_file.name] = (mine_c, mine_p, mine_i, has_account)
        duplicates[parsed_file.name] = repeated
    # A key that is empty names nothing: it is counted, never written.
    for records in (connections, posts, interactions):
        records.pop("", None)
    return found, duplicates


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
        self.db_datetime, self.db_date = _adapters()

    # --- entry point --------------------------------------------------------------------------

    def write(self, progress: Callable[[int, str], None] | None = None) -> dict[str, FileCount]:
        counts = {f.name: self._count_for(f) for f in self.parsed.files}
        parsed = [f for f in self.parsed.files if f.status == "parsed"]
        found, duplicates = _gather(parsed)
        with _bulk_pragmas():
            account_id, account_outcome = self._account(found.account)
            self._people(self._refs(parsed, found))
            connection_outcome = self._connections(found.connections)
            post_outcome = self._posts(found.posts, account_id)
            interaction_outcome = self._interactions(found.interactions, account_id)
        for parsed_file in parsed:
            count = counts[parsed_file.name]
            count.duplicates = duplicates[parsed_file.name]
            mine_c, mine_p, mine_i, has_account = found.firsts[parsed_file.name]
            # A connection whose row did not change still counts what its person gained.
            outcomes: Counter[str | None] = Counter(
                connection_outcome.get(key) or self.person_outcome.get(key, UNCHANGED)
                for key in mine_c
            )
            outcomes.update(map(post_outcome.get, mine_p))
            outcomes.update(map(interaction_outcome.get, mine_i))
            if has_account:
                outcomes[account_outcome] += 1
            count.created, count.updated = outcomes[CREATED], outcomes[UPDATED]
        return counts

    @staticmethod
    def _count_for(parsed_file: ParsedFile) -> FileCount:
        status = {"parsed": "imported", "ignored": "ignored"}.get(parsed_file.status, "rejected")
        return FileCount(
            status=status,
            read=parsed_file.read,
            errors=[{"line": e.line, "reason": e.reason} for e in parsed_file.errors],
            skipped_rows=[{"line": s.line, "reason": s.reason} for s in parsed_file.skipped],
            unit=parsed_file.unit,
            notes=list(parsed_file.notes),
        )

    # --- the owner's account -------------------------------------------------------------------

    def _account(self, record: AccountRecord | None) -> tuple[int, str]:
        accounts = SocialAccount.objects.filter(owner=self.owner, network=self.network)
        placeholder = f"{self.network}:{self.owner.email}"
        if record is None:
            # Files without the owner's identity belong to their profile, never to a page.
            account = accounts.filter(kind=AccountKind.PROFILE).order_by("pk").first()
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

    @staticmethod
    def _refs(files: Sequence[ParsedFile], found: _Gathered) -> dict[str, list[str]]:
        """Merged values per person key: connection files first, then what other files add."""
        refs: dict[str, list[str]] = {}
        first_ref: dict[str, PersonRef] = {}
        ordered = sorted(files, key=lambda f: not found.has_connections[f.name])
        for parsed_file in ordered:
            for ref in found.refs[parsed_file.name]:
                key = ref.key
                known = refs.get(key)
                if known is None:
                    refs[key] = [
                        ref.name,
                        ref.first_name,
                        ref.last_name,
                        ref.position,
                        ref.company,
                        ref.profile_url,
                        ref.email,
                    ]
                    first_ref[key] = ref
                elif ref is not first_ref[key] and not all(known):
                    # Readers share one PersonRef for a member named many times: merged once.
                    for index, name in enumerate(PERSON_FIELDS):
                        if not known[index]:
                            known[index] = getattr(ref, name)
        return refs

    def _people(self, refs: dict[str, list[str]]) -> None:
        if not refs:
            return
        stored = {
            row[1]: row
            for row in Person.objects.filter(owner=self.owner, network=self.network).values_list(
                "id", "key", *PERSON_FIELDS, "as_of"
            )
        }
        as_of = self.db_date(self.as_of)
        owner_id, network = self.owner.pk, self.network
        l_name, l_first, l_last, l_position, l_company, l_url, l_email = (
            _limit(Person, n) for n in PERSON_FIELDS
        )
        new_rows: list[tuple[Any, ...]] = []
        changed_rows: list[tuple[Any, ...]] = []
        for key, ref in refs.items():
            name, first, last, position, company, url, email = ref
            values = (
                name[:l_name],
                first[:l_first],
                last[:l_last],
                position[:l_position],
                company[:l_company],
                url[:l_url],
                email[:l_email],
            )
            row = stored.get(key)
            if row is None:
                new_rows.append((owner_id, network, key, *values, as_of))
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
            # One plain query: the ORM's row-by-row machinery would cost more than SQL here.
            table = connection.ops.quote_name(Person._meta.db_table)
            key, pk, owner, network = _columns(Person, ("key", "id", "owner", "network"))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {key}, {pk} FROM {table} WHERE {owner} = %s AND {network} = %s",  # noqa: S608
                    [self.owner.pk, self.network],
                )
                self.person_ids.update(cursor.fetchall())

    def _connections(self, records: dict[str, ConnectionRecord]) -> dict[str, str]:
        """Outcome per person key, only for connections created or updated."""
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
        owner_id, network, person_ids, db_date = (
            self.owner.pk,
            self.network,
            self.person_ids,
            self.db_date,
        )
        for key, record in records.items():
            person_id = person_ids[key]
            known = stored.get(person_id)
            if known is None:
                new_rows.append((owner_id, person_id, network, db_date(record.connected_on)))
                outcome[key] = CREATED
            elif record.connected_on is not None and known[1] != record.connected_on:
                changed_rows.append((db_date(record.connected_on), known[0]))
                outcome[key] = UPDATED
        # People were inserted in key order: by person id, both indexes on it grow at their end.
        new_rows.sort(key=itemgetter(1))
        _insert(Connection, ("owner", "person", "network", "connected_on"), new_rows)
        _update(Connection, ("connected_on",), changed_rows)
        return outcome

    # --- posts and interactions ----------------------------------------------------------------

    def _stored(self, model: type[Model], names: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """(id, key, *values) per key of the owner's rows on this network."""
        return {
            row[1]: row
            for row in model._default_manager.filter(
                owner=self.owner, network=self.network
            ).values_list("id", "key", *names)
        }

    def _posts(self, records: dict[str, PostRecord], account_id: int) -> dict[str, str]:
        if not records:
            return {}
        l_url, l_shared, l_media, l_visibility, l_language = (
            _limit(Post, n) for n in ("url", "shared_url", "media_url", "visibility", "language")
        )
        owner_id, network, db_datetime = self.owner.pk, self.network, self.db_datetime
        # Whole rows in one expression: an archive holds 100,000 of them, and every tuple or
        # call saved per row shows. Counts are nearly always absent, checked before the call.
        incoming = (
            (
                key,
                (
                    owner_id,
                    account_id,
                    network,
                    key,
                    r.kind,
                    db_datetime(r.published_at),
                    r.text,
                    r.url[:l_url],
                    r.shared_url[:l_shared],
                    r.media_url[:l_media],
                    r.visibility[:l_visibility],
                    r.language[:l_language],
                    None if r.reach is None else _count(r.reach),
                    None if r.reactions_count is None else _count(r.reactions_count),
                    None if r.comments_count is None else _count(r.comments_count),
                    None if r.reshares_count is None else _count(r.reshares_count),
                ),
            )
            for key, r in records.items()
        )
        return self._upsert(Post, POST_FIELDS, self._stored(Post, POST_FIELDS), incoming)

    def _interactions(
        self, records: dict[str, InteractionRecord], account_id: int
    ) -> dict[str, str]:
        if not records:
            return {}
        person_ids, keep_text = self.person_ids, self.keep_text
        l_counterpart, l_target, l_detail, l_conversation = (
            _limit(Interaction, n) for n in ("counterpart", "target_url", "detail", "conversation")
        )
        owner_id, network, db_datetime = self.owner.pk, self.network, self.db_datetime
        incoming = (
            (
                key,
                (
                    owner_id,
                    account_id,
                    network,
                    key,
                    r.kind,
                    db_datetime(r.occurred_at),
                    person_ids.get(r.person.key) if r.person is not None else None,
                    r.counterpart[:l_counterpart],
                    r.target_url[:l_target],
                    r.detail[:l_detail],
                    r.conversation[:l_conversation],
                    r.text if (keep_text or not r.is_message_body) else "",
                ),
            )
            for key, r in records.items()
        )
        stored = self._stored(Interaction, INTERACTION_FIELDS)
        return self._upsert(Interaction, INTERACTION_FIELDS, stored, incoming)

    def _upsert(
        self,
        model: type[Model],
        names: Sequence[str],
        stored: dict[str, tuple[Any, ...]],
        incoming: Iterable[tuple[str, tuple[Any, ...]]],
    ) -> dict[str, str]:
        """Insert what is new, update what changed, by (owner, network, key).

        Incoming rows are (owner, account, network, key, kind, datetime, *rest) as the database
        is given them; stored ones (id, key, kind, datetime, *rest) as the ORM reads them. The
        outcome lists only keys created or updated.
        """
        outcome: dict[str, str] = {}
        new_rows: list[tuple[Any, ...]] = []
        changed_rows: list[tuple[Any, ...]] = []
        db_datetime = self.db_datetime
        if not stored:  # a first import of this network: every row is new, nothing to look up
            new_rows = [new for _, new in incoming]
            outcome = dict.fromkeys(map(itemgetter(3), new_rows), CREATED)
        else:
            for key, new in incoming:
                row = stored.get(key)
                if row is None:
                    new_rows.append(new)
                    outcome[key] = CREATED
                elif row[2] != new[4] or db_datetime(row[3]) != new[5] or row[4:] != new[6:]:
                    changed_rows.append((*new[4:], row[0]))
                    outcome[key] = UPDATED
        # In key order the unique index grows at its end instead of splitting pages everywhere.
        new_rows.sort(key=itemgetter(3))
        _insert(model, ("owner", "account", "network", "key", *names), new_rows)
        _update(model, names, changed_rows)
        return outcome


def archive_write(owner: User, parsed: ParsedArchive) -> dict[str, FileCount]:
    """Upsert every record of a parsed archive; returns the counts per file name."""
    return ArchiveWriter(owner, parsed).write()


def no_usable_file_message() -> str:
    return _(
        "None of the files in this archive is one Maillage can read. Upload the archive the "
        "social network gave you, unchanged, and read the reason given for each file."
    )

"""Benchmark the LinkedIn import against a bare csv + executemany baseline (bench/README.md).

Generates a heavy export (110,000 rows with the real quirks), then measures in one run:
(a) `archive_import` into a fresh, migrated SQLite database, (b) the same CSV files read with
the csv module and inserted with `executemany` into bare tables in another fresh SQLite file,
(c) a re-import of the same archive, which must create nothing. Three rounds (`--repeat`), each
measuring (b) then (a) and (c) for a new user: the fastest (a) against the fastest (b) counts,
and every time is printed.

It also measures (d), SQLite's share: the very rows (a) stored, read back and inserted again
into a fresh database with Maillage's tables and indexes by bare multi-row INSERTs, with no
parsing or checking at all. (d)/(b) is what the ratio a/b can never go below on one core.

    .venv/bin/python bench/import_linkedin.py [--json] [--repeat N]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from maillage.demo.generator import CONNECTIONS_HEADER, MESSAGES_HEADER

ROOT = Path(__file__).resolve().parent.parent
SIZES = {
    "connections": 30_000,
    "shares": 5_000,
    "reactions": 50_000,
    "messages": 20_000,
    "comments": 3_000,
    "invitations": 2_000,
}
EXPORT_DAY = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
FIRST = ("Marie", "Jean", "Émilie", "François", "Chloé", "Mathieu", "Léa", "Noël", "Zoé", "Samir")
LAST = ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin")
COMPANIES = ("Desjardins", "Banque Nationale", "CGI", "Bombardier", "Vidéotron", "Hydro-Québec")
POSITIONS = ("Directrice des ventes", "Conseiller", "VP Marketing", "Analyste", "Président")
REACTIONS = ("LIKE", "PRAISE", "INTEREST", "APPRECIATION", "EMPATHY", "ENTERTAINMENT")
NOTES = (
    "When exporting your connection data, you may notice that some of the email addresses are "
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email."
)
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")
# Each side is measured this many times and its fastest time counts, as `timeit` does: on a
# shared machine one slow spell would otherwise decide a ratio of two short measurements.
REPEAT = 3


# --- the archive -------------------------------------------------------------------------------


def _csv(rows: Iterable[Sequence[str]], newline: str = "\r\n", **dialect: Any) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline, **dialect).writerows(rows)
    return buffer.getvalue()


def _moment(rng: random.Random) -> datetime:
    return EXPORT_DAY - timedelta(seconds=rng.randrange(3 * 365 * 86400))


def _share_date(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def _invitation_date(moment: datetime) -> str:
    hour = moment.hour % 12 or 12
    meridiem = "AM" if moment.hour < 12 else "PM"
    return f"{moment.month}/{moment.day}/{moment:%y}, {hour}:{moment.minute:02d} {meridiem}"


def _urn(rng: random.Random, kind: str = "activity") -> str:
    return f"https://www.linkedin.com/feed/update/urn%3Ali%3A{kind}%3A{rng.getrandbits(62)}"


def archive_files(seed: int = 7) -> dict[str, str]:
    """File name -> text of a heavy export, written the way LinkedIn writes it."""
    rng = random.Random(seed)
    people = [
        (
            rng.choice(FIRST),
            f"{rng.choice(LAST)}-{n}",
            f"https://www.linkedin.com/in/person-{n:06d}",
        )
        for n in range(SIZES["connections"])
    ]
    rows: list[list[str]] = [list(CONNECTIONS_HEADER)]
    for first, last, url in people:
        day = _moment(rng)
        connected = f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}"
        if rng.random() < 0.02:  # rows empty except the date, as in real exports
            rows.append(["", "", "", "", "", "", connected])
            continue
        email = f"{last.lower()}@example.com" if rng.random() < 0.02 else ""
        company, position = rng.choice(COMPANIES), rng.choice(POSITIONS)
        rows.append([first, last, url, email, company, position, connected])
    files = {"Connections.csv": "Notes:\r\n" + _csv([[NOTES]]) + "\r\n" + _csv(rows)}

    shares = [["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"]]
    for n in range(SIZES["shares"]):
        text = f"Publication {n} sur la vente-conseil"
        if n % 5 == 0:  # multi-line commentary: each line wrapped in extra quotes
            text = f'"{text}"\n"Deuxième ligne, « citée »"'
        shares.append(
            [_share_date(_moment(rng)), _urn(rng, "share"), text, "", "", "MEMBER_NETWORK"]
        )
    files["Shares.csv"] = _csv(shares)

    comments = [["Date", "Link", "Message"]]
    for n in range(SIZES["comments"]):
        comments.append([_share_date(_moment(rng)), _urn(rng), f'Bravo pour "ce texte" {n}'])
    files["Comments.csv"] = _csv(comments, escapechar="\\", doublequote=False)

    reactions = [["Date", "Type", "Link"]]
    for _ in range(SIZES["reactions"]):
        reactions.append([_share_date(_moment(rng)), rng.choice(REACTIONS), _urn(rng)])
    files["Reactions.csv"] = _csv(reactions)

    invitations = [
        ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"]
    ]
    me = ("Alice Tremblay", "https://www.linkedin.com/in/alice-bench")
    for n in range(SIZES["invitations"]):
        first, last, url = people[n]
        other = (f"{first} {last}", url)
        outgoing = n % 2 == 0
        sender, receiver = (me, other) if outgoing else (other, me)
        direction = "OUTGOING" if outgoing else "INCOMING"
        when = _invitation_date(_moment(rng))
        invitations.append([sender[0], receiver[0], when, "", direction, sender[1], receiver[1]])
    files["Invitations.csv"] = _csv(invitations)

    header = list(MESSAGES_HEADER)
    messages = [header]
    for n in range(SIZES["messages"]):
        first, last, url = people[(n // 4) % len(people)]
        other = (f"{first} {last}", url)
        sender, receiver = (me, other) if n % 2 else (other, me)
        when = f"{_moment(rng):%Y-%m-%d %H:%M:%S} UTC"
        row = [f"2-conv{n // 4:08d}", "", sender[0], sender[1], receiver[0], receiver[1]]
        messages.append([*row, when, "", f"Bonjour, message {n}", "INBOX"])
    files["messages.csv"] = _csv(messages, newline="\n")  # line endings vary within one zip
    return files


def archive_write(directory: Path) -> tuple[Path, Path]:
    """Write the files to a folder and the same files to a LinkedIn-named zip."""
    folder = directory / "csv"
    folder.mkdir()
    target = directory / "Complete_LinkedInDataExport_11-29-2026.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in archive_files().items():
            (folder / name).write_text(text, encoding="utf-8", newline="")
            archive.writestr(name, text.encode("utf-8"))
    return target, folder


# --- (b) the baseline ---------------------------------------------------------------------------


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    dialect: dict[str, Any] = {}
    if path.name == "Comments.csv":
        dialect = {"escapechar": "\\", "doublequote": False}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, **dialect)
        rows = list(reader)
    # The Connections preamble: the header is the first row with several columns.
    start = next(i for i, row in enumerate(rows) if len(row) > 2)
    return rows[start], rows[start + 1 :]


def baseline(folder: Path, database: Path) -> tuple[float, float]:
    """Seconds to read every CSV with the csv module and executemany it into bare tables, and
    the part of them spent reading."""
    began = time.perf_counter()
    reading = 0.0
    db = sqlite3.connect(database)
    for pragma in PRAGMAS:
        db.execute(pragma)
    for number, path in enumerate(sorted(folder.glob("*.csv"))):
        read_began = time.perf_counter()
        header, rows = _rows(path)
        reading += time.perf_counter() - read_began
        columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        db.execute(f"CREATE TABLE t{number} (id INTEGER PRIMARY KEY, {columns})")
        names = ", ".join(f"c{i}" for i in range(len(header)))
        marks = ", ".join("?" for _ in header)
        with db:
            db.executemany(f"INSERT INTO t{number} ({names}) VALUES ({marks})", rows)
    db.close()
    return time.perf_counter() - began, reading


# --- (d) SQLite's share ---------------------------------------------------------------------------

# What one import writes, in the writer's order (people first: the other rows refer to them).
FLOOR_TABLES = ("network_person", "network_connection", "presence_post", "presence_interaction")
# The writer's page cache for its transaction (maillage.imports.writer.SQLITE_CACHE_KIB).
FLOOR_PRAGMAS = (*PRAGMAS, "PRAGMA cache_size = -65536")


def sqlite_floor(source: Path, owner_id: int, database: Path) -> float:
    """Seconds for SQLite alone to store the rows the import stored for one owner.

    The tables and their indexes are created from the import database's own schema; the rows
    are read back in insertion order and go in as the writer sends them, 500-row INSERTs in one
    transaction; only the INSERTs and the commit are timed.
    """
    read = sqlite3.connect(source)
    schema = [
        sql
        for (sql,) in read.execute(
            "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN "
            f"({', '.join('?' for _ in FLOOR_TABLES)}) ORDER BY type DESC",
            FLOOR_TABLES,
        )
    ]
    loads: list[tuple[str, list[tuple[Any, ...]]]] = []
    for table in FLOOR_TABLES:
        names = [row[1] for row in read.execute(f'PRAGMA table_info("{table}")')]
        names = [name for name in names if name != "id"]  # the database numbers new rows
        columns = ", ".join(f'"{name}"' for name in names)
        rows = read.execute(
            f'SELECT {columns} FROM "{table}" WHERE owner_id = ? ORDER BY id',
            (owner_id,),
        ).fetchall()
        per = max(1, min(500, 999 // len(names)))
        one = "(" + ", ".join("?" for _ in names) + ")"
        head = f'INSERT INTO "{table}" ({columns}) VALUES '
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            values = [value for row in chunk for value in row]
            loads.append((head + ", ".join([one] * len(chunk)), values))
    read.close()
    db = sqlite3.connect(database, isolation_level=None)
    for pragma in FLOOR_PRAGMAS:
        db.execute(pragma)
    for sql in schema:
        db.execute(sql)
    began = time.perf_counter()
    db.execute("BEGIN IMMEDIATE")
    for sql, values in loads:
        db.execute(sql, values)
    db.execute("COMMIT")
    floor_s = time.perf_counter() - began
    db.close()
    return floor_s


# --- (a) and (c) the real import ----------------------------------------------------------------


def django_setup(var_dir: Path) -> None:
    """A fresh var dir and SQLite database, configured before Django reads its settings."""
    os.environ["MAILLAGE_VAR_DIR"] = str(var_dir)
    os.environ["MAILLAGE_DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "maillage.settings"
    os.environ.setdefault("MAILLAGE_LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def heavy_user(directory: Path) -> Any:
    """A fresh database in `directory` holding one user who imported this benchmark's archive
    (the other benchmarks measure what such a heavy user does next)."""
    target, _folder = archive_write(directory)
    var_dir = directory / "var"
    var_dir.mkdir()
    django_setup(var_dir)
    from maillage.accounts.models import User
    from maillage.imports.services import archive_import

    user = User.objects.create_user(email="heavy@example.com", password=None)
    archive_import(user, target, "linkedin")
    return user


def real_import(target: Path, email: str = "bench@example.com") -> dict[str, Any]:
    from maillage.accounts.models import User
    from maillage.imports.services import archive_import

    user = User.objects.create_user(email=email, password=None)
    began = time.perf_counter()
    first = archive_import(user, target, "linkedin")
    import_s = time.perf_counter() - began
    if first.status != "succeeded":
        raise SystemExit(f"import {first.status}: {first.error}")
    began = time.perf_counter()
    again = archive_import(user, target, "linkedin")
    reimport_s = time.perf_counter() - began
    files = again.summary.get("files", {})
    # The import queues this rebuild for the worker; timed apart so its cost stays visible.
    from maillage.presence.services import presence_recompute

    began = time.perf_counter()
    presence_recompute(user)
    presence_s = time.perf_counter() - began
    return {
        "owner_id": user.pk,
        "presence_s": presence_s,
        "import_s": import_s,
        "reimport_s": reimport_s,
        "imported": sum(f.get("created", 0) for f in first.summary.get("files", {}).values()),
        "reimport_created": sum(f.get("created", 0) for f in files.values()),
        "reimport_updated": sum(f.get("updated", 0) for f in files.values()),
    }


def fastest(
    baselines: list[float],
    imports: list[dict[str, Any]],
    floors: list[float] | None = None,
    readings: list[float] | None = None,
) -> dict[str, Any]:
    """The ratio of the fastest import to the fastest baseline of one run, every time listed.

    Re-imports must create nothing in every round, so their counts are added up. SQLite's
    share (d) and the baseline's CSV reading, when measured, are compared with the same
    baseline: together, what no import that reads the files and stores these rows goes under.
    """
    import_s = min(m["import_s"] for m in imports)
    baseline_s = min(baselines)
    floor: dict[str, Any] = {}
    if floors and readings:
        floor = {
            "sqlite_floor_s": round(min(floors), 3),
            "csv_read_s": round(min(readings), 3),
            "floor_ratio": round((min(floors) + min(readings)) / baseline_s, 2),
            "sqlite_floor_runs_s": [round(f, 3) for f in floors],
        }
    return floor | {
        "ratio": round(import_s / baseline_s, 2),
        "import_s": round(import_s, 3),
        "baseline_s": round(baseline_s, 3),
        "reimport_s": round(min(m["reimport_s"] for m in imports), 3),
        "reimport_created": sum(m["reimport_created"] for m in imports),
        "reimport_updated": sum(m["reimport_updated"] for m in imports),
        "import_runs_s": [round(m["import_s"], 3) for m in imports],
        "baseline_runs_s": [round(b, 3) for b in baselines],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--repeat", type=int, default=REPEAT, help="measurements of each side (the fastest counts)"
    )
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="maillage-bench-") as temp:
        directory = Path(temp)
        target, folder = archive_write(directory)
        rows = sum(SIZES.values())
        var_dir = directory / "var"
        var_dir.mkdir()
        django_setup(var_dir)
        baselines: list[float] = []
        imports: list[dict[str, Any]] = []
        floors: list[float] = []
        readings: list[float] = []
        # Each round measures both sides one after the other, so a slow spell of the machine
        # falls on a round rather than on one side.
        for round_ in range(max(1, options.repeat)):
            baseline_s, reading_s = baseline(folder, directory / f"baseline-{round_}.sqlite3")
            baselines.append(baseline_s)
            readings.append(reading_s)
            imports.append(real_import(target, f"bench{round_}@example.com"))
            floors.append(
                sqlite_floor(
                    var_dir / "bench.sqlite3",
                    imports[-1]["owner_id"],
                    directory / f"floor-{round_}.sqlite3",
                )
            )
    result = fastest(baselines, imports, floors, readings) | {
        "presence_recompute_s": round(min(m["presence_s"] for m in imports), 3),
        "rows": rows,
        "imported": imports[0]["imported"],
    }
    if options.json:
        print(json.dumps(result))
    else:
        print(f"rows in the archive:        {rows:>9,}")
        print(f"records created:            {result['imported']:>9,}")
        print(f"(a) import:                 {result['import_s']:>9.3f} s")
        print(f"(b) csv + executemany:      {result['baseline_s']:>9.3f} s")
        print(f"ratio a/b (goal <= 2.0):    {result['ratio']:>9.2f}")
        print(f"(c) re-import:              {result['reimport_s']:>9.3f} s")
        print(f"re-import created (goal 0): {result['reimport_created']:>9,}")
        print(f"re-import updated:          {result['reimport_updated']:>9,}")
        print(f"presence recompute (queued): {result['presence_recompute_s']:>8.3f} s")
        print(f"(d) SQLite alone, same rows: {result['sqlite_floor_s']:>8.3f} s")
        print(f"csv reading, part of (b):   {result['csv_read_s']:>9.3f} s")
        print(f"floor of a/b, (d + csv)/b:  {result['floor_ratio']:>9.2f}")
        print(f"every (a), (b):             {result['import_runs_s']}, {result['baseline_runs_s']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the X and Facebook imports against a bare json.loads + executemany baseline.

Generates an X archive of 100,000 tweets (split across `tweets.js` and `tweets-part1.js`, with
the manifest) and a Facebook export of 20,000 posts (mojibake included), then measures in one
run, for each: (a) `archive_import` into a fresh, migrated SQLite database, (b) the same files
read with `json.loads` and inserted with `executemany` into bare tables of the same columns in
another fresh SQLite file, (c) a re-import of the same archive, which must create nothing.
Three rounds (`--repeat`), each measuring every side once (new users, new baseline files): the
fastest (a) against the fastest (b) counts, and every time is printed.

    .venv/bin/python bench/import_archives.py [--json] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.import_linkedin import PRAGMAS, REPEAT, django_setup, fastest  # noqa: E402

TWEETS = 100_000
TWEET_PARTS = 2
FACEBOOK_POSTS = 20_000
EXPORT_DAY = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WORDS = (
    "vente", "client", "Québec", "rencontre", "équipe", "référence", "stratégie", "merci",
    "événement", "prospection", "réseau", "café", "déjeuner", "conférence", "Montréal",
)  # fmt: skip
OWNER_ID = "1234567890"


def _moment(rng: random.Random) -> datetime:
    return EXPORT_DAY - timedelta(seconds=rng.randrange(5 * 365 * 86400))


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)) + " 🎉"


def _mojibake(text: str) -> str:
    """What Facebook writes: each UTF-8 byte of the text as its own \\u00XX character."""
    return text.encode("utf-8").decode("latin-1")


# --- the X archive ------------------------------------------------------------------------------


def _tweet(rng: random.Random, number: int) -> dict[str, Any]:
    moment = _moment(rng)
    created = (
        f"{DAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0000 {moment.year}"
    )
    tweet_id = str(1_500_000_000_000_000_000 + number)
    url = f"https://example.com/article/{number}"
    roll = rng.random()
    if roll < 0.1:
        text, likes, retweets = f"RT @someone: {_sentence(rng, 12)}", "0", "0"
    else:
        text = f"{_sentence(rng, 15)} https://t.co/{number:08x}"
        likes, retweets = str(rng.randrange(40)), str(rng.randrange(8))
    tweet: dict[str, Any] = {
        "edit_info": {
            "initial": {
                "editTweetIds": [tweet_id],
                "editableUntil": "",
                "editsRemaining": "5",
                "isEditEligible": True,
            }
        },
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [],
            "symbols": [],
            "user_mentions": [],
            "urls": [
                {
                    "url": f"https://t.co/{number:08x}",
                    "expanded_url": url,
                    "display_url": url[8:],
                    "indices": ["120", "143"],
                }
            ],
        },
        "display_text_range": ["0", "143"],
        "favorite_count": likes,
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": retweets,
        "id": tweet_id,
        "created_at": created,
        "favorited": False,
        "full_text": text,
        "lang": rng.choice(("fr", "fr", "en", "und")),
    }
    if 0.1 <= roll < 0.25:
        tweet["in_reply_to_status_id_str"] = str(1_400_000_000_000_000_000 + number)
        tweet["in_reply_to_user_id_str"] = rng.choice((OWNER_ID, "987654321"))
        tweet["in_reply_to_screen_name"] = "quelquun"
    return {"tweet": tweet}


def x_archive(directory: Path, seed: int = 11) -> tuple[Path, dict[str, str]]:
    """The zip, and each tweets file's text (what the baseline reads)."""
    rng = random.Random(seed)
    per_part = TWEETS // TWEET_PARTS
    files: dict[str, str] = {}
    parts = []
    for part in range(TWEET_PARTS):
        name = "data/tweets.js" if part == 0 else f"data/tweets-part{part}.js"
        items = [_tweet(rng, part * per_part + n) for n in range(per_part)]
        files[name] = f"window.YTD.tweets.part{part} = " + json.dumps(items, indent=2)
        parts.append(
            {"fileName": name, "globalName": f"YTD.tweets.part{part}", "count": str(per_part)}
        )
    manifest = {
        "userInfo": {"accountId": OWNER_ID, "userName": "bench_qc", "displayName": "Bench QC"},
        "archiveInfo": {"sizeBytes": "0", "generationDate": "2026-11-29T09:00:00.000Z"},
        "dataTypes": {"tweets": {"files": parts}},
    }
    account = [
        {
            "account": {
                "email": "bench@example.com",
                "createdVia": "web",
                "username": "bench_qc",
                "accountId": OWNER_ID,
                "createdAt": "2012-03-01T10:00:00.000Z",
                "accountDisplayName": "Bench QC",
            }
        }
    ]
    path = directory / "twitter-2026-11-29-0a1b2c3d4e5f.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data/manifest.js", "window.__THAR_CONFIG = " + json.dumps(manifest, indent=2)
        )
        archive.writestr("data/account.js", "window.YTD.account.part0 = " + json.dumps(account))
        for name, text in files.items():
            archive.writestr(name, text)
    return path, files


def x_baseline(paths: list[Path], database: Path) -> float:
    """json.loads after the `=` of each tweets file, executemany into a bare table."""
    began = time.perf_counter()
    db = sqlite3.connect(database)
    for pragma in PRAGMAS:
        db.execute(pragma)
    db.execute(
        "CREATE TABLE tweet (id INTEGER PRIMARY KEY, id_str TEXT, created_at TEXT, "
        "full_text TEXT, lang TEXT, favorite_count TEXT, retweet_count TEXT, "
        "in_reply_to_status_id_str TEXT, in_reply_to_user_id_str TEXT, expanded_url TEXT)"
    )
    for path in paths:
        text = path.read_text(encoding="utf-8")
        items = json.loads(text[text.index("=") + 1 :])
        rows = []
        for item in items:
            tweet = item["tweet"]
            urls = tweet["entities"]["urls"]
            rows.append(
                (
                    tweet["id_str"],
                    tweet["created_at"],
                    tweet["full_text"],
                    tweet["lang"],
                    tweet["favorite_count"],
                    tweet["retweet_count"],
                    tweet.get("in_reply_to_status_id_str"),
                    tweet.get("in_reply_to_user_id_str"),
                    urls[0]["expanded_url"] if urls else None,
                )
            )
        with db:
            db.executemany(
                "INSERT INTO tweet (id_str, created_at, full_text, lang, favorite_count, "
                "retweet_count, in_reply_to_status_id_str, in_reply_to_user_id_str, "
                "expanded_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
    db.close()
    return time.perf_counter() - began


# --- the Facebook export ------------------------------------------------------------------------


def _facebook_post(rng: random.Random, number: int) -> dict[str, Any]:
    moment = int(_moment(rng).timestamp())
    post: dict[str, Any] = {
        "timestamp": moment,
        "title": _mojibake("Marie Tremblay a publié dans son journal."),
    }
    roll = rng.random()
    if roll < 0.8:
        post["data"] = [
            {"post": _mojibake(_sentence(rng, 20))},
            {"update_timestamp": moment + 60},
        ]
    if roll > 0.5:
        post["attachments"] = [
            {"data": [{"external_context": {"url": f"https://example.com/nouvelle/{number}"}}]}
        ]
    return post


FACEBOOK_POSTS_FILE = "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"


def facebook_archive(directory: Path, seed: int = 13) -> tuple[Path, str]:
    rng = random.Random(seed)
    text = json.dumps([_facebook_post(rng, n) for n in range(FACEBOOK_POSTS)], indent=2)
    path = directory / "facebook-marietremblay-2026-11-29-AbCdEf.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(FACEBOOK_POSTS_FILE, text)
    return path, text


def facebook_baseline(path: Path, database: Path) -> float:
    began = time.perf_counter()
    text = path.read_text(encoding="utf-8")
    db = sqlite3.connect(database)
    for pragma in PRAGMAS:
        db.execute(pragma)
    db.execute(
        "CREATE TABLE post (id INTEGER PRIMARY KEY, timestamp INTEGER, post TEXT, "
        "update_timestamp INTEGER, url TEXT, title TEXT)"
    )
    rows = []
    for item in json.loads(text):
        data = item.get("data", [])
        post = next((d["post"] for d in data if "post" in d), None)
        updated = next((d["update_timestamp"] for d in data if "update_timestamp" in d), None)
        url = None
        for attachment in item.get("attachments", []):
            for entry in attachment.get("data", []):
                url = entry.get("external_context", {}).get("url", url)
        rows.append((item["timestamp"], post, updated, url, item.get("title")))
    with db:
        db.executemany(
            "INSERT INTO post (timestamp, post, update_timestamp, url, title) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
    db.close()
    return time.perf_counter() - began


# --- the real imports ---------------------------------------------------------------------------


def real_import(email: str, target: Path, kind: str) -> dict[str, Any]:
    from maillage.accounts.models import User
    from maillage.imports.services import archive_import

    user = User.objects.create_user(email=email, password=None)
    began = time.perf_counter()
    first = archive_import(user, target, kind)
    import_s = time.perf_counter() - began
    if first.status != "succeeded":
        raise SystemExit(f"{kind} import {first.status}: {first.error}")
    began = time.perf_counter()
    again = archive_import(user, target, kind)
    reimport_s = time.perf_counter() - began
    files = again.summary.get("files", {})
    return {
        "import_s": import_s,
        "reimport_s": reimport_s,
        "imported": sum(f.get("created", 0) for f in first.summary.get("files", {}).values()),
        "reimport_created": sum(f.get("created", 0) for f in files.values()),
        "reimport_updated": sum(f.get("updated", 0) for f in files.values()),
    }


def _result(runs: list[tuple[float, dict[str, Any]]]) -> dict[str, Any]:
    """The fastest baseline against the fastest import of the same run; every time is kept."""
    return fastest([baseline_s for baseline_s, _ in runs], [measured for _, measured in runs]) | {
        "imported": runs[0][1]["imported"]
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
        x_path, x_files = x_archive(directory)
        facebook_path, facebook_text = facebook_archive(directory)
        # The baselines read the same files, unpacked on disk.
        unpacked: list[Path] = []
        for number, text in enumerate([*x_files.values(), facebook_text]):
            unpacked.append(directory / f"file{number}.js")
            unpacked[-1].write_text(text, encoding="utf-8")
        var_dir = directory / "var"
        var_dir.mkdir()
        django_setup(var_dir)
        x_runs: list[tuple[float, dict[str, Any]]] = []
        facebook_runs: list[tuple[float, dict[str, Any]]] = []
        # Each round measures both sides one after the other, so a slow spell of the machine
        # falls on a round rather than on one side.
        for round_ in range(max(1, options.repeat)):
            x_base = x_baseline(unpacked[:-1], directory / f"x-baseline-{round_}.sqlite3")
            x_runs.append((x_base, real_import(f"x{round_}@example.com", x_path, "x")))
            facebook_base = facebook_baseline(
                unpacked[-1], directory / f"fb-baseline-{round_}.sqlite3"
            )
            facebook_import = real_import(f"fb{round_}@example.com", facebook_path, "facebook")
            facebook_runs.append((facebook_base, facebook_import))
        results = {"x": _result(x_runs), "facebook": _result(facebook_runs)}
    if options.json:
        print(json.dumps(results))
        return 0
    for name, result in results.items():
        print(f"== {name}")
        print(f"records created:            {result['imported']:>9,}")
        print(f"(a) import:                 {result['import_s']:>9.3f} s")
        print(f"(b) json.loads+executemany: {result['baseline_s']:>9.3f} s")
        print(f"ratio a/b (goal <= 2.0):    {result['ratio']:>9.2f}")
        print(f"(c) re-import:              {result['reimport_s']:>9.3f} s")
        print(f"re-import created (goal 0): {result['reimport_created']:>9,}")
        print(f"re-import updated:          {result['reimport_updated']:>9,}")
        print(f"every (a), (b):             {result['import_runs_s']}, {result['baseline_runs_s']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

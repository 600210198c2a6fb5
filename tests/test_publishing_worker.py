"""Fault tests: real publish_worker processes drain 500 deliveries against the fake network.

Each test gets its own database (a SQLite file, or a fresh PostgreSQL database when the suite
runs on PostgreSQL) because the workers are separate processes. The fake network counts the
publish calls and the posts created per content fingerprint: every delivery must be
published exactly once, even when a worker is killed with SIGKILL in the middle.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

from maillage.connectors.registry import content_fingerprint
from tests.fake_network import FakeNetwork

DELIVERIES = 500
CHANNELS = 20

SEED = """
import json
from django.utils import timezone
from maillage.accounts.models import User
from maillage.publishing.models import Channel, Delivery, PlannedPost, PostVariant

config = json.loads({config!r})
user = User.objects.create_user(email="fault@example.com", password=None)
channels = []
for number in range(config["channels"]):
    channel = Channel(
        owner=user, network="mastodon", external_id=str(1000 + number),
        handle=f"@member{{number}}@fake", instance_url=config["url"],
    )
    channel.access_token = f"token-{{number}}"
    channel.save()
    channels.append(channel)
now = timezone.now()
posts = PlannedPost.objects.bulk_create(
    PlannedPost(owner=user, status="scheduled", scheduled_at=now) for _ in config["texts"]
)
variants = PostVariant.objects.bulk_create(
    PostVariant(planned_post=post, network="mastodon", language="fr", text=text)
    for post, text in zip(posts, config["texts"])
)
Delivery.objects.bulk_create(
    Delivery(
        planned_post=post, channel=channels[index % len(channels)], variant=variant,
        due_at=now, next_attempt_at=now,
    )
    for index, (post, variant) in enumerate(zip(posts, variants))
)
"""

REPORT = """
import json
from maillage.publishing.models import Delivery
print(json.dumps(list(Delivery.objects.values_list(
    "status", "variant__text", "external_id", "channel__external_id", "attempts"
))))
"""


def texts(count: int) -> list[str]:
    return [f"Publication {number} du cercle des ventes" for number in range(count)]


class Rig:
    """A database of its own, and `maillage` commands run against it."""

    def __init__(self, tmp_path: Path, database_url: str) -> None:
        self.tmp_path = tmp_path
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "maillage.settings",
            "MAILLAGE_DATABASE_URL": database_url,
            "MAILLAGE_VAR_DIR": str(tmp_path / "var"),
            "MAILLAGE_TOKEN_KEYS": Fernet.generate_key().decode(),
            "MAILLAGE_PUBLISHING_LEASE_SECONDS": "2",
            "MAILLAGE_PUBLISHING_RECONCILE_AFTER_SECONDS": "1",
            "MAILLAGE_CONNECTOR_READ_TIMEOUT": "5",
            "MAILLAGE_LOG_LEVEL": "WARNING",
        }
        self.logs: list[Path] = []

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "maillage", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def shell(self, code: str) -> str:
        return self.run("shell", "--no-imports", "-c", code)

    def seed(self, fake: FakeNetwork, count: int = DELIVERIES, channels: int = CHANNELS) -> None:
        for number in range(channels):
            fake.add_account(f"token-{number}", str(1000 + number), f"member{number}")
        config = json.dumps({"url": fake.url, "channels": channels, "texts": texts(count)})
        self.shell(SEED.format(config=config))

    def worker(self, *args: str) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"worker-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("wb") as out:
            return subprocess.Popen(
                [sys.executable, "-m", "maillage", "publish_worker", "--poll", "0.05", *args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def report(self) -> list[list[Any]]:
        rows: list[list[Any]] = json.loads(self.shell(REPORT).strip().splitlines()[-1])
        return rows

    def log_tail(self) -> str:
        return "\n".join(log.read_text(errors="replace")[-2000:] for log in self.logs)


def wait_for(process: subprocess.Popen[bytes], rig: Rig, seconds: float = 50) -> None:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"the worker did not finish in {seconds} s\n{rig.log_tail()}")
    assert process.returncode == 0, rig.log_tail()


def assert_each_published_once(rig: Rig, fake: FakeNetwork, count: int = DELIVERIES) -> None:
    rows = rig.report()
    statuses = Counter(row[0] for row in rows)
    assert statuses == {"published": count}, (statuses, rig.log_tail())
    prints = [content_fingerprint(text) for text in texts(count)]
    assert {fp: fake.created[fp] for fp in prints} == dict.fromkeys(prints, 1)
    assert {fp: fake.calls[fp] for fp in prints} == dict.fromkeys(prints, 1)
    assert sum(fake.created.values()) == count
    # Each delivery holds the id of the very post the network made for it, on its account.
    made = {(post.account_id, post.text): post.external_id for post in fake.posts}
    assert {(row[3], row[1]): row[2] for row in rows} == made


@pytest.fixture
def sqlite_rig(tmp_path: Path) -> Rig:
    rig = Rig(tmp_path, f"sqlite:///{tmp_path / 'fault.sqlite3'}")
    rig.run("migrate", "--noinput")
    return rig


def postgres_database() -> dict[str, Any] | None:
    database: dict[str, Any] = settings.DATABASES["default"]
    return database if database["ENGINE"] == "django.db.backends.postgresql" else None


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    """On PostgreSQL (when the suite runs on it) a fresh database; else a SQLite file."""
    database = postgres_database()
    if database is None:
        rig = Rig(tmp_path, f"sqlite:///{tmp_path / 'fault.sqlite3'}")
        rig.run("migrate", "--noinput")
        yield rig
        return
    import psycopg

    name = f"maillage_fault_{uuid.uuid4().hex[:10]}"
    params = {
        "host": database.get("HOST") or "127.0.0.1",
        "port": database.get("PORT") or 5432,
        "user": database["USER"],
        "password": database["PASSWORD"],
        "dbname": "postgres",
    }
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = (
        f"postgres://{params['user']}:{params['password']}@{params['host']}:{params['port']}/{name}"
    )
    rig = Rig(tmp_path, url)
    try:
        rig.run("migrate", "--noinput")
        yield rig
    finally:
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_it_publishes_everything_exactly_once_when_a_worker_is_killed_midway(rig):
    with FakeNetwork(latency=0.05) as fake:
        rig.seed(fake)
        first = rig.worker("--threads", "20")
        deadline = time.monotonic() + 40
        # Killed while calls are on the wire: their deliveries are claimed and cannot have been
        # recorded (each call takes 50 ms). Between two rounds of calls nothing may be claimed,
        # so a kill timed on the count of posts alone sometimes met no claim at all.
        while sum(fake.created.values()) < DELIVERIES * 0.3 or fake.in_flight < 10:
            assert first.poll() is None, rig.log_tail()
            assert time.monotonic() < deadline, rig.log_tail()
            time.sleep(0.002)
        first.send_signal(signal.SIGKILL)
        first.wait()
        left = Counter(row[0] for row in rig.report())
        # Killed in the middle: some posts out, some claimed in flight, some not yet taken.
        assert left["published"] < DELIVERIES
        assert left["claimed"] > 0, left
        second = rig.worker("--threads", "20", "--exit-when-idle", "--max-seconds", "50")
        wait_for(second, rig)
        assert_each_published_once(rig, fake)


def test_it_publishes_everything_exactly_once_with_two_workers_at_once(rig):
    with FakeNetwork(latency=0.02) as fake:
        # More accounts than one worker holds at once (its threads and a batch claimed ahead,
        # one per account): the second worker always finds some to take.
        rig.seed(fake, channels=100)
        workers = [
            rig.worker("--threads", "10", "--exit-when-idle", "--max-seconds", "50")
            for _ in range(2)
        ]
        for worker in workers:
            wait_for(worker, rig)
        assert_each_published_once(rig, fake)
        assert fake.max_in_flight <= 20
        # Both took part.
        logs = [log.read_text() for log in rig.logs]
        assert all("published" in log for log in logs), rig.log_tail()


def test_it_stops_cleanly_on_sigterm_leaving_nothing_half_done(sqlite_rig):
    with FakeNetwork(latency=0.2) as fake:
        sqlite_rig.seed(fake, count=100, channels=10)
        worker = sqlite_rig.worker("--threads", "10")
        deadline = time.monotonic() + 30
        while sum(fake.created.values()) < 10:
            assert time.monotonic() < deadline, sqlite_rig.log_tail()
            time.sleep(0.01)
        worker.send_signal(signal.SIGTERM)
        wait_for(worker, sqlite_rig, 20)
        statuses = Counter(row[0] for row in sqlite_rig.report())
        # The calls in flight finished and were recorded: nothing is left claimed.
        assert statuses["claimed"] == 0
        assert statuses["published"] == sum(fake.created.values())
        assert statuses["published"] + statuses["scheduled"] == 100
        # Its last words count what it published (the sentence is in the default language).
        assert f"(published {statuses['published']})" in sqlite_rig.log_tail()


def test_a_worker_never_has_more_calls_in_flight_than_it_is_allowed(sqlite_rig):
    with FakeNetwork(latency=0.05) as fake:
        # One account per post: only the worker's own limit holds the calls back.
        sqlite_rig.seed(fake, count=60, channels=60)
        worker = sqlite_rig.worker("--threads", "4", "--exit-when-idle", "--max-seconds", "50")
        wait_for(worker, sqlite_rig)
        assert_each_published_once(sqlite_rig, fake, 60)
        # Its spare thread prepared the next post meanwhile, never as a fifth call.
        assert fake.max_in_flight == 4

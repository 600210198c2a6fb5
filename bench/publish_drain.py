"""Benchmark the publish worker: drain 10,000 due deliveries against the loopback fake network.

Creates N deliveries due at once, spread over channels of the five networks (accounts of the fake
instance, 50 ms per call), runs `maillage publish_worker --exit-when-idle` subprocess(es) to
drain them, and measures the wall time against the ideal (deliveries x latency / calls in
flight), the duplicates (posts created on the fake network per fingerprint > 1) and the lost
deliveries (not published). `--kill-worker` SIGKILLs the first worker once 30 % are out and
starts it again; with MAILLAGE_DATABASE_URL on PostgreSQL the run gets a fresh database of
its own on that server (dropped at the end), else a fresh SQLite file in a temporary var dir.

    .venv/bin/python bench/publish_drain.py [--json] [--workers N] [--kill-worker]
        [--deliveries N] [--accounts N] [--threads N] [--profile N]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.fake_network import FakeNetwork  # noqa: E402

LATENCY = 0.05
# The lease stays at its default (300 s): the worker started again after --kill-worker takes
# back the killed one's claims at once, its process being gone from this machine. The
# reconcile delay (how long after a send its absence may be concluded, 120 s by default for
# networks slow to show a new post) is 1 s: the fake network shows a post the moment it makes
# it. With the default, a kill landing between a send's mark and the request leaving holds
# that one delivery two minutes before it is sent again (the drain then waits for it).
RECONCILE_AFTER_SECONDS = 1
KILL_AT = 0.3


def text_of(number: int) -> str:
    return f"Publication {number} du cercle des ventes, banc d'essai"


@contextmanager
def database(var_dir: Path) -> Iterator[tuple[str, str]]:
    """(url, engine) of a fresh database: PostgreSQL when MAILLAGE_DATABASE_URL says so."""
    base = os.environ.get("MAILLAGE_DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{var_dir / 'bench.sqlite3'}", "sqlite"
        return
    import psycopg

    parts = urlsplit(base)
    name = f"maillage_bench_{uuid.uuid4().hex[:10]}"
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl(), "postgresql"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(var_dir: Path, url: str, fake_url: str) -> dict[str, str]:
    """Configure Django on `url` (before it reads its settings), migrate; the workers' env."""
    from cryptography.fernet import Fernet

    env = {
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "MAILLAGE_DATABASE_URL": url,
        "MAILLAGE_VAR_DIR": str(var_dir),
        "MAILLAGE_TOKEN_KEYS": Fernet.generate_key().decode(),
        "MAILLAGE_PUBLISHING_RECONCILE_AFTER_SECONDS": str(RECONCILE_AFTER_SECONDS),
        "MAILLAGE_LOG_LEVEL": "WARNING",
        # Every network's API at the fake one (Mastodon channels carry their instance).
        "MAILLAGE_X_API_URL": fake_url,
        "MAILLAGE_BLUESKY_PDS_URL": fake_url,
        "MAILLAGE_LINKEDIN_API_URL": fake_url,
        "MAILLAGE_FACEBOOK_GRAPH_URL": fake_url,
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return {**os.environ, **env}


NETWORKS = ("mastodon", "x", "bluesky", "linkedin", "facebook")


def account_of(network: str, number: int, fake: FakeNetwork) -> dict[str, str]:
    """One account on the fake network as each network names it; the channel's fields."""
    token = f"token-{number}"
    if network == "mastodon":
        fake.add_account(token, str(1000 + number), f"member{number}")
        return {
            "external_id": str(1000 + number),
            "handle": f"@member{number}@fake",
            "instance_url": fake.url,
        }
    if network == "x":
        fake.add_account(token, str(1000 + number), f"member{number}")
        return {"external_id": str(1000 + number), "handle": f"@member{number}"}
    if network == "bluesky":
        fake.add_account(token, f"did:plc:member{number}", f"member{number}.bsky.social")
        return {"external_id": f"did:plc:member{number}", "handle": f"member{number}.bsky.social"}
    if network == "linkedin":
        fake.add_account(token, f"member{number}", f"Member {number}")
        return {"external_id": f"urn:li:person:member{number}", "handle": f"Member {number}"}
    fake.add_account(token, str(104_000 + number), f"Page {number}")
    return {"external_id": str(104_000 + number), "handle": f"Page {number}", "kind": "page"}


def seed(fake: FakeNetwork, deliveries: int, accounts: int) -> None:
    """`accounts` channels taken in turn from the five networks, `deliveries` spread evenly."""
    from django.utils import timezone

    from maillage.accounts.models import User
    from maillage.publishing.models import Channel, Delivery, PlannedPost, PostVariant

    user = User.objects.create_user(email="bench@example.com", password=None)
    channels = []
    for number in range(accounts):
        network = NETWORKS[number % len(NETWORKS)]
        channel = Channel(owner=user, network=network, **account_of(network, number, fake))
        channel.access_token = f"token-{number}"
        channels.append(channel)
    Channel.objects.bulk_create(channels)
    channels = list(Channel.objects.order_by("pk"))
    now = timezone.now()
    posts = PlannedPost.objects.bulk_create(
        (PlannedPost(owner=user, status="scheduled", scheduled_at=now) for _ in range(deliveries)),
        batch_size=1000,
    )
    variants = PostVariant.objects.bulk_create(
        (
            PostVariant(
                planned_post=post,
                network=channels[n % len(channels)].network,
                language="fr",
                text=text_of(n),
            )
            for n, post in enumerate(posts)
        ),
        batch_size=1000,
    )
    Delivery.objects.bulk_create(
        (
            Delivery(
                planned_post=post,
                channel=channels[n % len(channels)],
                variant=variant,
                due_at=now,
                next_attempt_at=now,
            )
            for n, (post, variant) in enumerate(zip(posts, variants, strict=True))
        ),
        batch_size=1000,
    )


def worker(env: dict[str, str], threads: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "maillage", "publish_worker", "--threads", str(threads)),
                *("--poll", "0.05", "--exit-when-idle", "--max-seconds", "1800"),
            ],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def drain(
    fake: FakeNetwork, env: dict[str, str], args: argparse.Namespace, logs: Path
) -> dict[str, Any]:
    cpu_before = children_cpu()
    own_before = time.process_time()
    began = time.perf_counter()
    began_at = datetime.now(UTC)
    log = logs / "workers.log"
    workers = [worker(env, args.threads, log) for _ in range(args.workers)]
    killed_at = None
    if args.kill_worker:
        while sum(fake.created.values()) < args.deliveries * KILL_AT:
            if workers[0].poll() is not None:
                raise SystemExit(f"worker ended early:\n{log.read_text()[-3000:]}")
            time.sleep(0.01)
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait()
        killed_at = time.perf_counter() - began
        workers[0] = worker(env, args.threads, log)
    codes = [process.wait() for process in workers]
    wall = time.perf_counter() - began
    if any(codes):
        raise SystemExit(f"worker exit codes {codes}:\n{log.read_text()[-3000:]}")
    first = min(post.created_at for post in fake.posts) if fake.posts else None
    last = max(post.created_at for post in fake.posts) if fake.posts else None
    return {
        "wall_s": wall,
        "posting_s": (last - first).total_seconds() if first and last else 0.0,
        # Start-up until the first post exists (one 50 ms call included), and the time the
        # workers took to exit after the last one.
        "first_post_s": (first - began_at).total_seconds() if first else None,
        "exit_s": wall - (last - began_at).total_seconds() if last else None,
        "killed_at_s": killed_at,
        "workers_cpu_s": children_cpu() - cpu_before,
        "fake_network_cpu_s": time.process_time() - own_before,
        "log_tail": log.read_text(errors="replace")[-1500:],
    }


def tally(fake: FakeNetwork, deliveries: int) -> dict[str, Any]:
    from maillage.connectors.registry import content_fingerprint
    from maillage.publishing.models import Delivery, DeliveryEvent

    rows = list(Delivery.objects.values_list("status", "variant__text", "external_id"))
    # Why any send was left in doubt (read back before being settled): the error recorded.
    doubts = Counter(
        DeliveryEvent.objects.filter(to_status=Delivery.Status.UNCONFIRMED).values_list(
            "detail", flat=True
        )
    )
    statuses = Counter(status for status, _, _ in rows)
    prints = [content_fingerprint(text_of(n)) for n in range(deliveries)]
    duplicates = sum(max(0, fake.created[fp] - 1) for fp in prints)
    # Lost: not published, or published without a post of its own on the network.
    made = {post.text: post.external_id for post in fake.posts}
    lost = sum(
        1
        for status, text, external_id in rows
        if status != "published" or not _names(external_id, made.get(text))
    )
    return {
        "duplicates": duplicates,
        "lost": lost,
        "statuses": dict(statuses),
        "publish_calls": sum(fake.calls.values()),
        "posts_created": sum(fake.created.values()),
        "read_backs": sum(n for key, n in fake.requests.items() if key.startswith("GET")),
        # Requests the fake network was serving at once, at most: never above the in-flight
        # count the ideal is computed with.
        "max_calls_in_flight": fake.max_in_flight,
        "unconfirmed_because": dict(doubts),
    }


def _names(external_id: str, post_id: str | None) -> bool:
    """Whether a delivery's recorded id names this post, as its network writes ids
    (Mastodon and X: the id; Bluesky: at://did/app.bsky.feed.post/id; LinkedIn:
    urn:li:share:id; Facebook: page_id)."""
    if not post_id:
        return False
    return external_id == post_id or external_id.endswith(
        ("/" + post_id, ":" + post_id, "_" + post_id)
    )


def _claim_and_publish(count: int) -> int:
    from django.utils import timezone

    from maillage.publishing.services import deliveries_claim, delivery_publish

    done = 0
    while done < count:
        claimed = deliveries_claim("bench-profile", timezone.now(), min(5, count - done))
        if not claimed:
            break
        done += len(claimed)
        for delivery in claimed:
            delivery_publish(delivery)
    return done


def profile(fake: FakeNetwork, count: int) -> dict[str, Any]:
    """CPU per delivery of claim (by 5, as the worker does) + publish, in this thread alone
    (the fake network's threads are left out), against a 0 ms fake network: `count` without
    the profiler, then `count` under cProfile for the breakdown."""
    from maillage.connectors.http import http_request

    fake.latency = 0.0
    cpu, began = time.thread_time(), time.perf_counter()
    clean = _claim_and_publish(count)
    cpu, wall = time.thread_time() - cpu, time.perf_counter() - began
    # The HTTP client alone: the same POST, nothing recorded.
    http_cpu = time.thread_time()
    for number in range(count):
        http_request(
            "POST",
            f"{fake.url}/api/v1/statuses",
            headers={"Authorization": "Bearer token-0"},
            data={"status": f"Sonde {number}", "language": "fr"},
        )
    http_cpu = time.thread_time() - http_cpu
    profiler = cProfile.Profile()
    profiler.enable()
    profiled = _claim_and_publish(count)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(45)
    return {
        "deliveries": clean,
        "profiled": profiled,
        "cpu_ms_per_delivery": round(1000 * cpu / max(1, clean), 3),
        "wall_ms_per_delivery": round(1000 * wall / max(1, clean), 3),
        "http_post_cpu_ms": round(1000 * http_cpu / max(1, count), 3),
        "profile": out.getvalue(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=20, help="threads per worker (>= 20)")
    parser.add_argument("--kill-worker", action="store_true")
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of draining, time then profile claim + publish of N deliveries in-process",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="maillage-publish-bench-") as tmp:
        var_dir = Path(tmp)
        with database(var_dir) as (url, engine), FakeNetwork(latency=LATENCY) as fake:
            # A killed worker's keep-alive connections reset: expected, not worth a traceback.
            fake.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]
            env = django_setup(var_dir, url, fake.url)
            seed(fake, max(args.deliveries, 2 * args.profile), args.accounts)
            if args.profile:
                result = profile(fake, args.profile)
                print(json.dumps({k: v for k, v in result.items() if k != "profile"}))
                print(result["profile"])
                return
            run = drain(fake, env, args, var_dir)
            counts = tally(fake, args.deliveries)
    from maillage.connectors.registry import connector_get

    # Calls in flight: the threads, unless the networks' own limits allow fewer.
    per_network = sum(
        min(
            connector_get(network).limits().per_network, len(range(n, args.accounts, len(NETWORKS)))
        )
        for n, network in enumerate(NETWORKS)
    )
    in_flight = min(args.workers * args.threads, per_network)
    ideal = args.deliveries * LATENCY / in_flight
    result = {
        "ratio": round(run["wall_s"] / ideal, 3),
        "duplicates": counts["duplicates"],
        "lost": counts["lost"],
        "wall_s": round(run["wall_s"], 2),
        "ideal_s": round(ideal, 2),
        "posting_s": round(run["posting_s"], 2),
        "first_post_s": run["first_post_s"] and round(run["first_post_s"], 2),
        "exit_s": run["exit_s"] and round(run["exit_s"], 2),
        "in_flight": in_flight,
        "deliveries": args.deliveries,
        "accounts": args.accounts,
        "workers": args.workers,
        "threads": args.threads,
        "kill_worker": args.kill_worker,
        "killed_at_s": run["killed_at_s"] and round(run["killed_at_s"], 2),
        "database": engine,
        "statuses": counts["statuses"],
        "publish_calls": counts["publish_calls"],
        "posts_created": counts["posts_created"],
        "read_backs": counts["read_backs"],
        "max_calls_in_flight": counts["max_calls_in_flight"],
        "unconfirmed_because": counts["unconfirmed_because"],
        "workers_cpu_ms_per_delivery": round(1000 * run["workers_cpu_s"] / args.deliveries, 2),
        "fake_network_cpu_ms_per_delivery": round(
            1000 * run["fake_network_cpu_s"] / args.deliveries, 2
        ),
    }
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:34} {value}")
    goal = result["ratio"] <= 1.2 and not result["duplicates"] and not result["lost"]
    print("goal (ratio <= 1.2, 0 duplicates, 0 lost):", "met" if goal else "MISSED")


if __name__ == "__main__":
    main()

"""The publish worker: one loop that claims, and a pool of threads that call the networks.

The loop alone touches the queue (claims, housekeeping, heartbeat); each thread publishes
one claimed delivery or reads one account back, then records the outcome. SIGTERM stops the
claiming and lets the calls in flight finish, so nothing is left half-recorded.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from types import FrameType

from django.db import close_old_connections, connections
from django.utils import timezone

from maillage.connectors.http import http_calls_through
from maillage.connectors.registry import connector_networks
from maillage.publishing.models import Channel, Delivery
from maillage.publishing.services import (
    deliveries_claim,
    deliveries_hold_for_reconnect,
    deliveries_mark_missed,
    deliveries_pending_count,
    deliveries_reconcile,
    deliveries_reconcile_claim,
    deliveries_recover,
    deliveries_release_orphans,
    delivery_publish,
    worker_heartbeat,
    worker_stopped,
)
from maillage.publishing.services.engine import Sent, deliveries_record_sent

log = logging.getLogger(__name__)

# The recorder writes what it has gathered at least this often (seconds), and at most this
# many sends in one transaction.
RECORD_EVERY = 0.02
RECORD_BATCH = 200


def worker_id_new() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass
class WorkerOptions:
    threads: int = 20
    # Seconds to wait for work when nothing was claimable.
    poll: float = 0.2
    heartbeat_every: float = 1.0
    housekeeping_every: float = 2.0
    # Stop once nothing is left to do (tests and benchmarks), or after this many seconds.
    exit_when_idle: bool = False
    max_seconds: float | None = None


@dataclass
class WorkerStats:
    outcomes: Counter[str] = field(default_factory=Counter)
    claimed: int = 0
    reconciled: int = 0


class PublishWorker:
    def __init__(self, options: WorkerOptions, worker_id: str | None = None) -> None:
        self.options = options
        self.worker_id = worker_id or worker_id_new()
        self.stats = WorkerStats()
        self.stopping = threading.Event()
        self.job_done = threading.Event()
        self.lock = threading.Lock()
        # Futures in flight, with the delivery ids each one works on.
        self.in_flight: dict[Future[None], list[int]] = {}
        # `threads` is the number of calls to the networks in flight at once: each call holds
        # one of these places, and a few more threads than places prepare the next send (its
        # `sent_at` mark, committed before the request leaves) and record failures while the
        # others wait on the networks, so no place sits idle during database work.
        self.places = threading.BoundedSemaphore(options.threads)
        self.pool_size = options.threads + max(1, options.threads // 5)
        # Claim a batch as large as the places, and keep up to one batch claimed ahead,
        # queued in the pool: every thread finds its next delivery waiting, and one claim
        # serves many (a worker killed meanwhile leaves them unsent: they are simply queued
        # again).
        self.batch = max(1, options.threads)
        self.capacity = self.pool_size + self.batch
        # None: the worker is stopping, the recorder writes what it holds and returns.
        self.to_record: queue.Queue[Sent | None] = queue.Queue()
        self.unrecorded: dict[int, Sent] = {}

    # --- recording ---------------------------------------------------------------------------
    # The threads that call the networks never wait for the database to note a success: they
    # hand it to one recorder thread and take the next post; the recorder writes many at a
    # time. Waiting for SQLite's single writer after every call had made each thread's cycle
    # half again as long as the network call itself.

    def _hand_over(self, sent: Sent) -> None:
        with self.lock:
            self.unrecorded[sent.delivery.pk] = sent
        self.to_record.put(sent)

    def _recorder(self) -> None:
        try:
            stopping = False
            while not stopping:
                first = self.to_record.get()
                if first is None:
                    return
                batch = [first]
                deadline = time.monotonic() + RECORD_EVERY
                while len(batch) < RECORD_BATCH:
                    try:
                        item = self.to_record.get(timeout=max(0.0, deadline - time.monotonic()))
                    except queue.Empty:
                        break
                    if item is None:
                        stopping = True
                        break
                    batch.append(item)
                self._record(batch)
        finally:
            connections.close_all()

    def _record(self, batch: list[Sent]) -> None:
        try:
            done = deliveries_record_sent(batch)
        except Exception:
            # Left claimed with sent_at: the lease recovery reads the account back.
            log.exception("Recording %d sends failed", len(batch))
            close_old_connections()
            done = []
        with self.lock:
            for sent in batch:
                self.unrecorded.pop(sent.delivery.pk, None)
            for delivery in done:
                self.stats.outcomes[delivery.status] += 1
        self.job_done.set()

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        self.stopping.set()
        self.job_done.set()

    def _signals(self) -> None:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)

    def _submit(self, pool: ThreadPoolExecutor, ids: list[int], job: Callable[[], None]) -> None:
        def run() -> None:
            try:
                job()
            except Exception:
                # Its claims are released by the loop (release_orphans), never lost.
                log.exception("Publishing job failed for deliveries %s", ids)
            finally:
                close_old_connections()
                self.job_done.set()

        future = pool.submit(run)
        with self.lock:
            self.in_flight[future] = ids
        future.add_done_callback(self._forget)

    def _forget(self, future: Future[None]) -> None:
        with self.lock:
            self.in_flight.pop(future, None)

    def _busy_ids(self) -> list[int]:
        """Deliveries this worker holds: being sent, queued to send, or waiting to be recorded."""
        with self.lock:
            return [pk for ids in self.in_flight.values() for pk in ids] + list(self.unrecorded)

    def _free(self) -> int:
        with self.lock:
            return self.capacity - len(self.in_flight)

    def _publish(self, delivery: Delivery) -> None:
        done = delivery_publish(delivery, hand_over=self._hand_over, calling=self.places)
        if done.status != Delivery.Status.CLAIMED:  # not handed over: recorded already
            with self.lock:
                self.stats.outcomes[done.status] += 1

    def _reconcile(self, channel: Channel, group: list[Delivery]) -> None:
        with http_calls_through(self.places):  # a read-back is a call in flight too
            deliveries_reconcile(channel, group)
        with self.lock:
            self.stats.reconciled += len(group)

    def _housekeeping(self, pool: ThreadPoolExecutor) -> None:
        now = timezone.now()
        deliveries_recover(now)
        # Claims older than a few seconds that no thread holds: a job died unexpectedly.
        deliveries_release_orphans(self.worker_id, self._busy_ids(), 30.0, now)
        deliveries_mark_missed(now)
        deliveries_hold_for_reconnect(now)
        free = self._free()
        if free > 0:
            for group in deliveries_reconcile_claim(self.worker_id, now, free * 10).values():
                channel = group[0].channel
                self._submit(pool, [d.pk for d in group], partial(self._reconcile, channel, group))

    def run(self) -> WorkerStats:
        self._signals()
        host, pid = socket.gethostname(), os.getpid()
        started = time.monotonic()
        next_beat = next_house = 0.0
        networks = connector_networks()
        recorder = threading.Thread(target=self._recorder, name="publish-recorder", daemon=True)
        recorder.start()
        with ThreadPoolExecutor(self.pool_size, thread_name_prefix="publish") as pool:
            try:
                while not self.stopping.is_set():
                    tick = time.monotonic()
                    if self.options.max_seconds and tick - started > self.options.max_seconds:
                        break
                    if tick >= next_beat:
                        worker_heartbeat(self.worker_id, host, pid)
                        next_beat = tick + self.options.heartbeat_every
                    if tick >= next_house:
                        self._housekeeping(pool)
                        next_house = tick + self.options.housekeeping_every
                    claimed: list[Delivery] = []
                    free = self._free()
                    # Claim in batches (as many as places) unless idle: one claim query for many
                    # deliveries keeps the database work per post small.
                    if free >= self.batch or (free > 0 and not self._busy_ids()):
                        claimed = deliveries_claim(self.worker_id, timezone.now(), free)
                        self.stats.claimed += len(claimed)
                        for delivery in claimed:
                            self._submit(pool, [delivery.pk], partial(self._publish, delivery))
                    if claimed and self._free() > 0:
                        continue
                    if (
                        self.options.exit_when_idle
                        and not self._busy_ids()
                        and not claimed
                        and deliveries_pending_count(networks) == 0
                    ):
                        break
                    self.job_done.clear()
                    self.job_done.wait(self.options.poll)
            finally:
                self.stopping.set()
                pool.shutdown(wait=True)
                # Every accepted send is written before the worker says it stopped.
                self.to_record.put(None)
                recorder.join()
                worker_stopped(self.worker_id)
                connections.close_all()
        return self.stats

"""`make run`: the web server, the task worker and the publish worker; Ctrl-C stops them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAILLAGE = str(ROOT / ".venv" / "bin" / "maillage")
ADDRESS = os.environ.get("MAILLAGE_ADDRESS", "127.0.0.1:8000")


def next_nightly(now: datetime) -> datetime:
    """Next 03:00 local time: the nightly sweep of stuck imports and index recomputation."""
    target = now.replace(hour=3, minute=0, second=0, microsecond=0)
    return target if target > now else target + timedelta(days=1)


def nightly_jobs(env: dict[str, str]) -> None:
    """End imports a stopped worker left running, then rewrite every Presence Index history."""
    for command in ("sweep_imports", "recompute_presence"):
        subprocess.run([MAILLAGE, command], env=env, check=False)


def wait_for(address: str, seconds: float = 30.0) -> None:
    """Return once the web server accepts connections (or after `seconds`), so the address and
    the logins are the last lines of its start-up banner rather than lost in the middle."""
    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1):
                return
        except OSError:
            time.sleep(0.2)


def main() -> int:
    env = dict(os.environ)
    server = subprocess.Popen([MAILLAGE, "runserver", "--noreload", ADDRESS], env=env)
    worker = subprocess.Popen([MAILLAGE, "db_worker", "--interval", "0.5"], env=env)
    # Scheduled posts go out through their own worker: it claims due deliveries, calls the
    # networks with many calls in flight and reconciles ambiguous sends (docs/publishing.md).
    publisher = subprocess.Popen([MAILLAGE, "publish_worker"], env=env)
    wait_for(ADDRESS)
    print()
    subprocess.run([MAILLAGE, "demo", "--logins", "--address", ADDRESS], env=env, check=False)
    processes = [server, worker, publisher]
    nightly = next_nightly(datetime.now())
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(0.5)
            if datetime.now() >= nightly:
                threading.Thread(target=nightly_jobs, args=(env,), daemon=True).start()
                nightly = next_nightly(datetime.now())
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())

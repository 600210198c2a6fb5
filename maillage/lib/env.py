"""Typed readers for the MAILLAGE_* environment variables that drive the settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

PREFIX = "MAILLAGE_"


def env_str(name: str, default: str = "") -> str:
    """A string setting; `NAME_FILE` (a path) wins so secrets can come from files."""
    file_path = os.environ.get(f"{PREFIX}{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(f"{PREFIX}{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(f"{PREFIX}{name}")
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{PREFIX}{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(f"{PREFIX}{name}")
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{PREFIX}{name} must be an integer, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(f"{PREFIX}{name}")
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str, busy_timeout: int) -> dict[str, Any]:
    """Django's database settings for a URL; SQLite gets WAL, a busy timeout and IMMEDIATE."""
    database: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database["OPTIONS"] = {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait, not fail.
            "transaction_mode": "IMMEDIATE",
            "timeout": busy_timeout,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return database

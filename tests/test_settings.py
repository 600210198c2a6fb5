"""Settings come from MAILLAGE_* variables, secrets also from files."""

from __future__ import annotations

import pytest

from maillage.lib.env import database_config, env_bool, env_int, env_list, env_str


def test_it_reads_a_secret_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("MAILLAGE_SECRET_KEY", "from-the-variable")
    monkeypatch.setenv("MAILLAGE_SECRET_KEY_FILE", str(secret))
    assert env_str("SECRET_KEY") == "from-the-file"


def test_it_parses_booleans_integers_and_lists(monkeypatch):
    monkeypatch.setenv("MAILLAGE_DEBUG", "yes")
    monkeypatch.setenv("MAILLAGE_IMPORT_MAX_RATIO", "50")
    monkeypatch.setenv("MAILLAGE_ALLOWED_HOSTS", "a.example, b.example,")
    assert env_bool("DEBUG") is True
    assert env_int("IMPORT_MAX_RATIO", 100) == 50
    assert env_list("ALLOWED_HOSTS", []) == ["a.example", "b.example"]


def test_it_refuses_a_boolean_it_cannot_read(monkeypatch):
    monkeypatch.setenv("MAILLAGE_DEBUG", "maybe")
    with pytest.raises(ValueError, match="MAILLAGE_DEBUG"):
        env_bool("DEBUG")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout():
    database = database_config("sqlite:////tmp/maillage.sqlite3", 20)
    assert database["NAME"] == "/tmp/maillage.sqlite3"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] == 20
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_is_one_url_away():
    database = database_config("postgres://maillage:secret@db.example:5432/maillage", 20)
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["USER"]) == (
        "db.example",
        "maillage",
        "maillage",
    )
    assert "OPTIONS" not in database or "init_command" not in database["OPTIONS"]

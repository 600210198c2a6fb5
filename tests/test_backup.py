"""`maillage backup FOLDER`: a consistent copy of a running Maillage, or a clear refusal."""

from __future__ import annotations

import sqlite3
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from maillage.accounts.models import User
from maillage.publishing.models import PlannedPost, PostMedia

pytestmark = pytest.mark.django_db(transaction=True)


def _backup(folder: Path) -> str:
    out = StringIO()
    call_command("backup", str(folder), stdout=out)
    return out.getvalue()


def test_it_copies_the_database_the_images_and_the_key_while_running(tmp_path, settings):
    if connection.vendor != "sqlite":
        with pytest.raises(CommandError, match="pg_dump"):
            _backup(tmp_path)
        return
    settings.MEDIA_ROOT = tmp_path / "media"
    user = User.objects.create_user(email="marie@example.com", password=None)
    media = PostMedia(planned_post=PlannedPost.objects.create(owner=user))
    media.file.save("chat.png", ContentFile(b"\x89PNG-chat"), save=True)
    target = tmp_path / "backups"
    target.mkdir()

    said = _backup(target)

    (folder,) = target.iterdir()
    assert str(folder) in said
    copy = sqlite3.connect(folder / "maillage.sqlite3")
    assert copy.execute("SELECT email FROM accounts_user").fetchall() == [("marie@example.com",)]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    assert (folder / "media" / media.file.name).read_bytes() == b"\x89PNG-chat"
    key = Path(settings.VAR_DIR) / "secret_key"
    if key.exists():
        assert (folder / "secret_key").read_bytes() == key.read_bytes()
        assert stat.S_IMODE((folder / "secret_key").stat().st_mode) == 0o600
    else:
        assert "MAILLAGE_SECRET_KEY" in (folder / "README.txt").read_text(encoding="utf-8")
    assert "To restore" in (folder / "README.txt").read_text(encoding="utf-8")


def test_it_refuses_a_folder_that_does_not_exist(tmp_path):
    missing = tmp_path / "nowhere"
    # Commands speak English, as Django's own do (translations are off in commands).
    expected = "pg_dump" if connection.vendor != "sqlite" else "is not a folder. Create it"
    with pytest.raises(CommandError, match=expected):
        _backup(missing)
    assert not missing.exists()

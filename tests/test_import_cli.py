"""`maillage import linkedin PATH --user EMAIL [--json]` through call_command."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from maillage.imports import registry
from maillage.imports.records import (
    ConnectionRecord,
    ParsedArchive,
    ParsedFile,
    PersonRef,
    RowError,
)
from maillage.network.models import Connection
from tests import linkedin_fixtures as fx


class StandInImporter:
    """Reads `Connections.csv` as `url,name` lines; a line without a comma is a row error."""

    kind = "standin"
    network = "linkedin"
    label = "Stand-in"
    version = 1

    def claims(self, names):
        return 1.0

    def parse(self, archive, progress=None):
        files = []
        for name in archive.names():
            if name == "Reactions.csv":
                files.append(
                    ParsedFile(
                        name=name,
                        status="rejected",
                        errors=[RowError(1, "The header is not the one LinkedIn writes")],
                    )
                )
                continue
            parsed = ParsedFile(name=name)
            for number, line in enumerate(archive.read(name).decode().splitlines()[1:], 2):
                parsed.read += 1
                if "," not in line:
                    parsed.errors.append(RowError(number, "This row has no profile URL"))
                    continue
                url, who = line.split(",")
                ref = PersonRef(key=url, name=who, profile_url=url)
                parsed.records.append(ConnectionRecord(ref, date(2024, 1, 2)))
            files.append(parsed)
        return ParsedArchive(network="linkedin", files=files, as_of=date(2026, 11, 1))


@pytest.fixture
def standin(monkeypatch):
    monkeypatch.setitem(registry.IMPORTERS, "standin", f"{__name__}.StandInImporter")
    registry.importer_get.cache_clear()
    yield
    registry.importer_get.cache_clear()


@pytest.fixture
def export(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Connections.csv").write_text(
        "URL,Name\nhttps://www.linkedin.com/in/a,Anne\nbroken line\nhttps://www.linkedin.com/in/b,Ben\n"
    )
    return folder


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_archive", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_imports_a_folder_and_prints_each_files_counts(cast, standin, export):
    out, err = run("standin", str(export), "--user", "Alice@Example.com")

    assert "Connections.csv — read: 3, created: 2, updated: 0, skipped: 1" in out
    assert "line 3: This row has no profile URL" in err
    assert Connection.objects.filter(owner=cast.alice).count() == 2


def test_it_prints_one_json_object_with_json(cast, standin, export):
    run("standin", str(export), "--user", "alice@example.com")
    out, _ = run("standin", str(export), "--user", "alice@example.com", "--json")

    data = json.loads(out)
    connections = data["files"]["Connections.csv"]
    assert (connections["read"], connections["created"], connections["updated"]) == (3, 0, 0)
    assert connections["skipped"] == 1
    assert connections["errors"] == [{"line": 3, "reason": "This row has no profile URL"}]


def test_it_imports_a_single_csv_file(cast, standin, export):
    out, _ = run("standin", str(export / "Connections.csv"), "--user", "alice@example.com")

    assert "created: 2" in out


def test_it_fails_when_a_file_is_rejected(cast, standin, export):
    (export / "Reactions.csv").write_text("nonsense\n")

    with pytest.raises(CommandError, match=r"Reactions\.csv"):
        run("standin", str(export), "--user", "alice@example.com")
    # The readable file was imported all the same.
    assert Connection.objects.filter(owner=cast.alice).count() == 2


def test_it_fails_when_the_user_does_not_exist(db, standin, export):
    with pytest.raises(CommandError, match=r"nobody@example\.com"):
        run("standin", str(export), "--user", "nobody@example.com")


def test_it_fails_when_the_path_does_not_exist(cast, tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        run("linkedin", str(tmp_path / "missing.zip"), "--user", "alice@example.com")


def test_it_fails_on_an_unknown_export_format(cast, export):
    with pytest.raises(CommandError, match="Unknown export format"):
        run("myspace", str(export), "--user", "alice@example.com")


def test_it_fails_on_an_archive_that_is_not_a_zip(cast, standin, tmp_path):
    fake = tmp_path / "export.zip"
    fake.write_bytes(b"PK\x03\x04 this is not a zip")

    with pytest.raises(CommandError):
        run("standin", str(fake), "--user", "alice@example.com")


def test_it_imports_a_real_linkedin_zip_and_reports_it_as_json(cast, tmp_path):
    path = fx.export_zip(tmp_path, fx.FULL_EXPORT)

    out, _ = run("linkedin", str(path), "--user", "alice@example.com", "--json")

    data = json.loads(out)
    assert data["status"] == "succeeded"
    connections = data["files"]["Connections.csv"]
    assert connections["created"] == 3
    assert set(connections) >= {"read", "created", "updated", "skipped", "errors"}
    assert Connection.objects.filter(owner=cast.alice).count() == 3


def test_it_prints_why_rows_of_a_real_export_were_skipped(cast, tmp_path):
    path = fx.export_zip(tmp_path, fx.FULL_EXPORT)

    out, _ = run("linkedin", str(path), "--user", "alice@example.com")

    assert "Connections.csv — read: " in out
    assert "skipped:" in out
    assert "Jobs/Job Applications.csv: ignored" in out


# --- every network, through the real importers ------------------------------------------------


def _network_exports(tmp_path):
    from tests import bluesky_fixtures as bluesky
    from tests import facebook_fixtures as facebook
    from tests import mastodon_fixtures as mastodon
    from tests import x_fixtures as x

    (tmp_path / "m").mkdir()
    return {
        "facebook": facebook.export_zip(tmp_path / "f", facebook.archive_members(facebook.CURRENT)),
        "facebook-page": facebook.single_file(
            tmp_path / "p", "posts.csv", facebook.PAGE_POSTS_MINIMAL
        ),
        "x": x.export_zip(tmp_path / "x", x.archive_members()),
        "mastodon": mastodon.archive_zip(tmp_path / "m", mastodon.full_archive()),
        "bluesky": bluesky.export_file(
            tmp_path / "b", bluesky.repo_car(bluesky.realistic_records())
        ),
    }


@pytest.mark.parametrize("kind", ["facebook", "facebook-page", "x", "mastodon", "bluesky"])
def test_every_network_imports_from_the_command_line_with_the_same_json(cast, tmp_path, kind):
    path = _network_exports(tmp_path)[kind]
    out = io.StringIO()
    call_command(
        "import_archive", kind, str(path), "--user", "bob@example.com", "--json", stdout=out
    )
    files = json.loads(out.getvalue())["files"]
    imported = [data for data in files.values() if data["status"] == "imported"]
    assert imported
    for data in files.values():
        assert {"read", "created", "updated", "skipped", "errors"} <= set(data)
    assert sum(data["created"] for data in imported) > 0

    again = io.StringIO()
    call_command(
        "import_archive", kind, str(path), "--user", "bob@example.com", "--json", stdout=again
    )
    assert all(d["created"] == 0 for d in json.loads(again.getvalue())["files"].values())

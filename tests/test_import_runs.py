"""Import runs on the web: the guide, uploads, history, progress polling and who sees what."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.imports import registry
from maillage.imports.forms import ImportUploadForm
from maillage.imports.models import ImportRun
from maillage.imports.records import (
    ConnectionRecord,
    ParsedArchive,
    ParsedFile,
    PersonRef,
    Record,
)
from maillage.imports.services import archive_import, import_run_create, import_run_files_delete
from maillage.imports.tasks import import_run_task
from maillage.network.models import Connection, Person
from maillage.presence.models import PresenceSnapshot, SocialAccount

CONNECTIONS = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n"


@pytest.fixture
def cast(cast):
    """The same cast, reading the app in English so the assertions quote the msgids."""
    for user in (cast.alice, cast.bob, cast.carol, cast.dave):
        user.language = "en"
        user.save(update_fields=["language"])
    return cast


def finished_run(owner, **extra) -> ImportRun:
    values = {
        "kind": "linkedin",
        "source_name": "Basic_LinkedInDataExport_11-29-2026.zip",
        "status": ImportRun.Status.SUCCEEDED,
        "progress": 100,
        "summary": {
            "files": {
                "Connections.csv": {
                    "read": 12,
                    "created": 10,
                    "updated": 1,
                    "skipped": 1,
                    "errors": [{"line": 9, "reason": "The date “31 Feb 2019” is not a date"}],
                    "status": "imported",
                },
                "Jobs/Job Applications.csv": {
                    "read": 0,
                    "created": 0,
                    "updated": 0,
                    "skipped": 0,
                    "errors": [],
                    "status": "ignored",
                },
            }
        },
    }
    values.update(extra)
    return ImportRun.objects.create(owner=owner, **values)


def test_it_explains_how_to_get_the_export_to_a_new_user(cast, client):
    client.force_login(cast.dave)
    page = client.get(reverse("imports:list"), HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Get a copy of your data" in text
    assert "Settings &amp; Privacy" in text
    assert 'type="file"' in text and "multiple" in text
    assert "No import yet" in text


def test_it_asks_anonymous_visitors_to_log_in(client):
    page = client.get(reverse("imports:list"))

    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]


def test_it_lists_only_the_users_own_runs_twenty_per_page(cast):
    for _ in range(21):
        finished_run(cast.alice)
    finished_run(cast.bob, source_name="bob-export.zip")
    client = cast.client_for(cast.alice)

    first = client.get(reverse("imports:list"))
    second = client.get(reverse("imports:list"), {"page": 2})

    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 1
    assert "bob-export.zip" not in first.content.decode()


def test_it_shows_a_runs_summary_file_by_file(cast):
    run = finished_run(cast.alice)
    page = cast.client_for(cast.alice).get(
        reverse("imports:detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    text = page.content.decode()
    assert page.status_code == 200
    assert "Connections.csv" in text
    assert "31 Feb 2019" in text and "Line 9" in text
    assert "Jobs/Job Applications.csv" in text
    # A finished run is not polled any more.
    assert "hx-trigger" not in text


def test_it_polls_a_run_in_progress_every_second_until_it_ends(cast):
    run = ImportRun.objects.create(
        owner=cast.alice,
        kind="linkedin",
        source_name="x.zip",
        status=ImportRun.Status.RUNNING,
        progress=42,
        progress_label="Reading messages.csv",
    )
    client = cast.client_for(cast.alice)
    fragment = client.get(reverse("imports:status", args=[run.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in fragment
    assert 'aria-valuenow="42"' in fragment
    assert "Reading messages.csv" in fragment

    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.SUCCEEDED, progress=100)
    done = client.get(reverse("imports:status", args=[run.pk])).content.decode()
    assert "hx-trigger" not in done


def test_it_hides_other_peoples_runs(cast):
    run = finished_run(cast.alice)
    client = cast.client_for(cast.bob)

    assert client.get(reverse("imports:detail", args=[run.pk])).status_code == 404
    assert client.get(reverse("imports:status", args=[run.pk])).status_code == 404


def test_it_stores_several_csv_files_in_one_folder_as_one_run(cast, settings):
    client = cast.client_for(cast.alice)
    files = [
        SimpleUploadedFile("Connections.csv", CONNECTIONS, content_type="text/csv"),
        SimpleUploadedFile("Shares.csv", b"Date,ShareLink\r\n", content_type="text/csv"),
    ]
    response = client.post(reverse("imports:list"), {"kind": "linkedin", "upload": files})

    run = ImportRun.objects.get(owner=cast.alice)
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:detail", args=[run.pk])
    folder = Path(settings.MEDIA_ROOT) / "imports" / str(run.pk)
    assert Path(run.storage_path) == folder
    assert sorted(p.name for p in folder.iterdir()) == ["Connections.csv", "Shares.csv"]
    assert run.source_name.startswith("2 ")

    import_run_files_delete(run)
    assert not folder.exists()


def test_it_refuses_an_upload_over_the_size_limit_with_a_clear_error(cast, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client = cast.client_for(cast.alice)
    big = SimpleUploadedFile("export.zip", b"x" * 500, content_type="application/zip")

    response = client.post(
        reverse("imports:list"), {"kind": "linkedin", "upload": big}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 413
    assert "more than the 100" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_it_refuses_files_that_are_not_an_export(cast):
    client = cast.client_for(cast.alice)
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8", content_type="image/jpeg")

    response = client.post(
        reverse("imports:list"), {"kind": "linkedin", "upload": photo}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "photo.jpg is not a file Maillage reads" in response.content.decode()
    assert not ImportRun.objects.exists()


def test_it_asks_for_a_file_when_none_was_chosen(cast):
    response = cast.client_for(cast.alice).post(
        reverse("imports:list"), {"kind": "linkedin"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "Choose the archive the network sent you" in response.content.decode()


# --- running an import (a stand-in importer keeps these tests off the LinkedIn parser) ---------

SEEN_PROGRESS: list[tuple[int, str]] = []


class StandInImporter:
    """Reads `Connections.csv` as `url,name` lines; reports progress like a real importer."""

    kind = "standin"
    network = "linkedin"
    label = "Stand-in"
    version = 1

    def claims(self, names):
        return 1.0

    def parse(self, archive, progress=None):
        files = []
        for name in archive.names():
            if progress is not None:
                progress(50, f"Reading {name}")
                run = ImportRun.objects.order_by("-created_at").get()
                SEEN_PROGRESS.append((run.progress, run.progress_label))
            if name != "Connections.csv":
                files.append(ParsedFile(name=name, status="ignored"))
                continue
            lines = archive.read(name).decode().splitlines()[1:]
            records: list[Record] = [
                ConnectionRecord(PersonRef(key=url, name=who, profile_url=url), date(2024, 1, 2))
                for url, who in (line.split(",") for line in lines)
            ]
            files.append(ParsedFile(name=name, read=len(lines), records=records))
        return ParsedArchive(network="linkedin", files=files, as_of=date(2026, 11, 1))


@pytest.fixture
def standin(monkeypatch):
    monkeypatch.setitem(registry.IMPORTERS, "standin", f"{__name__}.StandInImporter")
    registry.importer_get.cache_clear()
    SEEN_PROGRESS.clear()
    yield
    registry.importer_get.cache_clear()


def upload(client, *files):
    return client.post(reverse("imports:list"), {"kind": "standin", "upload": list(files)})


def connections_csv(count: int = 3) -> SimpleUploadedFile:
    lines = ["URL,Name"] + [f"https://www.linkedin.com/in/p{n},Personne {n}" for n in range(count)]
    return SimpleUploadedFile("Connections.csv", "\n".join(lines).encode(), "text/csv")


@pytest.fixture
def standin_form(monkeypatch):
    # The form offers LinkedIn only; the stand-in kind is accepted for these tests.
    monkeypatch.setattr(
        "maillage.imports.forms.ImportUploadForm.base_fields",
        {
            **ImportUploadForm.base_fields,
            "kind": forms.ChoiceField(choices=[("standin", "Stand-in")]),
        },
    )


def test_it_imports_an_upload_in_the_background_then_deletes_the_file(
    cast, settings, standin, standin_form, django_capture_on_commit_callbacks
):
    client = cast.client_for(cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, connections_csv(3), SimpleUploadedFile("Ads.csv", b"x"))

    run = ImportRun.objects.get(owner=cast.alice)
    assert response.status_code == 302
    assert run.status == ImportRun.Status.SUCCEEDED
    assert run.progress == 100 and run.finished_at is not None
    assert run.summary["files"]["Connections.csv"]["created"] == 3
    assert run.summary["files"]["Ads.csv"]["status"] == "ignored"
    assert Connection.objects.filter(owner=cast.alice).count() == 3
    assert not (Path(settings.MEDIA_ROOT) / "imports" / str(run.pk)).exists()
    assert run.storage_path == ""
    # The Presence Index history was rebuilt by the task queued after the import.
    assert PresenceSnapshot.objects.filter(owner=cast.alice).exists()
    # The page could follow the parsing: progress was saved while it went on.
    assert SEEN_PROGRESS and all(0 < value < 100 for value, _ in SEEN_PROGRESS)
    assert SEEN_PROGRESS[0][1].startswith("Reading ")
    page = client.get(reverse("imports:detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Connections.csv" in page.content.decode()


def test_it_rejects_a_broken_zip_and_stores_nothing(
    cast, standin, standin_form, django_capture_on_commit_callbacks
):
    client = cast.client_for(cast.alice)
    cast.alice.language = "en"
    cast.alice.save()
    broken = SimpleUploadedFile("export.zip", b"PK\x03\x04 not really a zip", "application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, broken)

    run = ImportRun.objects.get(owner=cast.alice)
    assert run.status == ImportRun.Status.REJECTED
    assert run.error
    assert not Person.objects.exists()


def test_it_undoes_every_write_when_the_import_crashes_midway(cast, standin, monkeypatch, tmp_path):
    def crash(self, files, account_id):
        raise RuntimeError("disk full")

    monkeypatch.setattr("maillage.imports.writer.ArchiveWriter._posts", crash)
    cast.alice.language = "en"
    cast.alice.save()
    path = tmp_path / "Connections.csv"
    path.write_bytes(connections_csv(5).read())

    run = archive_import(cast.alice, path, "standin")

    assert run.status == ImportRun.Status.FAILED
    assert "nothing was saved" in run.error
    # People were written before the crash; the single transaction took them back.
    assert not Person.objects.filter(owner=cast.alice).exists()
    assert not SocialAccount.objects.filter(owner=cast.alice).exists()


def test_it_runs_a_queued_import_only_once(cast, standin, tmp_path):
    path = tmp_path / "Connections.csv"
    path.write_bytes(connections_csv(2).read())
    run = import_run_create(cast.alice, "standin", "Connections.csv", path)

    assert import_run_task.call(str(run.pk)) == ImportRun.Status.SUCCEEDED
    assert import_run_task.call(str(run.pk)) is None
    assert Connection.objects.filter(owner=cast.alice).count() == 2


def test_it_ends_runs_that_a_stopped_worker_left_running(cast, tmp_path):
    stuck = ImportRun.objects.create(
        owner=cast.alice,
        kind="linkedin",
        source_name="export.zip",
        status=ImportRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(hours=3),
        storage_path=str(tmp_path),
    )
    recent = ImportRun.objects.create(
        owner=cast.bob,
        kind="linkedin",
        source_name="export.zip",
        status=ImportRun.Status.RUNNING,
        started_at=timezone.now() - timedelta(minutes=5),
    )
    out = StringIO()
    call_command("sweep_imports", stdout=out)
    stuck.refresh_from_db()
    recent.refresh_from_db()
    assert stuck.status == ImportRun.Status.FAILED
    assert "upload the export again" in stuck.error
    assert stuck.is_finished
    assert recent.status == ImportRun.Status.RUNNING
    assert "1" in out.getvalue()
    # Its page stops polling and says what happened.
    page = cast.client_for(cast.alice).get(reverse("imports:status", args=[stuck.pk]))
    assert "hx-trigger" not in page.content.decode()
    assert "upload the export again" in page.content.decode()


def test_a_row_error_reads_with_each_languages_punctuation(cast):
    run = finished_run(cast.alice)
    client = cast.client_for(cast.alice)
    url = reverse("imports:detail", args=[run.pk])

    pages = {}
    for language in ("fr", "en"):
        cast.alice.language = language
        cast.alice.save(update_fields=["language"])
        pages[language] = client.get(url).content.decode()
    french, english = pages["fr"], pages["en"]

    # French puts a (narrow no-break) space before a colon; English does not.
    assert "Ligne 9\u202f: The date" in french
    assert "Line 9: The date" in english

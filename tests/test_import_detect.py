"""The web upload finds the network of an archive itself: the best claim wins, a tie asks."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from maillage.imports import registry
from maillage.imports.models import ImportRun
from maillage.imports.records import ParsedArchive, ParsedFile, PostRecord
from maillage.imports.registry import importer_detect, importer_scores
from maillage.imports.services import import_runs_unchosen_expire
from maillage.presence.models import Post


@pytest.fixture
def cast(cast):
    for user in (cast.alice, cast.bob):
        user.language = "en"
        user.save(update_fields=["language"])
    return cast


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        (
            ["Connections.csv", "messages.csv", "Profile.csv", "Jobs/Job Applications.csv"],
            "linkedin",
        ),
        (["data/manifest.js", "data/tweets.js", "data/like.js", "data/account.js"], "x"),
        (["outbox.json", "actor.json", "likes.json", "bookmarks.json"], "mastodon"),
        (["repo.car"], "bluesky"),
        (
            [
                "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json",
                "your_facebook_activity/comments_and_reactions/comments.json",
                "connections/friends/your_friends.json",
            ],
            "facebook",
        ),
        (["posts/your_posts_1.json", "friends/friends.json", "comments/comments.json"], "facebook"),
    ],
)
def test_each_network_wins_its_own_archive(names, kind):
    assert importer_detect(names) == [kind]
    assert importer_scores(names)[0][0] == kind


def test_no_importer_claims_an_unrelated_archive():
    assert importer_detect(["holiday/photo-notes.txt", "budget.xlsx"]) == []


class FirstTwin:
    kind = "twin-a"
    network = "mastodon"
    label = "Twin A"
    version = 1

    def claims(self, names):
        return 0.8 if "notes.json" in names else 0.0

    def parse(self, archive, progress=None):
        records = [
            PostRecord(
                key="twin-post-1", published_at=_moment(), text=archive.read("notes.json").decode()
            )
        ]
        return ParsedArchive(
            network=self.network,
            files=[ParsedFile(name="notes.json", read=1, records=list(records))],
        )


class SecondTwin(FirstTwin):
    kind = "twin-b"
    network = "bluesky"
    label = "Twin B"


def _moment() -> datetime:
    return datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


@pytest.fixture
def twins(monkeypatch):
    monkeypatch.setitem(registry.IMPORTERS, "twin-a", f"{__name__}.FirstTwin")
    monkeypatch.setitem(registry.IMPORTERS, "twin-b", f"{__name__}.SecondTwin")
    registry.importer_get.cache_clear()
    yield
    registry.importer_get.cache_clear()


def notes_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("notes.json", b"Bonjour", "application/json")


def test_a_tie_asks_the_owner_then_imports_with_the_network_chosen(
    cast, twins, settings, django_capture_on_commit_callbacks
):
    assert importer_detect(["notes.json"]) == ["twin-a", "twin-b"]
    client = cast.client_for(cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:list"), {"kind": "auto", "upload": [notes_upload()]})
    run = ImportRun.objects.get(owner=cast.alice)
    assert run.status == ImportRun.Status.CHOOSE
    assert run.candidates == ["twin-a", "twin-b"]
    # The upload waits for the answer.
    assert Path(run.storage_path).exists()
    page = client.get(reverse("imports:detail", args=[run.pk])).content.decode()
    assert "Which one is it?" in page
    assert 'value="twin-b"' in page and "Twin B" in page
    assert "hx-trigger" not in page  # nothing to poll while waiting for the owner

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:choose", args=[run.pk]), {"kind": "twin-b"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.kind) == (ImportRun.Status.SUCCEEDED, "twin-b")
    assert Post.objects.get(owner=cast.alice).network == "bluesky"
    assert run.storage_path == ""


def test_a_choice_outside_the_candidates_is_refused(
    cast, twins, django_capture_on_commit_callbacks
):
    client = cast.client_for(cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:list"), {"kind": "auto", "upload": [notes_upload()]})
    run = ImportRun.objects.get(owner=cast.alice)
    response = client.post(
        reverse("imports:choose", args=[run.pk]), {"kind": "linkedin"}, follow=True
    )
    assert "Choose one of the networks offered" in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHOOSE
    # Someone else's run is not theirs to choose for.
    other = cast.client_for(cast.bob)
    assert (
        other.post(reverse("imports:choose", args=[run.pk]), {"kind": "twin-a"}).status_code == 404
    )


def test_an_unrecognised_upload_is_rejected_with_what_maillage_reads(
    cast, django_capture_on_commit_callbacks
):
    client = cast.client_for(cast.alice)
    upload = SimpleUploadedFile("notes.txt.json", b"{}", "application/json")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:list"), {"kind": "auto", "upload": [upload]})
    run = ImportRun.objects.get(owner=cast.alice)
    assert run.status == ImportRun.Status.REJECTED
    assert "does not recognise this export" in run.error
    assert run.storage_path == ""


def test_the_best_claim_wins_without_asking(cast, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "archive-20261129120000-0a1b2c.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("outbox.json", '{"type": "OrderedCollection", "orderedItems": []}')
        archive.writestr("actor.json", '{"type": "Person", "preferredUsername": "alice"}')
    out = StringIO()
    call_command("import_archive", "auto", str(path), "--user", "alice@example.com", stdout=out)
    run = ImportRun.objects.get(owner=cast.alice)
    assert run.kind == "mastodon"


def test_the_command_line_asks_for_the_kind_on_a_tie(cast, twins, tmp_path):
    path = tmp_path / "notes.json"
    path.write_text("Bonjour")
    with pytest.raises(CommandError, match="twin-a, twin-b"):
        call_command("import_archive", "auto", str(path), "--user", "alice@example.com")
    assert not ImportRun.objects.exists()


def test_runs_nobody_chose_for_expire_after_a_week(cast, twins, django_capture_on_commit_callbacks):
    client = cast.client_for(cast.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:list"), {"kind": "auto", "upload": [notes_upload()]})
    run = ImportRun.objects.get(owner=cast.alice)
    folder = Path(run.storage_path).parent
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=8))
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(days=8))
    assert import_runs_unchosen_expire() == 1
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED
    assert not folder.exists()


def test_the_upload_form_offers_detection_first_and_every_network(cast):
    page = cast.client_for(cast.alice).get(reverse("imports:list")).content.decode()
    for value in ("auto", "linkedin", "facebook", "facebook-page", "x", "mastodon", "bluesky"):
        assert f'value="{value}"' in page
    assert page.index('value="auto"') < page.index('value="linkedin"')
    assert ".car" in page and ".tar.gz" in page

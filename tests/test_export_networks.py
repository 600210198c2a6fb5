"""What the new importers store goes into "Download my data", and "Delete my account" erases it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maillage.accounts.services import user_data_export, user_delete
from maillage.imports.services import archive_import
from maillage.presence.models import Interaction, Post, SocialAccount
from tests import bluesky_fixtures as bluesky
from tests import facebook_fixtures as facebook
from tests import mastodon_fixtures as mastodon
from tests import x_fixtures as x


@pytest.fixture
def everything(cast, tmp_path: Path):
    """Bob imported one export of each network (Facebook's profile and a Page's CSV too)."""
    user = cast.bob
    (tmp_path / "m").mkdir()
    imports = {
        "x": x.export_zip(tmp_path / "x", x.archive_members()),
        "mastodon": mastodon.archive_zip(tmp_path / "m", mastodon.full_archive()),
        "bluesky": bluesky.export_file(
            tmp_path / "b", bluesky.repo_car(bluesky.realistic_records())
        ),
        "facebook": facebook.export_zip(tmp_path / "f", facebook.archive_members(facebook.CURRENT)),
        "facebook-page": facebook.single_file(
            tmp_path / "p", "posts.csv", facebook.PAGE_POSTS_MINIMAL
        ),
    }
    for kind, path in imports.items():
        run = archive_import(user, path, kind)
        assert run.status == "succeeded", (kind, run.error)
    return user


def test_download_my_data_holds_what_every_network_brought(everything):
    export = json.loads(json.dumps(user_data_export(everything), default=str))
    posts = export["data"]["presence.Post"]
    accounts = export["data"]["presence.SocialAccount"]
    interactions = export["data"]["presence.Interaction"]

    assert {row["network"] for row in posts} == {"x", "mastodon", "bluesky", "facebook"}
    assert len(posts) == Post.objects.filter(owner=everything).count()
    assert len(interactions) == Interaction.objects.filter(owner=everything).count()
    # The new columns travel with each row: language, counts, kinds, follower counts.
    assert any(row["language"] for row in posts if row["network"] == "bluesky")
    assert any(row["reactions_count"] is not None for row in posts if row["network"] == "x")
    assert any(row["reach"] is None and row["reactions_count"] == 7 for row in posts)
    assert {row["kind"] for row in accounts} == {"profile", "page"}
    x_account = next(row for row in accounts if row["network"] == "x")
    assert (
        x_account["followers_count"]
        == SocialAccount.objects.get(owner=everything, network="x").followers_count
    )
    assert any(row["kind"] == "follow" for row in interactions)
    assert "network.Connection" in export["data"]  # Facebook friends


def test_deleting_the_account_erases_what_every_network_brought(everything):
    user_id = everything.pk
    user_delete(everything)
    for model in (Post, Interaction, SocialAccount):
        assert not model.objects.filter(owner_id=user_id).exists()

"""Download my data, `maillage export-user` and "delete my account": everything, and only, mine."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import (
    Circle,
    CircleInvitation,
    ConsentChange,
    Membership,
    User,
)
from maillage.accounts.services import (
    circle_invitation_create,
    membership_consent_update,
    user_data_export,
)
from maillage.imports.models import ImportRun
from maillage.network.models import Connection, Person
from maillage.presence.models import Interaction, Post, PresenceSnapshot, SocialAccount

OWNED_MODELS = (SocialAccount, Post, Interaction, PresenceSnapshot, Person, Connection, ImportRun)


def _give_data(user: User, tag: str) -> None:
    """One row of every kind of personal data, with `tag` in the texts to recognise it."""
    now = timezone.now()
    account = SocialAccount.objects.create(
        owner=user, network="linkedin", handle=f"https://linkedin.com/in/{tag}"
    )
    Post.objects.create(
        owner=user,
        account=account,
        network="linkedin",
        key=f"post-{tag}",
        published_at=now,
        text=f"Post de {tag}",
    )
    person = Person.objects.create(
        owner=user, network="linkedin", key=f"p-{tag}", name=f"Ami {tag}"
    )
    Connection.objects.create(owner=user, person=person, network="linkedin")
    Interaction.objects.create(
        owner=user,
        account=account,
        network="linkedin",
        key=f"i-{tag}",
        kind="comment",
        occurred_at=now,
        person=person,
        text=f"Commentaire {tag}",
    )
    PresenceSnapshot.objects.create(
        owner=user,
        week_start=dt.date(2026, 11, 23),
        score=42,
        brand=10,
        audience=10,
        engagement=11,
        relationships=11,
        status="active",
        signals={"tag": tag},
    )
    ImportRun.objects.create(
        owner=user,
        kind="linkedin",
        source_name=f"{tag}.zip",
        summary={"files": {"Connections.csv": {"read": 1, "created": 1}}},
    )


@pytest.fixture
def rich_cast(cast):
    _give_data(cast.bob, "bob")
    _give_data(cast.carol, "carol")
    bob = Membership.objects.get(circle=cast.circle, user=cast.bob)
    membership_consent_update(bob, cast.bob, pool_connections=True)
    return cast


def test_it_exports_everything_of_the_user_across_apps(rich_cast):
    data = user_data_export(rich_cast.bob)
    assert data["user"]["email"] == "bob@example.com"
    assert data["user"]["language"] == "fr"
    assert "password" not in data["user"]
    for model in (*OWNED_MODELS, Membership, ConsentChange):
        rows = data["data"][model._meta.label]
        assert rows, model
    assert data["data"]["presence.Post"][0]["text"] == "Post de bob"
    assert data["data"]["imports.ImportRun"][0]["summary"]["files"]["Connections.csv"]["read"] == 1
    membership = data["data"]["accounts.Membership"][0]
    assert (membership["share_index"], membership["pool_connections"]) == (True, True)
    assert data["data"]["accounts.ConsentChange"][0]["consent"] == "pool_connections"
    assert data["circles"][0]["name"] == "Cercle des ventes de Québec"


def test_it_exports_nothing_of_anyone_else(rich_cast):
    text = json.dumps(user_data_export(rich_cast.bob), default=str)
    assert "carol" not in text.lower()
    assert "alice" not in text.lower()


def test_it_leaves_secrets_out_of_the_export(rich_cast):
    invitation = circle_invitation_create(rich_cast.circle, rich_cast.alice)
    data = json.dumps(user_data_export(rich_cast.alice), default=str)
    assert invitation.token not in data
    assert rich_cast.alice.password not in data
    assert "accounts.CircleInvitation" in data


def test_it_downloads_my_data_as_a_json_attachment(rich_cast):
    response = rich_cast.client_for(rich_cast.bob).get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    today = timezone.localdate().isoformat()
    assert f'filename="maillage-bob@example.com-{today}.json"' in response["Content-Disposition"]
    data = json.loads(b"".join(response.streaming_content))
    assert data["data"]["network.Person"][0]["name"] == "Ami bob"


def test_it_exports_a_user_from_the_command_line(rich_cast):
    out = StringIO()
    call_command("export_user", "BOB@example.com", stdout=out)
    data = json.loads(out.getvalue())
    assert data["user"]["email"] == "bob@example.com"
    assert data["data"]["presence.Interaction"][0]["text"] == "Commentaire bob"


def test_it_fails_clearly_when_the_command_line_user_does_not_exist(db):
    with pytest.raises(CommandError, match=r"No user with the e-mail address nobody@example\.com"):
        call_command("export_user", "nobody@example.com", stdout=StringIO())


def test_it_asks_to_type_the_email_before_deleting(rich_cast):
    client = rich_cast.client_for(rich_cast.bob)
    page = client.get(reverse("accounts:delete"))
    assert "bob@example.com" in page.content.decode()
    wrong = client.post(reverse("accounts:delete"), {"email": "carol@example.com"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["email"]
    assert User.objects.filter(email="bob@example.com").exists()


def test_it_deletes_everything_of_the_user_and_nothing_of_others(
    rich_cast, settings, django_capture_on_commit_callbacks
):
    upload = Path(settings.MEDIA_ROOT) / "imports" / "bob.zip"
    upload.parent.mkdir(parents=True)
    upload.write_bytes(b"PK")
    ImportRun.objects.filter(owner=rich_cast.bob).update(storage_path=str(upload))
    carol_counts = {m: m.objects.filter(owner=rich_cast.carol).count() for m in OWNED_MODELS}

    client = rich_cast.client_for(rich_cast.bob)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"), {"email": "Bob@Example.com"})
    assert response.status_code == 302
    assert not User.objects.filter(email="bob@example.com").exists()
    for model in OWNED_MODELS:
        assert model.objects.filter(owner_id=rich_cast.bob.pk).count() == 0, model
        assert model.objects.filter(owner=rich_cast.carol).count() == carol_counts[model], model
    assert not Membership.objects.filter(user_id=rich_cast.bob.pk).exists()
    assert not ConsentChange.objects.filter(user_id=rich_cast.bob.pk).exists()
    assert not upload.exists()
    assert Membership.objects.filter(circle=rich_cast.circle).count() == 2
    # Logged out: private pages now ask to log in.
    assert client.get(reverse("accounts:settings")).status_code == 302


def test_it_hands_the_animator_role_to_the_oldest_member_on_deletion(rich_cast):
    Membership.objects.filter(user=rich_cast.carol).update(
        joined_at=timezone.now() - dt.timedelta(days=30)
    )
    rich_cast.client_for(rich_cast.alice).post(
        reverse("accounts:delete"), {"email": "alice@example.com"}
    )
    carol = Membership.objects.get(circle=rich_cast.circle, user=rich_cast.carol)
    bob = Membership.objects.get(circle=rich_cast.circle, user=rich_cast.bob)
    assert carol.is_animator
    assert not bob.is_animator
    assert Circle.objects.filter(pk=rich_cast.circle.pk).exists()


def test_it_deletes_a_circle_left_empty_by_the_deletion(rich_cast):
    solo = Circle.objects.create(name="Solo", created_by=rich_cast.dave)
    Membership.objects.create(circle=solo, user=rich_cast.dave, role=Membership.Role.ANIMATOR)
    circle_invitation_create(solo, rich_cast.dave)
    rich_cast.client_for(rich_cast.dave).post(
        reverse("accounts:delete"), {"email": "dave@example.com"}
    )
    assert not Circle.objects.filter(pk=solo.pk).exists()
    assert not CircleInvitation.objects.filter(circle_id=solo.pk).exists()
    assert Circle.objects.filter(pk=rich_cast.circle.pk).exists()


# --- what belongs to a user through a parent row ----------------------------------------------

# Models with no user of their own that other people's data may cascade into, and why they are
# not anyone's personal data.
NOBODYS = {
    "account.EmailConfirmation",  # allauth's one-time key, a secret, gone once used
    "demo.DemoCircle",  # marks a circle as the demo's
}


def test_every_row_deleted_with_a_users_data_is_in_their_download(db):
    """A model that cascades from personal data names its owner, or is listed as nobody's."""
    from django.apps import apps
    from django.db import models as db_models

    from maillage.accounts.services import user_lookups

    owned = {m for m in apps.get_models() if user_lookups(m)}
    forgotten = {
        model._meta.label
        for model in apps.get_models()
        if model not in owned
        and model is not User
        and any(
            isinstance(f, db_models.ForeignKey)
            and f.remote_field.on_delete is db_models.CASCADE
            and f.related_model in owned
            for f in model._meta.get_fields()
        )
    }
    assert forgotten == NOBODYS


def _plan_post(user: User, tag: str) -> None:
    """A scheduled post with an image, delivered once to the user's channel, and a queue slot."""
    from django.core.files.base import ContentFile

    from maillage.publishing.models import (
        Channel,
        Delivery,
        DeliveryEvent,
        PlannedPost,
        PostMedia,
        PostVariant,
        QueueSlot,
    )

    now = timezone.now()
    channel = Channel.objects.create(
        owner=user,
        network="mastodon",
        external_id=f"id-{tag}",
        handle=f"@{tag}@mastodon.example",
        access_token_encrypted=f"secret-token-{tag}",
    )
    post = PlannedPost.objects.create(owner=user, status=PlannedPost.Status.SCHEDULED)
    variant = PostVariant.objects.create(
        planned_post=post, network="mastodon", language="fr", text=f"Texte de {tag}"
    )
    media = PostMedia(planned_post=post, description=f"Image de {tag}")
    media.file.save(f"{tag}.png", ContentFile(b"\x89PNG-" + tag.encode()), save=True)
    delivery = Delivery.objects.create(
        planned_post=post, channel=channel, variant=variant, due_at=now, next_attempt_at=now
    )
    DeliveryEvent.objects.create(
        delivery=delivery, to_status="scheduled", reason="scheduled", detail=f"Planifié {tag}"
    )
    QueueSlot.objects.create(channel=channel, weekday=1, local_time=dt.time(9, 30))


def test_the_download_holds_my_planned_posts_their_images_and_deliveries(
    rich_cast, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _plan_post(rich_cast.bob, "bob")
    _plan_post(rich_cast.carol, "carol")

    data = json.loads(json.dumps(user_data_export(rich_cast.bob), default=str))["data"]

    assert [v["text"] for v in data["publishing.PostVariant"]] == ["Texte de bob"]
    (image,) = data["publishing.PostMedia"]
    assert image["description"] == "Image de bob" and image["file"].endswith(".png")
    assert len(data["publishing.Delivery"]) == 1
    assert data["publishing.DeliveryEvent"][0]["detail"] == "Planifié bob"
    assert data["publishing.QueueSlot"][0]["local_time"] == "09:30:00"
    text = json.dumps(data, default=str)
    assert "carol" not in text.lower()
    assert "secret-token" not in text


def test_deleting_my_account_removes_my_images_from_storage_and_keeps_others(
    rich_cast, settings, tmp_path, django_capture_on_commit_callbacks
):
    from maillage.publishing.models import PostMedia

    settings.MEDIA_ROOT = tmp_path
    _plan_post(rich_cast.bob, "bob")
    _plan_post(rich_cast.carol, "carol")
    bob_file = Path(PostMedia.objects.get(planned_post__owner=rich_cast.bob).file.path)
    carol_file = Path(PostMedia.objects.get(planned_post__owner=rich_cast.carol).file.path)
    assert bob_file.exists() and carol_file.exists()

    with django_capture_on_commit_callbacks(execute=True):
        rich_cast.client_for(rich_cast.bob).post(
            reverse("accounts:delete"), {"email": "bob@example.com"}
        )

    assert not bob_file.exists()
    assert carol_file.exists()


@pytest.mark.parametrize("batch", [1, 2, 3, 1000])
def test_the_streamed_export_is_valid_json_whatever_the_batches(rich_cast, monkeypatch, batch):
    """Rows go out a batch at a time; a model whose rows fill whole batches ends cleanly too."""
    from maillage.accounts import services

    monkeypatch.setattr(services, "EXPORT_BATCH", batch)
    account = SocialAccount.objects.get(owner=rich_cast.bob)
    for n in range(3):  # four posts with _give_data's: a multiple of 1 and 2, not of 3
        Post.objects.create(
            owner=rich_cast.bob,
            account=account,
            network="linkedin",
            key=f"extra-{n}",
            published_at=timezone.now(),
            text=f"Post {n}",
        )

    text = "".join(services.user_data_export_chunks(rich_cast.bob))
    data = json.loads(text)

    assert len(data["data"]["presence.Post"]) == 4
    assert [row["key"] for row in data["data"]["presence.Post"]][-3:] == [
        "extra-0",
        "extra-1",
        "extra-2",
    ]
    assert data["data"]["network.Person"][0]["name"] == "Ami bob"
    assert data["format"] == "maillage-user-export/1"


def test_the_download_streams_rather_than_building_the_file_in_memory(rich_cast):
    response = rich_cast.client_for(rich_cast.bob).get(reverse("accounts:export"))
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # the head, then each model's rows
    assert json.loads(b"".join(chunks))["user"]["email"] == "bob@example.com"

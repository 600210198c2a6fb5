"""The composer: images per network, drafts and unsent posts opened again, scheduling modes."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.presence.networks import Network
from maillage.publishing.forms import image_type
from maillage.publishing.models import Channel, Delivery, PlannedPost, PostMedia
from maillage.publishing.services.engine import _media
from maillage.publishing.services.planning import (
    PublishingError,
    VariantInput,
    planned_post_delete,
    planned_post_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast):
    """The cast reading the pages in English, so assertions quote the msgids."""
    for user in (cast.alice, cast.bob):
        user.language = "en"
        user.save(update_fields=["language"])
    return cast


def png(width: int = 1, height: int = 1) -> bytes:
    """A real PNG (grey pixels), built by hand since Pillow is not installed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L" + b"\x00" * 20


def upload(name: str = "chat.png", data: bytes | None = None, claimed: str = "text/plain"):
    # The browser's content type is deliberately wrong: only the bytes count.
    return SimpleUploadedFile(name, png() if data is None else data, content_type=claimed)


def channel(owner, network: str = Network.MASTODON, handle: str = "@alice@mastodon.example"):
    item = Channel(
        owner=owner,
        network=network,
        external_id=handle,
        handle=handle,
        instance_url="https://mastodon.example" if network == Network.MASTODON else "",
    )
    item.access_token = "token"
    item.save()
    return item


def compose_data(*channels: Channel, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channels": [str(c.pk) for c in channels],
        "link": "",
        "scheduled_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "action": "schedule",
    }
    for item in channels:
        data[f"language_{item.pk}"] = "fr"
        data[f"text_{item.network}_fr"] = f"Bonjour {item.get_network_display()}"
    data.update(extra)
    return data


# --- Images --------------------------------------------------------------------------------


def test_it_reads_the_image_type_from_the_bytes():
    assert image_type(png()) == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0\x00\x10JFIF") == "image/jpeg"
    assert image_type(b"GIF89a\x01\x00") == "image/gif"
    assert image_type(WEBP) == "image/webp"
    assert image_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None


def test_it_keeps_an_image_for_mastodon_only_and_the_engine_sends_it_there_only(cast):
    mastodon = channel(cast.alice)
    bluesky = channel(cast.alice, Network.BLUESKY, "alice.bsky.social")
    data = compose_data(
        mastodon,
        bluesky,
        image_file_0=upload(),
        image_alt_0="Un chat gris sur un rebord de fenêtre",
        image_network_0="mastodon",
    )
    response = cast.client_for(cast.alice).post("/publishing/compose/", data)
    assert response.status_code == 302
    media = PostMedia.objects.get()
    assert media.network == "mastodon"
    assert media.content_type == "image/png"
    assert media.description == "Un chat gris sur un rebord de fenêtre"
    assert media.file.read() == png()
    sent = {
        d.channel.network: _media(d)
        for d in Delivery.objects.select_related("channel", "planned_post")
    }
    assert [m.description for m in sent["mastodon"]] == ["Un chat gris sur un rebord de fenêtre"]
    assert sent["bluesky"] == ()


def test_it_refuses_a_file_that_only_claims_to_be_an_image(cast):
    mastodon = channel(cast.alice)
    fake = upload("chat.png", b"<?php echo 'hello'; ?>", claimed="image/png")
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(mastodon, image_file_0=fake)
    )
    assert response.status_code == 400
    assert "chat.png is not a JPEG, PNG, GIF or WebP image." in response.content.decode()
    assert not PlannedPost.objects.exists()


def test_it_counts_the_images_per_network(cast):
    x = channel(cast.alice, Network.X, "@alice")
    mastodon = channel(cast.alice)
    data = compose_data(x, mastodon)
    for slot in range(4):
        data[f"image_file_{slot}"] = upload(f"photo{slot}.png")
    data["image_file_4"] = upload("extra.png")
    data["image_network_4"] = "x"
    response = cast.client_for(cast.alice).post("/publishing/compose/", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "X accepts 4 images at most; you chose 5 for X." in page
    # Mastodon gets only the four meant for every network: no complaint about it.
    assert "Mastodon accepts" not in page
    assert not PostMedia.objects.exists()


def test_it_weighs_images_against_bluesky_s_million_bytes(cast):
    bluesky = channel(cast.alice, Network.BLUESKY, "alice.bsky.social")
    heavy = upload("grand.png", png() + b"\x00" * 1_000_000)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(bluesky, image_file_0=heavy)
    )
    assert response.status_code == 400
    assert "grand.png weighs" in response.content.decode()
    assert "Bluesky takes images up to 976.6\xa0KB." in response.content.decode()


def test_it_knows_linkedin_takes_no_webp(cast):
    linkedin = channel(cast.alice, Network.LINKEDIN, "Alice Tremblay")
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/",
        compose_data(linkedin, image_file_0=upload("photo.webp", WEBP)),
    )
    assert response.status_code == 400
    assert "LinkedIn does not take WebP images: photo.webp cannot go there." in (
        response.content.decode()
    )


def test_it_refuses_an_image_for_a_network_without_a_chosen_account(cast):
    mastodon = channel(cast.alice)
    channel(cast.alice, Network.BLUESKY, "alice.bsky.social")
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/",
        compose_data(mastodon, image_file_0=upload(), image_network_0="bluesky"),
    )
    assert response.status_code == 400
    assert "chat.png is for Bluesky, but no Bluesky account is chosen." in (
        response.content.decode()
    )


def test_it_shows_my_images_to_me_only(cast):
    mastodon = channel(cast.alice)
    cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(mastodon, image_file_0=upload(), action="draft")
    )
    media = PostMedia.objects.get()
    mine = cast.client_for(cast.alice).get(f"/publishing/media/{media.pk}/")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"
    assert b"".join(mine.streaming_content) == png()
    assert cast.client_for(cast.bob).get(f"/publishing/media/{media.pk}/").status_code == 404


def test_the_page_carries_each_network_s_image_limits_for_the_live_checks(cast):
    channel(cast.alice)
    page = cast.client_for(cast.alice).get("/publishing/compose/").content.decode()
    assert '"bluesky": {"count": 4, "maxBytes": 1000000' in page
    assert 'enctype="multipart/form-data"' in page
    assert 'id="preview"' in page


# --- Drafts and unsent posts, opened again -------------------------------------------------


def draft(cast, *channels: Channel, **extra: Any) -> PlannedPost:
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(*channels, action="draft", scheduled_at="", **extra)
    )
    assert response.status_code == 302
    return PlannedPost.objects.get()


def test_it_opens_a_draft_again_with_its_texts_accounts_and_images(cast):
    mastodon = channel(cast.alice)
    post = draft(cast, mastodon, image_file_0=upload(), image_alt_0="Un chat")
    page = cast.client_for(cast.alice).get(f"/publishing/posts/{post.pk}/edit/").content.decode()
    assert "Bonjour Mastodon</textarea>" in page
    assert f'value="{mastodon.pk}" id="channel-{mastodon.pk}"' in page
    assert f'data-network="mastodon" data-limit="500" data-handle="{mastodon.handle}" checked' in (
        page
    )
    media = PostMedia.objects.get()
    assert f'src="/publishing/media/{media.pk}/"' in page
    assert 'value="Un chat"' in page
    assert 'data-testid="delete-draft"' in page


def test_a_draft_remembers_which_accounts_it_was_for_and_every_text_written(cast):
    first = channel(cast.alice)
    second = channel(cast.alice, handle="@alice@autre.example")
    # Only the second account is chosen, in English; a French text is written all the same.
    post = draft(
        cast,
        second,
        **{
            f"language_{second.pk}": "en",
            "text_mastodon_en": "Hello Mastodon",
            "text_mastodon_fr": "Bonjour, pour plus tard",
        },
    )
    assert sorted(post.variants.values_list("language", "text")) == [
        ("en", "Hello Mastodon"),
        ("fr", "Bonjour, pour plus tard"),
    ]
    page = cast.client_for(cast.alice).get(f"/publishing/posts/{post.pk}/edit/").content.decode()
    assert f'data-handle="{second.handle}" checked' in page
    assert f'data-handle="{first.handle}" checked' not in page
    assert "Bonjour, pour plus tard</textarea>" in page


def test_it_schedules_an_edited_draft_with_its_images_changed(cast):
    mastodon = channel(cast.alice)
    post = draft(cast, mastodon, image_file_0=upload("old.png"), image_alt_0="Old")
    old = PostMedia.objects.get()
    data = compose_data(
        mastodon,
        scheduled_at="2030-06-01T09:30",
        text_mastodon_fr="Bonjour, version deux",
        image_file_0=upload("new.png"),
        image_alt_0="Nouvelle",
        image_network_0="mastodon",
    )
    data[f"media_remove_{old.pk}"] = "on"
    response = cast.client_for(cast.alice).post(f"/publishing/posts/{post.pk}/edit/", data)
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.status == PlannedPost.Status.SCHEDULED
    assert post.scheduled_at == datetime(2030, 6, 1, 13, 30, tzinfo=UTC)
    delivery = Delivery.objects.get(planned_post=post)
    assert delivery.variant.text == "Bonjour, version deux"
    assert list(post.media.values_list("description", "network")) == [("Nouvelle", "mastodon")]
    assert not PostMedia.objects.filter(pk=old.pk).exists()


def test_it_edits_a_scheduled_post_whose_deliveries_have_not_started(cast):
    mastodon = channel(cast.alice)
    client = cast.client_for(cast.alice)
    client.post(
        "/publishing/compose/", compose_data(mastodon, image_file_0=upload(), image_alt_0="A")
    )
    post = PlannedPost.objects.get()
    media = PostMedia.objects.get()
    data = compose_data(mastodon, scheduled_at="2030-07-01T08:00", text_mastodon_fr="Corrigé")
    data[f"media_alt_{media.pk}"] = "Un chat, mieux décrit"
    data[f"media_network_{media.pk}"] = ""
    assert client.post(f"/publishing/posts/{post.pk}/edit/", data).status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SCHEDULED
    assert delivery.due_at == datetime(2030, 7, 1, 12, 0, tzinfo=UTC)
    assert delivery.variant.outgoing_text == "Corrigé"
    media.refresh_from_db()
    assert media.description == "Un chat, mieux décrit"


def test_it_never_edits_a_post_part_of_which_is_being_sent(cast):
    mastodon = channel(cast.alice)
    client = cast.client_for(cast.alice)
    client.post("/publishing/compose/", compose_data(mastodon))
    post = PlannedPost.objects.get()
    Delivery.objects.update(status=Delivery.Status.CLAIMED)
    page = client.get(f"/publishing/posts/{post.pk}/edit/", follow=True).content.decode()
    assert "already being sent or published: it cannot be edited any more" in page
    response = client.post(
        f"/publishing/posts/{post.pk}/edit/", compose_data(mastodon, text_mastodon_fr="Changé")
    )
    assert response.status_code == 302
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.CLAIMED
    assert delivery.variant.text == "Bonjour Mastodon"


def test_someone_else_cannot_open_my_post(cast):
    mastodon = channel(cast.alice)
    post = draft(cast, mastodon)
    assert cast.client_for(cast.bob).get(f"/publishing/posts/{post.pk}/edit/").status_code == 404
    bob = cast.client_for(cast.bob)
    assert bob.post(f"/publishing/posts/{post.pk}/delete/", {"confirm": "yes"}).status_code == 404
    assert PlannedPost.objects.filter(pk=post.pk).exists()


def test_it_deletes_a_draft_only_once_confirmed(cast):
    mastodon = channel(cast.alice)
    post = draft(cast, mastodon, image_file_0=upload())
    client = cast.client_for(cast.alice)
    unconfirmed = client.post(f"/publishing/posts/{post.pk}/delete/", follow=True)
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert PlannedPost.objects.filter(pk=post.pk).exists()
    response = client.post(f"/publishing/posts/{post.pk}/delete/", {"confirm": "yes"})
    assert response.status_code == 302
    assert not PlannedPost.objects.exists()
    assert not PostMedia.objects.exists()


def test_it_deletes_the_image_files_with_the_draft(cast, django_capture_on_commit_callbacks):
    mastodon = channel(cast.alice)
    post = draft(cast, mastodon, image_file_0=upload())
    item = PostMedia.objects.get()
    storage, name = item.file.storage, item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        cast.client_for(cast.alice).post(f"/publishing/posts/{post.pk}/delete/", {"confirm": "1"})
    assert not storage.exists(name)


def test_it_does_not_delete_a_scheduled_post(cast):
    mastodon = channel(cast.alice)
    client = cast.client_for(cast.alice)
    client.post("/publishing/compose/", compose_data(mastodon))
    post = PlannedPost.objects.get()
    page = client.post(
        f"/publishing/posts/{post.pk}/delete/", {"confirm": "yes"}, follow=True
    ).content.decode()
    assert "Only a draft can be deleted; this post is scheduled." in page
    assert Delivery.objects.count() == 1


# --- Scheduling modes ----------------------------------------------------------------------


def test_the_draft_mode_needs_no_date(cast):
    mastodon = channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(mastodon, mode="draft", scheduled_at="")
    )
    assert response.status_code == 302
    assert PlannedPost.objects.get().status == PlannedPost.Status.DRAFT


def test_a_recurring_post_needs_its_rule(cast):
    mastodon = channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(mastodon, mode="recurring", frequency="")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose how often it repeats." in page
    assert "Pick the last day it may repeat." in page


def test_a_recurring_post_cannot_end_before_it_starts(cast):
    mastodon = channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/",
        compose_data(
            mastodon,
            mode="recurring",
            frequency="weekly",
            interval="1",
            scheduled_at="2030-06-10T09:00",
            ends_on="2030-06-01",
        ),
    )
    assert response.status_code == 400
    assert "The last day comes before the first time." in response.content.decode()
    assert not PlannedPost.objects.exists()


def test_it_adds_a_post_to_each_account_s_queue(cast):
    from maillage.publishing.services.queue import queue_slot_add

    mastodon = channel(cast.alice)
    bluesky = channel(cast.alice, Network.BLUESKY, "alice.bsky.social")
    queue_slot_add(mastodon, 0, time(9, 0), "America/Toronto", cast.alice)
    queue_slot_add(bluesky, 2, time(12, 0), "America/Toronto", cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/",
        compose_data(mastodon, bluesky, mode="queue", scheduled_at=""),
        follow=True,
    )
    assert "Added to the queue: first on" in response.content.decode()
    zone = ZoneInfo("America/Toronto")
    due = {d.channel.network: d.due_at.astimezone(zone) for d in Delivery.objects.all()}
    assert (due["mastodon"].weekday(), due["mastodon"].time()) == (0, time(9, 0))
    assert (due["bluesky"].weekday(), due["bluesky"].time()) == (2, time(12, 0))


def test_it_says_when_an_account_has_no_queue_slot(cast):
    mastodon = channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(mastodon, mode="queue", scheduled_at="")
    )
    assert response.status_code == 400
    assert "@alice@mastodon.example has no queue slot" in response.content.decode()
    assert not PlannedPost.objects.exists()


def test_it_plans_a_recurring_post_with_its_images_until_the_end_date(cast):
    mastodon = channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/",
        compose_data(
            mastodon,
            mode="recurring",
            frequency="weekly",
            interval="2",
            scheduled_at="2030-06-03T09:00",
            ends_on="2030-07-01",
            image_file_0=upload(),
        ),
        follow=True,
    )
    assert "3 posts planned." in response.content.decode()
    zone = ZoneInfo("America/Toronto")
    days = sorted(d.due_at.astimezone(zone).date() for d in Delivery.objects.all())
    assert days == [date(2030, 6, 3), date(2030, 6, 17), date(2030, 7, 1)]
    assert PostMedia.objects.count() == 3
    assert len(set(PostMedia.objects.values_list("file", flat=True))) == 1


def test_removing_an_image_from_one_occurrence_keeps_the_file_of_the_others(
    cast, django_capture_on_commit_callbacks
):
    mastodon = channel(cast.alice)
    client = cast.client_for(cast.alice)
    client.post(
        "/publishing/compose/",
        compose_data(
            mastodon,
            mode="recurring",
            frequency="weekly",
            scheduled_at="2030-06-03T09:00",
            ends_on="2030-06-10",
            image_file_0=upload(),
        ),
    )
    first = PlannedPost.objects.order_by("scheduled_at")[0]
    media = first.media.get()
    data = compose_data(mastodon, scheduled_at="2030-06-03T10:00")
    data[f"media_remove_{media.pk}"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/publishing/posts/{first.pk}/edit/", data).status_code == 302
    other = PostMedia.objects.get()
    assert other.planned_post_id != first.pk
    assert other.file.storage.exists(other.file.name)


def test_a_recurring_post_has_a_bounded_number_of_occurrences(cast):
    mastodon = channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/",
        compose_data(
            mastodon,
            mode="recurring",
            frequency="weekly",
            interval="1",
            scheduled_at="2030-06-03T09:00",
            ends_on="2034-06-03",
        ),
    )
    assert response.status_code == 400
    assert "A series can have at most 104 posts" in response.content.decode()
    assert not PlannedPost.objects.exists()
    assert not PostMedia.objects.exists()


def test_the_update_service_changes_nothing_once_a_delivery_is_claimed(cast):
    mastodon = channel(cast.alice)
    cast.client_for(cast.alice).post("/publishing/compose/", compose_data(mastodon))
    post = PlannedPost.objects.get()
    Delivery.objects.update(status=Delivery.Status.CLAIMED)
    with pytest.raises(PublishingError, match="already being sent or published"):
        planned_post_update(post, cast.alice, [VariantInput("mastodon", "fr", "Changé")])
    assert Delivery.objects.get().variant.text == "Bonjour Mastodon"
    post.refresh_from_db()
    assert post.status == PlannedPost.Status.SCHEDULED


def test_only_the_author_updates_or_deletes_a_post(cast):
    mastodon = channel(cast.alice)
    post = draft(cast, mastodon)
    with pytest.raises(PublishingError):
        planned_post_update(post, cast.bob, [VariantInput("mastodon", "fr", "Pirate")])
    with pytest.raises(PublishingError):
        planned_post_delete(post, cast.bob)
    assert post.variants.get().text == "Bonjour Mastodon"

"""The composer in real Chromium: an image for Mastodon only, the preview, the live counters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from maillage.presence.networks import Network
from maillage.publishing.models import Channel, PlannedPost, PostMedia
from tests.conftest import make_user
from tests.test_browser_journey import (
    browser,  # noqa: F401  (the Chromium fixture)
    signed_in_context,
)
from tests.test_publishing_compose import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def connected(owner, network: str, handle: str, **extra) -> Channel:
    item = Channel(owner=owner, network=network, external_id=handle, handle=handle, **extra)
    item.access_token = "token"
    item.save()
    return item


def test_an_image_for_mastodon_only_shows_in_its_preview_and_nowhere_else(
    live_server,
    browser,  # noqa: F811
    tmp_path,
) -> None:
    alice = make_user("alice@example.com", "Alice", "Tremblay", language="en")
    mastodon = connected(
        alice,
        Network.MASTODON,
        "@alice@mastodon.example",
        instance_url="https://mastodon.example",
        max_characters=40,
    )
    bluesky = connected(alice, Network.BLUESKY, "alice.bsky.social")
    context = signed_in_context(browser, live_server, alice, locale="en-CA")
    page = context.new_page()
    image = tmp_path / "chat.png"
    image.write_bytes(png(8, 8))

    page.goto(f"{live_server.url}/publishing/compose/")
    page.check(f"#channel-{mastodon.pk}")
    page.check(f"#channel-{bluesky.pk}")
    page.select_option(f"select[name=language_{mastodon.pk}]", "fr")
    page.select_option(f"select[name=language_{bluesky.pk}]", "fr")
    page.fill("textarea[name=text_mastodon_fr]", "Bonjour\nle monde")
    page.fill("textarea[name=text_bluesky_fr]", "Bonjour Bluesky")
    page.fill("input[name=link]", "https://example.com/a")

    # The counters count the link appended as it will go out (23 on Mastodon).
    counter = page.locator("[data-count-for=id_text_mastodon_fr]")
    expect(counter).to_have_text("41 / 40 · too long")
    page.fill("textarea[name=text_mastodon_fr]", "Bonjour\nmonde")
    expect(counter).to_have_text("38 / 40")

    page.set_input_files("input[name=image_file_0]", str(image))
    page.fill("input[name=image_alt_0]", "Un chat gris")
    page.select_option("select[name=image_network_0]", "mastodon")

    toot = page.locator("[data-preview-network=mastodon][data-preview-language=fr]")
    post = page.locator("[data-preview-network=bluesky][data-preview-language=fr]")
    expect(toot.locator("[data-preview-text]")).to_have_text(
        "Bonjour\nmonde\n\nhttps://example.com/a"
    )
    expect(toot.locator("img[data-preview-image]")).to_have_attribute("alt", "Un chat gris")
    expect(post.locator("img[data-preview-image]")).to_have_count(0)
    expect(page.get_by_test_id("image-problems")).to_be_hidden()
    # A second empty slot appears for the next image.
    expect(page.locator("input[name=image_file_1]")).to_be_visible()

    # Sending it to Bluesky, where no account is... chosen: the page says so at once.
    page.uncheck(f"#channel-{bluesky.pk}")
    page.select_option("select[name=image_network_0]", "bluesky")
    expect(page.get_by_test_id("image-problems")).to_contain_text(
        "chat.png is for Bluesky, but no Bluesky account is chosen."
    )
    page.select_option("select[name=image_network_0]", "mastodon")

    # Scheduling modes show only their own fields.
    expect(page.locator("input[name=ends_on]")).to_be_hidden()
    page.check("#mode-recurring")
    expect(page.locator("input[name=ends_on]")).to_be_visible()
    page.check("#mode-at")

    when = (timezone.localtime(timezone.now()) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    page.fill("input[name=scheduled_at]", when)
    page.click("button[name=action][value=schedule]")
    expect(page.get_by_test_id("post-status")).to_contain_text("Scheduled")
    post_row = PlannedPost.objects.get()
    assert list(PostMedia.objects.values_list("network", "description", "content_type")) == [
        ("mastodon", "Un chat gris", "image/png")
    ]
    assert post_row.deliveries.count() == 1

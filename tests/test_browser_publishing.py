"""The publishing journey in real Chromium, against the fake network.

Alice connects two Mastodon accounts (one she writes to in French, one in English) on a
loopback Mastodon server, writes a post with a French and an English text, schedules it,
drags the English delivery to the next day in the calendar, and the publish worker sends each
one when its time comes: the post page shows both published, with their links.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from maillage.publishing.models import Channel, Delivery, PlannedPost
from maillage.publishing.worker import PublishWorker, WorkerOptions
from tests.conftest import PASSWORD, make_user
from tests.fake_network import FakeNetwork
from tests.test_browser_journey import browser  # noqa: F401  (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TORONTO = ZoneInfo("America/Toronto")
FRENCH = "Nos conseils pour animer une page d'entreprise au Québec"
ENGLISH = "Our tips to keep a company page alive in Québec"


@pytest.fixture
def fake() -> Iterator[FakeNetwork]:
    with FakeNetwork() as network:
        network.add_account("token-fr", "1001", "alice", "Alice Tremblay")
        network.add_account("token-en", "1002", "alice_en", "Alice Tremblay (EN)")
        yield network


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


def connect_mastodon(page: Page, base: str, fake: FakeNetwork, token: str) -> None:
    """The channels page sends the browser to the server, which allows at once and returns."""
    fake.authorize_as = token
    page.goto(f"{base}/publishing/channels/")
    page.fill("input[name=instance]", fake.url)
    page.locator("form[action$='/channels/mastodon/'] button").click()
    expect(page).to_have_url(re.compile(r"/publishing/channels/$"))


def publish_due(delivery: Delivery) -> None:
    """Travel to one minute past the delivery's time and let a real worker run until it is
    sent (the worker takes whatever is due, as it does in production)."""
    with time_machine.travel(delivery.due_at + timedelta(minutes=1), tick=True):
        worker = PublishWorker(WorkerOptions(threads=2, poll=0.05, max_seconds=30))
        thread = threading.Thread(target=worker.run)
        thread.start()
        try:
            for _ in range(300):
                delivery.refresh_from_db()
                if delivery.status == Delivery.Status.PUBLISHED:
                    break
                threading.Event().wait(0.05)
        finally:
            worker.stop()
            thread.join(timeout=30)
    assert delivery.status == Delivery.Status.PUBLISHED


def test_a_member_connects_mastodon_plans_a_bilingual_post_moves_it_and_sees_it_published(
    live_server,
    browser,  # noqa: F811
    fake,
    settings,
) -> None:
    settings.SITE_URL = live_server.url
    base = live_server.url
    alice = make_user("alice@example.com", "Alice", "Tremblay", language="en")
    page = browser.new_page(locale="en-CA")
    log_in(page, base, alice.email)

    # Two accounts on the same server: Maillage registers itself there once.
    connect_mastodon(page, base, fake, "token-fr")
    connect_mastodon(page, base, fake, "token-en")
    channels = page.get_by_test_id("channels")
    expect(channels).to_contain_text("@alice@127.0.0.1")
    expect(channels).to_contain_text("@alice_en@127.0.0.1")
    assert fake.apps_registered == 1
    french, english = (
        Channel.objects.get(owner=alice, external_id=account) for account in ("1001", "1002")
    )

    # Tomorrow at 10:00 in her zone; the English account gets the English text.
    day = (timezone.now().astimezone(TORONTO) + timedelta(days=1)).date()
    page.goto(f"{base}/publishing/compose/")
    page.check(f"#channel-{french.pk}")
    page.check(f"#channel-{english.pk}")
    page.select_option(f"select[name=language_{french.pk}]", "fr")
    page.select_option(f"select[name=language_{english.pk}]", "en")
    page.fill("textarea[name=text_mastodon_fr]", FRENCH)
    page.fill("textarea[name=text_mastodon_en]", ENGLISH)
    # The live counter follows the instance's limit (500 on the fake server).
    expect(page.locator("[data-count-for=id_text_mastodon_en]")).to_contain_text("500")
    page.fill("input[name=scheduled_at]", f"{day.isoformat()}T10:00")
    page.click("button[name=action][value=schedule]")
    expect(page).to_have_url(re.compile(r"/publishing/posts/\d+/$"))
    post = PlannedPost.objects.get(owner=alice)
    deliveries = {d.channel_id: d for d in post.deliveries.select_related("variant")}
    assert {d.variant.language for d in deliveries.values()} == {"fr", "en"}
    due = datetime.combine(day, datetime.min.time().replace(hour=10), TORONTO)
    assert all(d.due_at == due for d in deliveries.values())

    # In the calendar, the English delivery is dragged to the next day.
    # The calendar fetches its events after the page loads: counted once they are drawn, or
    # a slow fetch would send the test to next month (a CI run failed so).
    page.goto(f"{base}/publishing/calendar/", wait_until="networkidle")
    event = page.locator(".fc-event", has_text=ENGLISH[:20])
    if event.count() == 0:
        page.click(".fc-next-button")  # tomorrow is in next month
    expect(event).to_have_count(1)
    target = page.locator(f"td.fc-day[data-date='{(day + timedelta(days=1)).isoformat()}']")
    with page.expect_response(re.compile(r"/calendar/move/\d+/$")) as moved:
        event.drag_to(target)
    assert moved.value.ok
    english_delivery = deliveries[english.pk]
    english_delivery.refresh_from_db()
    assert english_delivery.due_at == due + timedelta(days=1)
    assert english_delivery.due_at.astimezone(TORONTO).hour == 10

    # Each goes out at its own time.
    publish_due(deliveries[french.pk])
    english_delivery.refresh_from_db()
    assert english_delivery.status == Delivery.Status.SCHEDULED
    publish_due(english_delivery)
    assert [
        (p.account_id, p.text, p.language) for p in sorted(fake.posts, key=lambda p: p.account_id)
    ] == [
        ("1001", FRENCH, "fr"),
        ("1002", ENGLISH, "en"),
    ]

    page.goto(f"{base}/publishing/posts/{post.pk}/")
    for delivery in deliveries.values():
        delivery.refresh_from_db()
        row = page.locator(f"[data-delivery='{delivery.pk}']")
        expect(row).to_contain_text("Published")
        expect(row.locator(f"a[href='{delivery.external_url}']")).to_have_count(1)
        assert delivery.external_url.startswith(fake.url)

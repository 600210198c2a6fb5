"""The publishing pages: channels, compose, calendar, a post's page, the iCal feed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from maillage.connectors.http import http_transport_replaced
from maillage.presence.networks import AccountKind, Network
from maillage.publishing.forms import text_length
from maillage.publishing.ical import ical_token
from maillage.publishing.models import Channel, Delivery, PlannedPost
from maillage.publishing.services import VariantInput, planned_post_create, planned_post_schedule
from tests.fake_network import FakeNetwork
from tests.test_browser_journey import (
    browser,  # noqa: F401  (the Chromium fixture)
    signed_in_context,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast):
    """The same cast reading the pages in English, so assertions quote the msgids; the tests
    of the default language set French back."""
    for user in (cast.alice, cast.bob, cast.carol, cast.dave):
        user.language = "en"
        user.save(update_fields=["language"])
    return cast


def french(user) -> None:
    user.language = "fr"
    user.save(update_fields=["language"])


@pytest.fixture
def fake(settings) -> Iterator[FakeNetwork]:
    settings.SITE_URL = "http://testserver"
    with FakeNetwork() as network:
        yield network


def mastodon_channel(owner, handle: str = "@alice@mastodon.example", **extra) -> Channel:
    channel = Channel(
        owner=owner,
        network=Network.MASTODON,
        external_id=handle,
        handle=handle,
        instance_url="https://mastodon.example",
        **extra,
    )
    channel.access_token = "token"
    channel.save()
    return channel


# --- Channels ------------------------------------------------------------------------------


def test_it_lists_the_users_channels_with_their_status(cast):
    mastodon_channel(cast.alice)
    mastodon_channel(cast.alice, "@alice@other.example", status=Channel.Status.NEEDS_RECONNECT)
    mastodon_channel(cast.bob, "@bob@mastodon.example")
    french(cast.alice)
    response = cast.client_for(cast.alice).get("/publishing/channels/")
    page = response.content.decode()
    assert response.status_code == 200
    # French by default.
    assert 'lang="fr-CA"' in page
    assert "Comptes où publier" in page
    assert "@alice@mastodon.example" in page and "@alice@other.example" in page
    assert "@bob@mastodon.example" not in page
    assert page.count('data-status="active"') == 1
    assert page.count('data-status="needs_reconnect"') == 1


def test_it_shows_pages_shared_with_my_circles(cast):
    page = mastodon_channel(
        cast.bob, "Boulangerie Gagnon", kind=AccountKind.PAGE, shared_with_circle=cast.circle
    )
    body = cast.client_for(cast.alice).get("/publishing/channels/").content.decode()
    assert page.handle in body


def test_it_connects_a_mastodon_account_through_oauth(cast, fake):
    fake.add_account("tok-alice", "42", "alice", "Alice Tremblay")
    fake.codes["the-code"] = "tok-alice"
    fake.max_characters = 1000
    client = cast.client_for(cast.alice)
    response = client.post("/publishing/channels/mastodon/", {"instance": fake.url})
    assert response.status_code == 302
    authorize = urlsplit(response["Location"])
    assert response["Location"].startswith(f"{fake.url}/oauth/authorize?")
    query = parse_qs(authorize.query)
    assert query["redirect_uri"] == ["http://testserver/publishing/channels/mastodon/callback/"]
    state = query["state"][0]
    back = client.get(
        "/publishing/channels/mastodon/callback/", {"state": state, "code": "the-code"}
    )
    assert back.status_code == 302
    channel = Channel.objects.get(owner=cast.alice)
    assert channel.handle == "@alice@127.0.0.1"
    assert channel.max_characters == 1000
    assert channel.access_token == "tok-alice"
    page = client.get("/publishing/channels/").content.decode()
    assert "@alice@127.0.0.1 is connected." in page


def test_it_refuses_a_callback_with_an_unknown_state(cast, fake):
    client = cast.client_for(cast.alice)
    response = client.get(
        "/publishing/channels/mastodon/callback/", {"state": "forged", "code": "x"}
    )
    assert response.status_code == 302
    assert not Channel.objects.exists()


def test_it_says_when_the_instance_is_unreachable(cast, settings):
    settings.SITE_URL = "http://testserver"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    with http_transport_replaced(httpx.MockTransport(refuse)):
        response = cast.client_for(cast.alice).post(
            "/publishing/channels/mastodon/", {"instance": "nowhere.example"}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "Maillage could not reach nowhere.example (Could not reach the network: ConnectError: "
        "Name or "
        "service not known): check the address, or try again later if the server is down."
    ) in page


def test_it_reconnects_a_channel_through_its_instance(cast, fake):
    channel = mastodon_channel(cast.alice, status=Channel.Status.NEEDS_RECONNECT)
    Channel.objects.filter(pk=channel.pk).update(instance_url=fake.url)
    response = cast.client_for(cast.alice).post(f"/publishing/channels/{channel.pk}/reconnect/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"{fake.url}/oauth/authorize?")


def test_it_disconnects_a_channel_and_forgets_its_token(cast):
    channel = mastodon_channel(cast.alice)
    response = cast.client_for(cast.alice).post(f"/publishing/channels/{channel.pk}/disconnect/")
    assert response.status_code == 302
    channel.refresh_from_db()
    assert channel.status == Channel.Status.NEEDS_RECONNECT
    assert channel.access_token_encrypted == ""


def test_it_hides_someone_elses_channel(cast):
    channel = mastodon_channel(cast.bob, "@bob@mastodon.example")
    client = cast.client_for(cast.alice)
    assert client.post(f"/publishing/channels/{channel.pk}/disconnect/").status_code == 404
    assert client.post(f"/publishing/channels/{channel.pk}/reconnect/").status_code == 404
    channel.refresh_from_db()
    assert channel.status == Channel.Status.ACTIVE


# --- Compose -------------------------------------------------------------------------------


def compose_data(channel: Channel, **extra) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channels": str(channel.pk),
        f"language_{channel.pk}": "fr",
        "text_mastodon_fr": "Bonjour le monde",
        "link": "",
        "scheduled_at": (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "action": "schedule",
    }
    data.update(extra)
    return data


def test_it_offers_my_channels_and_pages_shared_with_my_circles(cast):
    mine = mastodon_channel(cast.alice)
    shared = mastodon_channel(
        cast.bob, "Boulangerie Gagnon", kind=AccountKind.PAGE, shared_with_circle=cast.circle
    )
    private = mastodon_channel(cast.bob, "@bob@mastodon.example")
    page = cast.client_for(cast.alice).get("/publishing/compose/").content.decode()
    assert f'value="{mine.pk}"' in page
    assert f'value="{shared.pk}"' in page
    assert f'value="{private.pk}"' not in page
    assert 'data-limit="500"' in page


def test_it_schedules_a_post_in_the_users_time_zone(cast):
    channel = mastodon_channel(cast.alice)
    cast.alice.time_zone = "America/Vancouver"
    cast.alice.save()
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/",
        compose_data(
            channel,
            scheduled_at="2030-06-01T09:30",
            text_mastodon_en="Hello world",
            link="https://example.com/a",
        ),
    )
    assert response.status_code == 302
    post = PlannedPost.objects.get(owner=cast.alice)
    assert post.status == PlannedPost.Status.SCHEDULED
    assert post.scheduled_at == datetime(2030, 6, 1, 16, 30, tzinfo=UTC)
    delivery = Delivery.objects.get(planned_post=post)
    assert delivery.channel == channel
    assert delivery.variant.language == "fr"
    assert delivery.variant.outgoing_text == "Bonjour le monde\n\nhttps://example.com/a"
    assert response["Location"] == f"/publishing/posts/{post.pk}/"


def test_it_sends_each_language_to_its_own_channel(cast):
    french = mastodon_channel(cast.alice)
    english = mastodon_channel(cast.alice, "@alice@en.example")
    data = compose_data(french, text_mastodon_en="Hello world")
    data["channels"] = [str(french.pk), str(english.pk)]
    data[f"language_{english.pk}"] = "en"
    assert cast.client_for(cast.alice).post("/publishing/compose/", data).status_code == 302
    languages = dict(Delivery.objects.values_list("channel__handle", "variant__language"))
    assert languages == {"@alice@mastodon.example": "fr", "@alice@en.example": "en"}


def test_it_saves_a_draft_without_a_date(cast):
    channel = mastodon_channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(channel, scheduled_at="", action="draft")
    )
    assert response.status_code == 302
    post = PlannedPost.objects.get()
    assert post.status == PlannedPost.Status.DRAFT
    assert not Delivery.objects.exists()
    assert post.variants.get().text == "Bonjour le monde"


def test_it_refuses_a_post_without_a_channel(cast):
    channel = mastodon_channel(cast.alice)
    data = compose_data(channel)
    del data["channels"]
    response = cast.client_for(cast.alice).post("/publishing/compose/", data)
    assert response.status_code == 400
    assert "Choose at least one account to publish to." in response.content.decode()
    assert not PlannedPost.objects.exists()


def test_it_refuses_a_text_too_long_for_the_instance(cast):
    channel = mastodon_channel(cast.alice, max_characters=100)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(channel, text_mastodon_fr="a" * 101)
    )
    assert response.status_code == 400
    assert "Too long for @alice@mastodon.example: 101 characters, 100 at most." in (
        response.content.decode()
    )
    assert not PlannedPost.objects.exists()


def test_it_counts_links_as_23_on_x_and_graphemes_on_bluesky():
    assert (
        text_length("x", "a" * 250 + " https://example.com/ " + "b" * 20) == 250 + 1 + 23 + 1 + 20
    )
    assert text_length("x", "日本") == 4
    assert text_length("bluesky", "e\u0301" * 300) == 300
    assert text_length("linkedin", "a" * 3000) == 3000


def test_it_refuses_a_past_date(cast):
    channel = mastodon_channel(cast.alice)
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(channel, scheduled_at="2020-01-01T10:00")
    )
    assert response.status_code == 400
    assert "This time is already past: pick a time to come." in response.content.decode()


def test_it_requires_the_text_of_the_chosen_language(cast):
    channel = mastodon_channel(cast.alice)
    data = compose_data(channel)
    data[f"language_{channel.pk}"] = "en"
    response = cast.client_for(cast.alice).post("/publishing/compose/", data)
    assert response.status_code == 400
    # The language's name is translated inside the request.
    assert "text for Mastodon: @alice@mastodon.example expects it." in response.content.decode()


def test_it_warns_when_the_token_expires_before_the_post(cast):
    channel = mastodon_channel(cast.alice, token_expires_at=timezone.now() + timedelta(days=1))
    response = cast.client_for(cast.alice).post(
        "/publishing/compose/", compose_data(channel), follow=True
    )
    page = response.content.decode()
    assert "The access to @alice@mastodon.example expires on" in page
    assert Delivery.objects.count() == 1


# --- A post's page -------------------------------------------------------------------------


def scheduled(owner, channel: Channel, when: datetime, status: str = "scheduled") -> Delivery:
    post = planned_post_create(owner, [VariantInput("mastodon", "fr", "Bonjour")])
    [delivery] = planned_post_schedule(post, when, [(channel, post.variants.get())])
    if status != "scheduled":
        Delivery.objects.filter(pk=delivery.pk).update(
            status=status, external_url="https://mastodon.example/@alice/1"
        )
        delivery.refresh_from_db()
    return delivery


def test_it_shows_a_post_with_its_deliveries_to_its_owner_only(cast):
    channel = mastodon_channel(cast.alice)
    delivery = scheduled(cast.alice, channel, timezone.now() - timedelta(hours=1), "missed")
    url = f"/publishing/posts/{delivery.planned_post_id}/"
    page = cast.client_for(cast.alice).get(url).content.decode()
    assert 'data-status="missed"' in page
    assert "https://mastodon.example/@alice/1" in page
    assert f"/publishing/deliveries/{delivery.pk}/publish-now/" in page
    assert cast.client_for(cast.bob).get(url).status_code == 404


def test_it_publishes_a_missed_delivery_now(cast):
    channel = mastodon_channel(cast.alice)
    delivery = scheduled(cast.alice, channel, timezone.now() - timedelta(hours=1), "missed")
    client = cast.client_for(cast.alice)
    assert client.post(f"/publishing/deliveries/{delivery.pk}/publish-now/").status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SCHEDULED
    assert (
        cast.client_for(cast.bob)
        .post(f"/publishing/deliveries/{delivery.pk}/publish-now/")
        .status_code
        == 404
    )


# --- Calendar ------------------------------------------------------------------------------


def test_it_feeds_the_calendar_with_my_deliveries_only(cast):
    mine = scheduled(cast.alice, mastodon_channel(cast.alice), datetime(2030, 6, 1, tzinfo=UTC))
    scheduled(
        cast.bob, mastodon_channel(cast.bob, "@bob@m.example"), datetime(2030, 6, 2, tzinfo=UTC)
    )
    client = cast.client_for(cast.alice)
    assert client.get("/publishing/calendar/").status_code == 200
    events = client.get(
        "/publishing/calendar/events/",
        {"start": "2030-05-01T00:00:00Z", "end": "2030-06-01T00:00:00Z"},
    ).json()
    assert [event["id"] for event in events] == [str(mine.pk)]
    # Alice's wall-clock time in Toronto, without offset (FullCalendar runs in UTC).
    assert events[0]["start"] == "2030-05-31T20:00:00"
    assert events[0]["color"] == "#6364ff"
    assert events[0]["title"].startswith("Mastodon · ")
    assert events[0]["classNames"] == ["is-scheduled"]
    assert events[0]["url"] == f"/publishing/posts/{mine.planned_post_id}/"
    outside = client.get("/publishing/calendar/events/", {"start": "2030-07-01T00:00:00Z"}).json()
    assert outside == []


def _empty_calendar_hint(client) -> str | None:
    page = client.get("/publishing/calendar/").content.decode()
    start = page.find('data-testid="calendar-empty"')
    return None if start < 0 else page[start : page.index("</div>", start)]


def test_an_empty_calendar_says_where_to_start(cast):
    client = cast.client_for(cast.alice)

    hint = _empty_calendar_hint(client)
    assert hint is not None and 'href="/publishing/channels/"' in hint

    channel = mastodon_channel(cast.alice)
    hint = _empty_calendar_hint(client)
    assert hint is not None and 'href="/publishing/compose/"' in hint

    scheduled(cast.alice, channel, datetime(2030, 6, 1, tzinfo=UTC))
    assert _empty_calendar_hint(client) is None


def test_it_reschedules_by_drag_and_drop(cast):
    delivery = scheduled(cast.alice, mastodon_channel(cast.alice), datetime(2030, 6, 1, tzinfo=UTC))
    response = cast.client_for(cast.alice).post(
        f"/publishing/calendar/move/{delivery.pk}/", {"start": "2030-06-03T10:00:00"}
    )
    assert response.status_code == 200
    assert response.json()["start"] == "2030-06-03T10:00:00"
    delivery.refresh_from_db()
    assert delivery.due_at == datetime(2030, 6, 3, 14, tzinfo=UTC)


def test_it_refuses_to_move_a_published_post(cast):
    delivery = scheduled(
        cast.alice, mastodon_channel(cast.alice), datetime(2030, 6, 1, tzinfo=UTC), "published"
    )
    response = cast.client_for(cast.alice).post(
        f"/publishing/calendar/move/{delivery.pk}/", {"start": "2030-06-03T14:00:00Z"}
    )
    assert response.status_code == 409
    assert response.json() == {"error": "This post is already published: it cannot move."}
    delivery.refresh_from_db()
    assert delivery.due_at == datetime(2030, 6, 1, tzinfo=UTC)


def test_it_refuses_to_move_someone_elses_post(cast):
    delivery = scheduled(cast.bob, mastodon_channel(cast.bob), datetime(2030, 6, 1, tzinfo=UTC))
    response = cast.client_for(cast.alice).post(
        f"/publishing/calendar/move/{delivery.pk}/", {"start": "2030-06-03T14:00:00Z"}
    )
    assert response.status_code == 404


# --- iCal ----------------------------------------------------------------------------------


def test_it_serves_my_private_ical_feed(cast, settings):
    settings.SITE_URL = "https://maillage.example"
    french(cast.alice)
    delivery = scheduled(
        cast.alice, mastodon_channel(cast.alice), datetime(2030, 6, 1, 14, tzinfo=UTC)
    )
    scheduled(cast.bob, mastodon_channel(cast.bob, "@bob@m.example"), timezone.now())
    page = cast.client_for(cast.alice).get("/publishing/calendar/").content.decode()
    token = ical_token(cast.alice)
    assert f"https://maillage.example/publishing/ical/{token}.ics" in page
    response = Client().get(f"/publishing/ical/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    feed = Calendar.from_ical(response.content)
    events = list(feed.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["uid"]) == f"delivery-{delivery.pk}@maillage.example"
    assert event.decoded("dtstart") == datetime(2030, 6, 1, 14, tzinfo=UTC)
    # The feed speaks its owner's language (French): the status leads the description.
    assert str(event["description"]) == "Planifiée\n\nBonjour"
    assert str(event["summary"]) == "Mastodon @alice@mastodon.example: Bonjour"
    assert str(event["url"]) == (
        f"https://maillage.example/publishing/posts/{delivery.planned_post_id}/"
    )


def test_it_refuses_a_wrong_or_outdated_ical_address(cast):
    token = ical_token(cast.alice)
    assert Client().get(f"/publishing/ical/{token[:-1]}x.ics").status_code == 404
    assert Client().get(f"/publishing/ical/{cast.bob.pk}{token[1:]}.ics").status_code == 404
    cast.alice.set_password("a whole new secret phrase")
    cast.alice.save()
    assert Client().get(f"/publishing/ical/{token}.ics").status_code == 404
    fresh = ical_token(cast.alice)
    assert fresh != token
    assert Client().get(f"/publishing/ical/{fresh}.ics").status_code == 200


def test_a_new_ical_address_stops_the_old_one_at_once(cast, settings):
    settings.SITE_URL = "https://maillage.example"
    client = cast.client_for(cast.alice)
    old = ical_token(cast.alice)
    bobs = ical_token(cast.bob)
    response = client.post("/publishing/ical/renew/", follow=True)
    new = ical_token(cast.alice)
    assert new != old
    assert f"https://maillage.example/publishing/ical/{new}.ics" in response.content.decode()
    assert Client().get(f"/publishing/ical/{old}.ics").status_code == 404
    assert Client().get(f"/publishing/ical/{new}.ics").status_code == 200
    # Someone else's address does not move; asking again draws yet another one.
    assert ical_token(cast.bob) == bobs
    client.post("/publishing/ical/renew/")
    assert ical_token(cast.alice) not in (old, new)
    assert client.get("/publishing/ical/renew/").status_code == 405


def test_it_refuses_to_drop_a_post_in_the_past(cast):
    delivery = scheduled(cast.alice, mastodon_channel(cast.alice), datetime(2030, 6, 1, tzinfo=UTC))
    response = cast.client_for(cast.alice).post(
        f"/publishing/calendar/move/{delivery.pk}/", {"start": "2020-06-03T10:00:00"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "This time is already past: pick a time to come."}


# --- In Chromium ---------------------------------------------------------------------------


def signed_in_page(chromium: Any, live_server: Any, user: Any) -> Any:
    return signed_in_context(chromium, live_server, user, locale="fr-CA").new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_counts_and_drags_in_the_browser(cast, live_server, browser):  # noqa: F811
    channel = mastodon_channel(cast.alice, max_characters=20)
    now = timezone.localtime(timezone.now(), ZoneInfo(cast.alice.time_zone))
    # Mid-month, at noon, so the next day is in the same month view.
    due = now.replace(day=14, hour=12, minute=0, second=0, microsecond=0)
    if due <= now:
        due = (due + timedelta(days=40)).replace(day=14)
    delivery = scheduled(cast.alice, channel, due)
    page = signed_in_page(browser, live_server, cast.alice)

    page.goto(f"{live_server.url}/publishing/compose/")
    page.check(f"#channel-{channel.pk}")
    page.fill("#id_text_mastodon_fr", "Bonjour " * 3)
    counter = page.locator("[data-count-for=id_text_mastodon_fr]")
    assert counter.inner_text().startswith("24 / 20")
    # A link counts 23 whatever its length.
    page.fill("#id_text_mastodon_fr", "https://example.com/" + "x" * 50 + " ok")
    assert counter.inner_text().startswith("26 / 20")

    page.goto(f"{live_server.url}/publishing/calendar/")
    if due.month != now.month:
        page.click(".fc-next-button")
    event = page.locator(".fc-event", has_text="Bonjour")
    event.wait_for()
    target = page.locator(f'td[data-date="{(due + timedelta(days=1)).date().isoformat()}"]')
    event.drag_to(target)
    page.wait_for_function("() => true")
    for _attempt in range(50):
        delivery.refresh_from_db()
        if delivery.due_at != due:
            break
        page.wait_for_timeout(100)
    assert delivery.due_at == due + timedelta(days=1)


def test_the_composer_sends_a_member_without_accounts_to_connect_one(cast):
    page = cast.client_for(cast.carol).get("/publishing/compose/").content.decode()
    assert "Connect an account first." in page
    assert 'data-testid="compose"' not in page


# --- Connecting Bluesky with an app password ---------------------------------------------


def test_it_connects_a_bluesky_account_with_an_app_password(cast, fake, settings):
    settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "bluesky": fake.url}
    fake.add_account("jwt-alice", "did:plc:alice", "alice.bsky.social")
    fake.app_passwords["alice.bsky.social"] = "abcd-efgh-ijkl-mnop"
    client = cast.client_for(cast.alice)

    response = client.post(
        "/publishing/channels/bluesky/",
        {"handle": "@alice.bsky.social", "app_password": "abcd-efgh-ijkl-mnop"},
        follow=True,
    )

    assert "@alice.bsky.social is connected." in response.content.decode()
    channel = Channel.objects.get(owner=cast.alice, network="bluesky")
    assert (channel.external_id, channel.handle) == ("did:plc:alice", "@alice.bsky.social")
    assert channel.access_token == "jwt-alice"
    assert channel.refresh_token and channel.token_expires_at is None
    # The app password itself is never kept.
    assert "abcd-efgh" not in str(Channel.objects.values().get(pk=channel.pk))


def test_it_says_what_to_do_when_bluesky_refuses_the_app_password(cast, fake, settings):
    settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "bluesky": fake.url}
    fake.add_account("jwt-alice", "did:plc:alice", "alice.bsky.social")
    fake.app_passwords["alice.bsky.social"] = "right-one"
    response = cast.client_for(cast.alice).post(
        "/publishing/channels/bluesky/",
        {"handle": "alice.bsky.social", "app_password": "wrong-one"},
    )
    assert response.status_code == 400
    assert "Bluesky refused this handle and app password" in response.content.decode()
    assert not Channel.objects.filter(network="bluesky").exists()


# --- Connecting X (OAuth 2.0 with PKCE) ----------------------------------------------------


def test_it_connects_an_x_account_with_pkce(cast, fake, settings):
    settings.X_CLIENT_ID = "maillage-client"
    settings.X_CLIENT_SECRET = ""
    settings.CONNECTOR_BASE_URLS = {**settings.CONNECTOR_BASE_URLS, "x": fake.url}
    fake.add_account("x-token-alice", "1001", "alice_ventes", "Alice Tremblay")
    fake.codes["x-code"] = "x-token-alice"
    client = cast.client_for(cast.alice)

    start = client.post("/publishing/channels/x/")
    assert start.status_code == 302
    location = start["Location"]
    assert location.startswith("https://x.com/i/oauth2/authorize?")
    assert "code_challenge_method=S256" in location and "client_id=maillage-client" in location
    assert "redirect_uri=http%3A%2F%2Ftestserver%2Fpublishing%2Fchannels%2Fx%2Fcallback%2F" in (
        location
    )
    state = location.split("state=")[1].split("&")[0]

    done = client.get(f"/publishing/channels/x/callback/?state={state}&code=x-code", follow=True)

    assert "@alice_ventes is connected." in done.content.decode()
    channel = Channel.objects.get(owner=cast.alice, network="x")
    assert (channel.external_id, channel.handle) == ("1001", "@alice_ventes")
    assert channel.access_token == "x-token-alice"
    assert channel.refresh_token == "refresh-x-token-alice"
    # The state is spent: replaying the callback does nothing more.
    again = client.get(f"/publishing/channels/x/callback/?state={state}&code=x-code", follow=True)
    assert "This connection link expired" in again.content.decode()


def test_it_says_x_needs_the_administrators_application(cast, settings):
    settings.X_CLIENT_ID = ""
    response = cast.client_for(cast.alice).post("/publishing/channels/x/", follow=True)
    assert "Connecting X needs an X application" in response.content.decode()
    assert "MAILLAGE_X_CLIENT_ID" in response.content.decode()


def _paused_warning(client, path: str) -> bool:
    return 'data-testid="publishing-paused"' in client.get(path).content.decode()


def test_it_warns_that_scheduled_posts_wait_while_no_publish_worker_runs(cast):
    from maillage.publishing.services.workers import worker_heartbeat

    client = cast.client_for(cast.alice)
    delivery = scheduled(cast.alice, mastodon_channel(cast.alice), datetime(2030, 6, 1, tzinfo=UTC))
    post_page = f"/publishing/posts/{delivery.planned_post_id}/"

    # No worker has ever run: both pages where scheduled posts show say so.
    assert _paused_warning(client, "/publishing/calendar/")
    assert _paused_warning(client, post_page)
    page = client.get("/publishing/calendar/").content.decode()
    assert "one more than 60 minutes late is marked missed" in page

    # A worker beating now: nothing to say.
    worker_heartbeat("worker-1", "host", 123)
    assert not _paused_warning(client, "/publishing/calendar/")

    # Its last sign of life three minutes ago: stopped, the warning is back.
    from maillage.publishing.models import PublishWorker

    PublishWorker.objects.update(seen_at=timezone.now() - timedelta(minutes=3))
    assert _paused_warning(client, "/publishing/calendar/")

    # Nothing waiting (published): no warning, whatever the worker.
    Delivery.objects.update(status=Delivery.Status.PUBLISHED)
    assert not _paused_warning(client, "/publishing/calendar/")
    # And someone else's waiting post is not this user's concern.
    scheduled(
        cast.bob,
        mastodon_channel(cast.bob, "@bob@mastodon.example"),
        datetime(2030, 6, 1, tzinfo=UTC),
    )
    assert not _paused_warning(client, "/publishing/calendar/")


def test_the_paused_warning_reads_in_french(cast):
    french(cast.alice)
    scheduled(cast.alice, mastodon_channel(cast.alice), datetime(2030, 6, 1, tzinfo=UTC))
    page = cast.client_for(cast.alice).get("/publishing/calendar/").content.decode()
    assert "Vos publications planifiées ne partent pas." in page

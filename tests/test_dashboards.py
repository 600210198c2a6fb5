"""The personal and circle presence dashboards, their JSON chart data and who may see them."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Membership, User
from maillage.imports.models import ImportRun
from maillage.presence.models import Interaction, Post, SocialAccount
from maillage.presence.services import presence_recompute
from tests.conftest import make_user

# Wednesday 25 November 2026, 10:00 in Montréal.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
THIS_WEEK = date(2026, 11, 23)
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def english(cast):
    """Every named user reads English, so assertions read the msgids whatever the catalogs say."""
    User.objects.update(language="en")
    for user in (cast.alice, cast.bob, cast.carol, cast.dave):
        user.refresh_from_db()
    return cast


def account(owner: User) -> SocialAccount:
    found, _ = SocialAccount.objects.get_or_create(
        owner=owner, network="linkedin", handle=f"https://www.linkedin.com/in/u{owner.pk}"
    )
    return found


def add_post(owner: User, at: datetime, text: str = "") -> Post:
    return Post.objects.create(
        owner=owner,
        account=account(owner),
        network="linkedin",
        key=f"p{next(_keys)}",
        published_at=at,
        text=text or f"Billet du {at:%Y-%m-%d %H:%M}",
    )


def add_comments(owner: User, at: datetime, count: int) -> None:
    for _ in range(count):
        Interaction.objects.create(
            owner=owner,
            account=account(owner),
            network="linkedin",
            key=f"i{next(_keys)}",
            kind=Interaction.Kind.COMMENT,
            occurred_at=at,
        )


# --- home and personal dashboard -------------------------------------------------------------


def test_it_sends_a_visitor_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login")
    response = client.get(reverse("presence:dashboard"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_sends_a_newcomer_home_to_the_import_guide(english):
    response = english.client_for(english.bob).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:list")


def test_it_sends_a_signed_in_user_home_to_the_dashboard(english):
    ImportRun.objects.create(owner=english.bob, kind="linkedin", source_name="export.zip")
    response = english.client_for(english.bob).get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("presence:dashboard")
    assert english.client_for(english.bob).get(response["Location"]).status_code == 200


def test_it_explains_how_to_import_when_there_is_no_data(english):
    response = english.client_for(english.bob).get(reverse("presence:dashboard"))
    page = response.content.decode()
    assert 'data-testid="presence-empty"' in page
    assert f'href="{reverse("imports:list")}"' in page
    assert "Import my LinkedIn data" in page
    assert "presence-score" not in page  # no discouraging zero before any import
    assert "posting regularity" in page  # what will be measured, signal by signal


def test_it_shows_the_index_pillars_signals_action_and_status(english):
    bob = english.bob
    profile = account(bob)
    profile.headline = "Directeur des ventes"
    profile.save()
    add_post(bob, datetime(2026, 11, 24, 14, 0, tzinfo=UTC), "Cinq leçons de prospection")
    add_comments(bob, datetime(2026, 11, 17, 14, 0, tzinfo=UTC), 3)

    response = english.client_for(bob).get(reverse("presence:dashboard"))
    page = response.content.decode()
    assert 'data-testid="presence-empty"' not in page
    # 1 profile field (1) + 1 posting week (10 × 1/8 = 1.25) + 1 post (4 × 1/12 = 0.33)
    # + 3 comments (8 × 3/24 = 1) + 2 active weeks (8 × 2/10 = 1.6) = 5.18 -> 5.2
    assert '<p class="display-3 fw-bold mb-0" data-testid="presence-score">5.2</p>' in page
    assert 'data-testid="pillar-brand">2.6 / 25' in page
    assert 'data-testid="pillar-engagement">2.6 / 25' in page
    assert "Posting regularity" in page
    assert "Weeks with at least one original post in the last 12" in page
    assert 'data-testid="presence-status">Active<' in page
    assert 'data-testid="next-action">' in page
    assert "Cinq leçons de prospection" in page


def test_it_lists_ten_recent_posts_and_offers_to_see_more(english):
    for n in range(12):
        add_post(english.bob, NOW - timedelta(days=n, hours=1), f"Billet numéro {n:02d}")
    client = english.client_for(english.bob)
    first = client.get(reverse("presence:dashboard")).content.decode()
    assert "Billet numéro 00" in first
    assert "Billet numéro 09" in first
    assert "Billet numéro 10" not in first
    assert "See more" in first
    second = client.get(reverse("presence:dashboard"), {"page": 2}).content.decode()
    assert "Billet numéro 11" in second
    assert "Billet numéro 00" not in second


def test_it_shows_the_first_page_when_the_page_number_is_not_a_number(english):
    add_post(english.bob, NOW - timedelta(days=1), "Premier billet")
    response = english.client_for(english.bob).get(reverse("presence:dashboard"), {"page": "x"})
    assert response.status_code == 200
    assert "Premier billet" in response.content.decode()


def test_it_never_shows_another_users_posts(english):
    add_post(english.carol, NOW - timedelta(days=1), "Le secret de Carol")
    page = english.client_for(english.bob).get(reverse("presence:dashboard")).content.decode()
    assert "Le secret de Carol" not in page


def test_it_serves_the_personal_chart_data_as_json(english):
    add_post(english.bob, datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    add_comments(english.bob, datetime(2026, 11, 24, 15, 0, tzinfo=UTC), 2)
    data = english.client_for(english.bob).get(reverse("presence:me_json")).json()
    assert data["week"] == "2026-11-23"
    assert len(data["trend"]["labels"]) == 26
    assert data["trend"]["labels"][-1] == "2026-11-23"
    assert data["trend"]["score"][-1] == data["score"]
    assert data["trend"]["status"][-1] == "active"
    assert data["next_action"]["gain"] > 0
    assert data["next_action"]["message"]
    by_day = {day["date"]: day["count"] for day in data["heatmap"]}
    assert by_day["2026-11-24"] == 3
    assert max(by_day) == "2026-11-25"  # nothing after today
    assert len(by_day) == 51 * 7 + 3


def test_it_requires_login_for_the_json(client):
    response = client.get(reverse("presence:me_json"))
    assert response.status_code == 302


# --- circle dashboard ------------------------------------------------------------------------


@pytest.fixture
def busy_circle(english):
    """Bob posted this week; Eve (shared, anonymous) commented 3 weeks ago; Carol keeps hers."""
    add_post(english.bob, datetime(2026, 11, 24, 14, 0, tzinfo=UTC))
    eve = make_user("eve@example.com", "Eve", "Lavoie", language="en")
    Membership.objects.create(circle=english.circle, user=eve, share_index=True, show_name=False)
    add_comments(eve, datetime(2026, 11, 4, 14, 0, tzinfo=UTC), 1)
    add_post(english.carol, datetime(2026, 11, 24, 14, 0, tzinfo=UTC), "Billet de Carol")
    for user in (english.alice, english.bob, english.carol, eve):
        presence_recompute(user)
    return english


def test_it_shows_the_animator_each_shared_members_status(busy_circle):
    url = reverse("presence:circle", kwargs={"pk": busy_circle.circle.pk})
    response = busy_circle.client_for(busy_circle.alice).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    # Alice (inactive), Bob (active) and Eve (occasional) share; Carol does not.
    assert "67% of shared members are occasional or inactive this week" in page
    assert "Bob Gagnon" in page
    assert "Anonymous member 1" in page
    assert 'data-testid="count-active">1<' in page
    assert 'data-testid="count-occasional">1<' in page
    assert 'data-testid="count-inactive">1<' in page
    assert 'data-testid="count-not-shared">1<' in page
    assert '"occasional": "Occasional"' in page  # chart legends come translated from the page


def test_it_never_names_or_scores_members_who_do_not_share(busy_circle):
    url = reverse("presence:circle", kwargs={"pk": busy_circle.circle.pk})
    page = busy_circle.client_for(busy_circle.alice).get(url).content.decode()
    assert "Carol" not in page
    assert "Eve" not in page
    assert "eve@example.com" not in page
    data = busy_circle.client_for(busy_circle.alice).get(url.rstrip("/") + ".json").json()
    names = [member["name"] for member in data["members"]]
    assert "Carol Roy" not in names
    assert len(data["members"]) == 3
    assert data["not_shared"] == 1


def test_it_lets_a_sharing_member_see_the_circle(busy_circle):
    url = reverse("presence:circle", kwargs={"pk": busy_circle.circle.pk})
    assert busy_circle.client_for(busy_circle.bob).get(url).status_code == 200


def test_it_serves_the_circle_chart_data_as_json(busy_circle):
    url = reverse("presence:circle_json", kwargs={"pk": busy_circle.circle.pk})
    data = busy_circle.client_for(busy_circle.bob).get(url).json()
    assert data["week"] == "2026-11-23"
    assert data["counts"] == {"active": 1, "occasional": 1, "inactive": 1}
    assert data["occasional_or_inactive_percent"] == 67
    assert len(data["status_trend"]["labels"]) == 12
    assert data["status_trend"]["active"][-1] == 1
    assert data["status_trend"]["occasional"][-3] == 1  # Eve's comment week
    assert sum(data["histogram"]["counts"]) == 3
    assert data["histogram"]["labels"][0] == "0-9"
    assert data["histogram"]["labels"][-1] == "90-100"
    assert set(data["pillars"]) == {"brand", "audience", "engagement", "relationships"}


def test_it_refuses_a_member_who_does_not_share_and_says_how_to_get_access(busy_circle):
    url = reverse("presence:circle", kwargs={"pk": busy_circle.circle.pk})
    response = busy_circle.client_for(busy_circle.carol).get(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert "share your index with this circle" in page
    assert reverse("circles:consent", kwargs={"pk": busy_circle.circle.pk}) in page
    assert "Bob Gagnon" not in page
    assert "occasional or inactive this week" not in page


def test_it_refuses_the_json_to_a_member_who_does_not_share(busy_circle):
    url = reverse("presence:circle_json", kwargs={"pk": busy_circle.circle.pk})
    response = busy_circle.client_for(busy_circle.carol).get(url)
    assert response.status_code == 403
    data = response.json()
    assert set(data) == {"error"}
    assert "share your index" in data["error"]


def test_it_hides_the_circle_from_non_members(busy_circle):
    page_url = reverse("presence:circle", kwargs={"pk": busy_circle.circle.pk})
    json_url = reverse("presence:circle_json", kwargs={"pk": busy_circle.circle.pk})
    client = busy_circle.client_for(busy_circle.dave)
    page = client.get(page_url)
    assert page.status_code == 404
    assert "Bob Gagnon" not in page.content.decode()
    response = client.get(json_url)
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_it_lets_the_animator_in_even_without_sharing(busy_circle):
    Membership.objects.filter(user=busy_circle.alice).update(share_index=False)
    url = reverse("presence:circle_json", kwargs={"pk": busy_circle.circle.pk})
    data = busy_circle.client_for(busy_circle.alice).get(url).json()
    assert data["not_shared"] == 2
    assert data["counts"] == {"active": 1, "occasional": 1, "inactive": 0}


def test_it_writes_the_week_as_each_language_does():
    from django.utils import translation

    from maillage.presence.templatetags.presence_tags import long_date

    with translation.override("fr"):
        assert long_date(date(2026, 12, 1)) == "1er décembre 2026"
        assert long_date(date(2026, 11, 23)) == "23 novembre 2026"
    with translation.override("en"):
        assert long_date(date(2026, 12, 1)) == "Dec. 1, 2026"


@pytest.mark.django_db
def test_every_page_names_its_icon_and_favicon_ico_leads_to_it(client):
    page = client.get("/accounts/login/")
    icon = client.get("/favicon.ico")

    assert b'rel="icon" href="/static/maillage/icon.svg"' in page.content
    assert icon.status_code == 301
    assert icon["Location"] == "/static/maillage/icon.svg"

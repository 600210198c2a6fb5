"""On a phone (360 px), no page of the daily loop is wider than the screen."""

from __future__ import annotations

import pytest

from maillage.accounts.models import Circle, User
from maillage.demo.plan import ANIMATOR_EMAIL
from maillage.demo.services import demo_circle_build
from tests.test_browser_journey import (
    browser,  # noqa: F401  (the Chromium fixture)
    signed_in_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 800}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pages_of_the_daily_loop_fit_a_phone_screen(
    live_server,
    browser,  # noqa: F811
    language,
) -> None:
    demo_circle_build(42, members=4, scale=0.05)
    animator = User.objects.get(email=ANIMATOR_EMAIL)
    animator.language = language
    animator.save(update_fields=["language"])
    circle = Circle.objects.get()
    context = signed_in_context(
        browser, live_server, animator, viewport=PHONE, locale=f"{language}-CA"
    )
    page = context.new_page()
    paths = [
        "/presence/",
        f"/presence/circles/{circle.pk}/",
        f"/circles/{circle.pk}/",
        "/imports/",
        "/publishing/calendar/",
        "/publishing/compose/",
        "/publishing/channels/",
        "/notifications/",
        "/me/",
    ]
    too_wide = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        assert response is not None and response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    context.close()

    assert too_wide == {}

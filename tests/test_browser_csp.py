"""The Content-Security-Policy blocks inline script, and no page of Maillage needs any.

Chromium reports every blocked script, style, image or request as a
`securitypolicyviolation` event; the pages of the daily loop, their charts, calendar,
composer (with an image preview) and copy buttons must raise none.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from maillage.accounts.models import Circle, User
from maillage.accounts.services import circle_invitation_create
from maillage.demo.plan import ANIMATOR_EMAIL
from maillage.demo.services import demo_circle_build
from maillage.imports.models import ImportRun
from maillage.presence.networks import Network
from tests.test_browser_compose import connected
from tests.test_browser_journey import (
    browser,  # noqa: F401  (the Chromium fixture)
    signed_in_context,
)
from tests.test_publishing_compose import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def _page(live_server: Any, browser: Any, user: User) -> Any:  # noqa: F811
    context = signed_in_context(browser, live_server, user, locale="fr-CA")
    context.add_init_script(RECORD)
    return context.new_page()


def test_no_page_of_the_daily_loop_breaks_the_policy(
    live_server,
    browser,  # noqa: F811
    tmp_path,
) -> None:
    demo_circle_build(42, members=4, scale=0.05)
    animator = User.objects.get(email=ANIMATOR_EMAIL)
    circle = Circle.objects.get()
    circle_invitation_create(circle, animator)
    connected(
        animator,
        Network.MASTODON,
        "@edouard@mastodon.example",
        instance_url="https://mastodon.example",
    )
    run = ImportRun.objects.filter(owner=animator).first()
    assert run is not None
    page = _page(live_server, browser, animator)
    violations: dict[str, list[str]] = {}

    for path in [
        "/presence/",
        f"/presence/circles/{circle.pk}/",
        f"/circles/{circle.pk}/",
        "/imports/",
        f"/imports/{run.pk}/",
        "/publishing/calendar/",
        "/publishing/channels/",
        "/notifications/",
        "/me/",
    ]:
        page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        found = page.evaluate("window.__violations")
        if found:
            violations[path] = found

    # The copy button of an invitation link, formerly an inline script.
    page.goto(f"{live_server.url}/circles/{circle.pk}/", wait_until="networkidle")
    copy = page.locator("[data-copy]").first
    expect(copy).to_have_text("Copier")
    copy.click()
    expect(copy).to_have_text("Copié")

    # The composer's preview of an image not yet sent (a blob: address).
    image = tmp_path / "chat.png"
    image.write_bytes(png(8, 8))
    page.goto(f"{live_server.url}/publishing/compose/", wait_until="networkidle")
    page.locator("input[type=checkbox][id^=channel-]").first.check()
    page.fill("textarea[name=text_mastodon_fr]", "Bonjour")
    page.set_input_files("input[name=image_file_0]", str(image))
    preview = page.locator("[data-preview-network=mastodon] img").first
    expect(preview).to_be_visible()
    loaded = preview.evaluate("(img) => img.complete && img.naturalWidth > 0")
    found = page.evaluate("window.__violations")
    if found:
        violations["/publishing/compose/"] = found

    assert violations == {}
    assert loaded
    page.context.close()


def test_the_policy_allows_scripts_from_maillage_only(client) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy


def test_the_sign_in_pages_and_the_admin_break_no_rule_either(
    live_server,
    browser,  # noqa: F811
) -> None:
    admin = User.objects.create_superuser(email="admin@example.com", password="x" * 12)
    context = browser.new_context(locale="fr-CA")
    context.add_init_script(RECORD)
    page = context.new_page()
    violations: dict[str, list[str]] = {}

    for path in ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]:
        page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        if found := page.evaluate("window.__violations"):
            violations[path] = found
    page.goto(f"{live_server.url}/admin/login/", wait_until="networkidle")
    page.fill("input[name=username]", "admin@example.com")
    page.fill("input[name=password]", "x" * 12)
    page.click("input[type=submit]")
    change = f"/admin/accounts/user/{admin.pk}/change/"
    for path in ["/admin/", "/admin/publishing/deliveryevent/", change]:
        page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        if found := page.evaluate("window.__violations"):
            violations[path] = found

    assert page.url.endswith(change)
    assert violations == {}
    context.close()

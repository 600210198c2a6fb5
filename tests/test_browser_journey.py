"""The main journey in real Chromium: two people join a circle, import, and see where they stand."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from maillage.demo.generator import export_write
from maillage.demo.plan import demo_plan
from tests import mastodon_fixtures as mastodon

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "Un-mot-de-passe-solide-2026"


def signed_in_context(browser: Any, live_server: Any, user: Any, **options: Any) -> Any:
    """A Chromium context (Playwright's `new_context` options) already signed in as `user`:
    Django's test client logs in, and its session cookie is handed to the browser."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


@pytest.fixture
def browser() -> Iterator:
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
        # The test's own queries ran while Playwright's loop was set up, and Django keeps
        # their connections there: closed here, or PostgreSQL refuses to drop the test
        # database at the end ("being accessed by other users").
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def exports(tmp_path) -> list[Path]:
    """Two members' LinkedIn exports, written by the demo generator in the real format."""
    plan = demo_plan(seed=7, members=4, scale=0.05)
    return [export_write(plan, member, tmp_path) for member in plan.members[1:3]]


@pytest.fixture
def worker_backend(settings):
    """A real database task queue, drained on demand, so the page shows the import waiting."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def drain_tasks() -> None:
    call_command("db_worker", batch=True, interval=0, startup_delay=False, verbosity=0)


def sign_up(page, base: str, email: str) -> None:
    if "/accounts/login/" in page.url:
        # Follow the login page's sign-up link, which keeps where the visitor was going.
        page.click("main a[href*='/accounts/signup/']")
    else:
        page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form button[type=submit], form input[type=submit]")


def upload_and_watch(page, base: str, archive: Path, expected: str = "Connections.csv") -> None:
    page.goto(f"{base}/imports/")
    page.set_input_files("input[type=file]", str(archive))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    expect(page).to_have_url(re.compile(r"/imports/[0-9a-f-]{36}/$"))
    # The run waits for the worker: the page shows its progress and keeps polling.
    assert page.locator("#run-status [role=progressbar]").count() == 1
    drain_tasks()
    # Without a reload, the polled fragment turns into the per-file summary.
    page.wait_for_selector("#run-status table", timeout=15_000)
    assert expected in page.inner_text("#run-status")


def test_two_members_join_a_circle_import_and_see_their_circle(
    live_server, browser, exports, worker_backend, tmp_path
):
    base = live_server.url
    alice = browser.new_context(locale="fr-CA").new_page()
    bob = browser.new_context(locale="fr-CA").new_page()

    # Alice signs up (in French by default) and creates a peer circle, sharing her index.
    sign_up(alice, base, "alice@example.com")
    # A newcomer lands on the guide that explains how to get the LinkedIn export.
    expect(alice).to_have_url(re.compile(r"/imports/$"))
    assert alice.locator("html").get_attribute("lang") == "fr-CA"
    assert "LinkedIn" in alice.inner_text("#guide-title")
    alice.goto(f"{base}/circles/new/")
    alice.fill("input[name=name]", "Cercle des ventes de Lévis")
    alice.check("input[name=share_index]")
    alice.check("input[name=show_name]")
    alice.click("form button.btn-primary")
    expect(alice).to_have_url(re.compile(r"/circles/\d+/$"))
    circle_path = alice.url.removeprefix(base)

    # She creates an invitation link and hands it to Bob.
    alice.click("form[action$='/invite/'] button")
    link = alice.input_value("[data-testid=invitations] input")
    assert "/circles/join/" in link

    # Bob opens it, signs up, comes back to the link, consents and joins.
    bob.goto(link)
    expect(bob).to_have_url(re.compile(r"/accounts/login/"))
    sign_up(bob, base, "bob@example.com")
    expect(bob).to_have_url(re.compile(r"/circles/join/"))
    bob.check("input[name=share_index]")
    bob.check("input[name=show_name]")
    bob.click("form button.btn-primary")
    expect(bob).to_have_url(re.compile(circle_path + "$"))
    assert bob.locator("[data-testid=members] li").count() == 2

    # Both upload their LinkedIn export, watch it import, and see their index.
    for page, archive in ((alice, exports[0]), (bob, exports[1])):
        upload_and_watch(page, base, archive)
        page.goto(f"{base}/presence/")
        score = page.inner_text("[data-testid=presence-score]")
        assert re.fullmatch(r"\d+(,\d)?", score.strip()), score

    # Bob also posts on Mastodon: the network is recognised from the archive itself, and his
    # dashboard breaks his presence down network by network.
    (tmp_path / "mastodon").mkdir()
    mastodon_zip = mastodon.archive_zip(tmp_path / "mastodon", mastodon.full_archive())
    upload_and_watch(bob, base, mastodon_zip, expected="outbox.json")
    assert "Mastodon" in bob.inner_text("#run-status")
    bob.goto(f"{base}/presence/")
    assert bob.locator("[data-testid=network-breakdown] tr[data-network=mastodon]").count() == 1
    assert bob.locator("[data-testid=network-breakdown] tr[data-network=linkedin]").count() == 1

    # The animator sees the circle dashboard with its inactive share.
    alice.goto(f"{base}/presence{circle_path}")
    headline = alice.inner_text("[data-testid=circle-headline]")
    assert "%" in headline
    shared = sum(
        int(alice.inner_text(f"[data-testid=count-{status}]"))
        for status in ("active", "occasional", "inactive")
    )
    assert shared == 2

    # Switch to English and back.
    alice.click("[data-testid=switch-language]")
    alice.wait_for_function("document.documentElement.lang === 'en-CA'")
    assert "Log out" in alice.inner_text("nav")
    assert "Français" in alice.inner_text("nav")
    alice.click("[data-testid=switch-language]")
    alice.wait_for_function("document.documentElement.lang === 'fr-CA'")
    nav = alice.inner_text("nav")
    assert "Log out" not in nav
    assert "English" in nav
    for page in (alice, bob):
        page.context.close()

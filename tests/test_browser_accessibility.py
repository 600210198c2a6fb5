"""The pages of the daily loop pass axe-core's WCAG 2.1 A and AA rules in Chromium.

axe-core (npm, a development dependency) checks what can be checked automatically: contrast,
names of controls and images, labels, landmarks, ARIA use. It found the menu links at 2.4:1,
links in alerts at 3.9:1, the calendar's faded days at 1.5:1 and its unnamed arrow icons, and
tables that scroll sideways on a phone but could not be reached with the keyboard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from maillage.accounts.models import Circle, User
from maillage.demo.plan import ANIMATOR_EMAIL, MEMBER_EMAIL
from maillage.demo.services import demo_circle_build
from maillage.imports.models import ImportRun
from tests.test_browser_journey import (
    browser,  # noqa: F401  (the Chromium fixture)
    signed_in_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
VIOLATIONS = """async (rules) => {
  const result = await axe.run(document, { runOnly: rules });
  return result.violations.map(
    (v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", ")
  );
}"""


def _violations(
    live_server: Any,
    browser: Any,  # noqa: F811
    user: User | None,
    paths: list[str],
    viewport: dict[str, int] | None = None,
) -> dict[str, list[str]]:
    assert AXE.exists(), f"{AXE} is missing: `npm ci` installs it (make test does)"
    # axe is injected as an inline script, which the pages' own policy rightly refuses.
    options: dict[str, Any] = {
        "viewport": viewport or {"width": 1280, "height": 900},
        "bypass_csp": True,
    }
    if user is None:
        context = browser.new_context(**options)
    else:
        context = signed_in_context(browser, live_server, user, **options)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}", wait_until="networkidle")
        assert response is not None and response.status == 200, path
        # Charts and the calendar draw after the page loads: their final state is checked.
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".every((c) => window.Chart && Chart.getChart(c))"
        )
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(VIOLATIONS, RULES)
        if violations:
            found[path] = violations
    context.close()
    return found


def test_the_animators_pages_meet_wcag_aa(live_server, browser) -> None:  # noqa: F811
    demo_circle_build(42, members=4, scale=0.05)
    animator = User.objects.get(email=ANIMATOR_EMAIL)
    circle = Circle.objects.get()
    run = ImportRun.objects.filter(owner=animator).first()
    assert run is not None

    paths = [
        "/presence/",
        f"/presence/circles/{circle.pk}/",
        "/circles/",
        f"/circles/{circle.pk}/",
        "/circles/new/",
        "/imports/",
        f"/imports/{run.pk}/",
        "/publishing/calendar/",
        "/publishing/compose/",
        "/publishing/channels/",
        "/notifications/",
        "/me/",
        "/me/delete/",
    ]

    assert _violations(live_server, browser, animator, paths) == {}


def test_a_members_consent_page_and_the_sign_in_pages_meet_wcag_aa(
    live_server,
    browser,  # noqa: F811
) -> None:
    demo_circle_build(42, members=4, scale=0.05)
    member = User.objects.get(email=MEMBER_EMAIL)
    circle = Circle.objects.get()

    as_member = _violations(
        live_server, browser, member, [f"/circles/{circle.pk}/consent/", "/presence/"]
    )
    signed_out = _violations(
        live_server,
        browser,
        None,
        ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"],
    )

    assert as_member == {}
    assert signed_out == {}


def test_on_a_phone_the_folded_menu_the_wide_tables_and_the_calendar_list_meet_wcag_aa(
    live_server,
    browser,  # noqa: F811
) -> None:
    demo_circle_build(42, members=4, scale=0.05)
    animator = User.objects.get(email=ANIMATOR_EMAIL)
    circle = Circle.objects.get()

    found = _violations(
        live_server,
        browser,
        animator,
        ["/presence/", f"/presence/circles/{circle.pk}/", "/imports/", "/publishing/calendar/"],
        viewport={"width": 360, "height": 800},
    )

    assert found == {}

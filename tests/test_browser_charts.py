"""The presence charts are drawn in Chromium from their JSON endpoints, in the page's language.

A broken charts.js would otherwise go unnoticed: the pages still answer 200 and their data
tables stay hidden.
"""

from __future__ import annotations

from typing import Any

import pytest

from maillage.accounts.models import Circle, User
from maillage.demo.plan import ANIMATOR_EMAIL
from maillage.demo.services import demo_circle_build
from tests.test_browser_journey import (
    browser,  # noqa: F401  (the Chromium fixture)
    signed_in_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What Chart.js made of each canvas: its type, datasets and axes, read from the live chart.
CHARTS = """() => Array.from(document.querySelectorAll("canvas[data-chart]")).map((canvas) => {
  const chart = Chart.getChart(canvas);
  if (!chart) return { kind: canvas.dataset.chart, drawn: false };
  const scales = {};
  for (const [id, scale] of Object.entries(chart.scales)) {
    const title = scale.options.title;
    scales[id] = { max: scale.max, title: title.display ? title.text : "" };
  }
  return {
    kind: canvas.dataset.chart,
    drawn: true,
    type: chart.config.type,
    datasets: chart.data.datasets.map((d) => (
      { label: d.label, axis: d.yAxisID || "y", points: d.data.length }
    )),
    scales: scales,
    fallbackHidden: canvas.closest("figure").querySelector("[data-chart-fallback]")
      .classList.contains("visually-hidden"),
  };
})"""


def _charts(live_server: Any, browser: Any, user: User, path: str) -> list[dict[str, Any]]:  # noqa: F811
    context = signed_in_context(browser, live_server, user, locale=f"{user.language}-CA")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}{path}", wait_until="networkidle")
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('canvas[data-chart]'))"
        ".every((canvas) => window.Chart && Chart.getChart(canvas))"
    )
    charts: list[dict[str, Any]] = page.evaluate(CHARTS)
    context.close()
    assert errors == []
    return charts


@pytest.mark.parametrize(
    ("language", "index_axis", "pillar_axis", "brand"),
    [
        ("fr", "Indice (sur 100)", "Piliers (sur 25)", "Marque"),
        ("en", "Index (out of 100)", "Pillars (out of 25)", "Brand"),
    ],
)
def test_the_trend_draws_the_index_on_100_and_each_pillar_on_its_own_axis_of_25(
    live_server,
    browser,  # noqa: F811
    language,
    index_axis,
    pillar_axis,
    brand,
) -> None:
    demo_circle_build(42, members=4, scale=0.05)
    animator = User.objects.get(email=ANIMATOR_EMAIL)
    animator.language = language
    animator.save(update_fields=["language"])

    (trend,) = _charts(live_server, browser, animator, "/presence/")

    assert trend["drawn"] and trend["type"] == "line"
    assert trend["scales"]["y"] == {"max": 100, "title": index_axis}
    assert trend["scales"]["pillars"] == {"max": 25, "title": pillar_axis}
    axes = {dataset["label"]: dataset["axis"] for dataset in trend["datasets"]}
    assert len(axes) == 5
    assert [label for label, axis in axes.items() if axis == "y"] == [
        "Indice de présence" if language == "fr" else "Presence Index"
    ]
    assert axes[brand] == "pillars"
    assert all(dataset["points"] > 1 for dataset in trend["datasets"])
    assert trend["fallbackHidden"]


def test_the_circle_page_draws_the_members_activity_and_the_spread_of_indices(
    live_server,
    browser,  # noqa: F811
) -> None:
    demo_circle_build(42, members=4, scale=0.05)
    animator = User.objects.get(email=ANIMATOR_EMAIL)
    circle = Circle.objects.get()

    charts = _charts(live_server, browser, animator, f"/presence/circles/{circle.pk}/")

    assert [(chart["kind"], chart["type"]) for chart in charts] == [
        ("status", "bar"),
        ("histogram", "bar"),
    ]
    status, histogram = charts
    assert {dataset["label"] for dataset in status["datasets"]} == {
        "Actif",
        "Occasionnel",
        "Inactif",
    }
    assert all(dataset["points"] == 12 for dataset in status["datasets"])
    assert histogram["datasets"][0]["points"] == 10
    assert status["fallbackHidden"] and histogram["fallbackHidden"]

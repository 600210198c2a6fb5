"""Uploading an export in Chromium: the upload's progress shows, errors come back in place."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from maillage.accounts.models import User
from maillage.demo.generator import CONNECTIONS_HEADER
from maillage.imports.models import ImportRun
from tests.test_browser_journey import (
    browser,  # noqa: F401  (the Chromium fixture)
    signed_in_context,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UUID = r"[0-9a-f-]{36}"


def _connections(path: Path, rows: int) -> Path:
    """A LinkedIn Connections.csv of `rows` members (about 110 bytes each)."""
    lines = [",".join(CONNECTIONS_HEADER)]
    for n in range(rows):
        lines.append(
            f"Marie,Tremblay-{n},https://www.linkedin.com/in/marie-{n:06d},,Desjardins,"
            f"Directrice des ventes,{1 + n % 28:02d} Mar 2025"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _page(live_server: Any, browser: Any) -> Any:  # noqa: F811
    user = User.objects.create_user(email="marie@example.com", password="x" * 12)
    context = signed_in_context(browser, live_server, user, locale="fr-CA")
    page = context.new_page()
    page.goto(f"{live_server.url}/imports/", wait_until="networkidle")
    return page


def test_a_slow_upload_shows_how_much_is_sent_then_opens_the_import(
    live_server,
    browser,  # noqa: F811
    tmp_path,
) -> None:
    page = _page(live_server, browser)
    export = _connections(tmp_path / "Connections.csv", 6_000)  # about 0.6 MB
    # A home connection's uplink, about 200 KB/s: the upload takes a few seconds.
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    network.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 200_000},
    )

    page.set_input_files("input[type=file]", str(export))
    page.get_by_role("button", name="Importer").click()
    bar = page.get_by_role("progressbar", name="Envoi de l’exportation")
    page.wait_for_function(
        "() => { const v = Number(document.querySelector('#upload-progress [role=progressbar]')"
        ".getAttribute('aria-valuenow')); return v > 0 && v < 100; }"
    )
    midway = page.inner_text("#upload-progress-text")
    button_disabled = page.get_by_role("button", name="Importer").is_disabled()
    page.wait_for_url(re.compile(rf"/imports/{UUID}/$"), timeout=60_000)

    assert bar is not None
    total = f"{export.stat().st_size / 1e6:.1f}".replace(".", ",")  # French decimals
    assert re.fullmatch(rf"Envoi de l’exportation : [\d,]+\s?Mo sur {total}\s?Mo", midway), midway
    assert button_disabled  # no second upload of the same export meanwhile
    run = ImportRun.objects.get()
    assert page.url.endswith(f"/imports/{run.pk}/")
    page.context.close()


def test_a_refused_file_is_explained_in_place_and_the_form_works_again(
    live_server,
    browser,  # noqa: F811
    tmp_path,
) -> None:
    page = _page(live_server, browser)
    notes = tmp_path / "notes.txt"
    notes.write_text("pas une exportation", encoding="utf-8")

    page.set_input_files("input[type=file]", str(notes))
    page.get_by_role("button", name="Importer").click()
    error = page.locator("#upload-errors")
    error.wait_for()

    assert "notes.txt n’est pas un fichier que Maillage lit" in error.inner_text()
    assert page.url == f"{live_server.url}/imports/"
    assert ImportRun.objects.count() == 0

    page.set_input_files("input[type=file]", str(_connections(tmp_path / "Connections.csv", 5)))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_url(re.compile(rf"/imports/{UUID}/$"))

    assert ImportRun.objects.count() == 1
    page.context.close()


def test_a_connection_lost_during_the_upload_says_so_and_lets_the_user_send_again(
    live_server,
    browser,  # noqa: F811
    tmp_path,
) -> None:
    page = _page(live_server, browser)
    network = page.context.new_cdp_session(page)
    network.send("Network.enable")
    conditions = {"latency": 20, "downloadThroughput": -1, "uploadThroughput": 100_000}
    network.send("Network.emulateNetworkConditions", {"offline": False, **conditions})

    page.set_input_files("input[type=file]", str(_connections(tmp_path / "C.csv", 6_000)))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_function(
        "() => Number(document.querySelector('#upload-progress [role=progressbar]')"
        ".getAttribute('aria-valuenow')) > 0"
    )
    network.send("Network.emulateNetworkConditions", {"offline": True, **conditions})
    failure = page.get_by_role("alert")
    failure.wait_for()

    # Whether the server got the whole file first is not known here (nor, in Chromium's
    # emulation, controlled): the message says what is true either way.
    assert failure.inner_text() == (
        "La connexion a été perdue pendant l’envoi. Vérifiez-la, puis envoyez l’exportation de "
        "nouveau : une exportation importée deux fois ne crée rien en double."
    )
    assert page.get_by_role("button", name="Importer").is_enabled()
    page.context.close()


def test_a_proxy_refusing_a_large_upload_is_explained(
    live_server,
    browser,  # noqa: F811
    tmp_path,
) -> None:
    page = _page(live_server, browser)

    def proxy(route: Any) -> None:
        # What nginx answers past client_max_body_size: its own page, not Maillage's.
        if route.request.method == "POST":
            route.fulfill(status=413, body="<html><body><h1>413 Request Entity Too Large</h1>")
        else:
            route.continue_()

    page.route("**/imports/", proxy)
    page.set_input_files("input[type=file]", str(_connections(tmp_path / "C.csv", 5)))
    page.get_by_role("button", name="Importer").click()
    failure = page.get_by_role("alert")
    failure.wait_for()

    assert failure.inner_text().startswith("Le serveur a refusé l’envoi (HTTP 413)")
    assert page.get_by_role("button", name="Importer").is_enabled()
    assert ImportRun.objects.count() == 0
    page.context.close()

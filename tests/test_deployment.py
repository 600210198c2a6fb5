"""Production as docs/deployment.md describes it: gunicorn behind an HTTPS proxy.

Each test starts real processes (`python -m maillage`, gunicorn) on a SQLite file of its own,
whichever database the suite itself runs on.
"""

from __future__ import annotations

import os
import re
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
HOST = "maillage.example.com"


def _env(var_dir: Path, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "maillage.settings",
        "MAILLAGE_VAR_DIR": str(var_dir),
        "MAILLAGE_DATABASE_URL": f"sqlite:///{var_dir / 'maillage.sqlite3'}",
        "MAILLAGE_ALLOWED_HOSTS": HOST,
        "MAILLAGE_LOG_LEVEL": "WARNING",
    }
    return env | {f"MAILLAGE_{name}": value for name, value in settings.items()}


def _maillage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "maillage", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _deploy_warnings(env: dict[str, str]) -> set[str]:
    result = _maillage(env, "check", "--deploy")
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"\(security\.(W\d+)\)", result.stdout + result.stderr))


def test_behind_https_the_deployment_check_leaves_only_hsts_choices_to_the_owner(tmp_path):
    plain = _deploy_warnings(_env(tmp_path))
    behind_https = _deploy_warnings(_env(tmp_path, HTTPS="true"))
    with_hsts = _deploy_warnings(_env(tmp_path, HTTPS="true", HSTS_SECONDS="31536000"))

    # Secure cookies (W012, W016) and the redirect to HTTPS (W008) come with MAILLAGE_HTTPS;
    # HSTS (W004) stays the owner's choice, documented, since a browser cannot unlearn it, and
    # so do subdomains and preloading (W005, W021), decisions about the whole domain.
    assert {"W008", "W012", "W016"} <= plain
    assert behind_https == {"W004"}
    assert with_hsts == {"W005", "W021"}


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[str]:
    """gunicorn serving a migrated database the way the deployment page runs it."""
    env = _env(tmp_path, HTTPS="true", HSTS_SECONDS="3600")
    migrated = _maillage(env, "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "maillage.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--worker-class",
            "gthread",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{address}/favicon.ico", headers={"Host": HOST}, timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read() if server.stderr else ""
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield address
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stderr:
            server.stderr.close()


def test_gunicorn_redirects_plain_http_and_serves_pages_and_static_files_over_https(gunicorn):
    proxied = {"Host": HOST, "X-Forwarded-Proto": "https"}

    plain = httpx.get(f"{gunicorn}/accounts/login/", headers={"Host": HOST})
    page = httpx.get(f"{gunicorn}/accounts/login/", headers=proxied)
    script = httpx.get(f"{gunicorn}/static/maillage/charts.js", headers=proxied)

    assert plain.status_code == 301
    assert plain.headers["location"] == f"https://{HOST}/accounts/login/"
    assert page.status_code == 200
    assert page.headers["strict-transport-security"] == "max-age=3600"
    assert "Secure" in page.headers["set-cookie"]
    assert script.status_code == 200
    assert script.content == (ROOT / "maillage/static/maillage/charts.js").read_bytes()


def test_a_monitor_on_the_machine_asks_for_health_over_plain_http(gunicorn):
    # Not redirected to HTTPS like every page: the answer itself (no publish worker runs
    # here, so 503) is what a monitor needs.
    health = httpx.get(f"{gunicorn}/health/", headers={"Host": HOST})

    assert health.status_code == 503
    assert health.json()["database"] == "ok"
    assert health.json()["publish_worker"] == "stopped"


def test_a_visitor_signs_up_through_the_proxy_without_a_csrf_failure(gunicorn):
    # The classic failure behind a proxy: Django compares the form's origin with the host. The
    # cookies are Secure, so they are sent by hand here as a browser sends them over HTTPS.
    proxied = {"Host": HOST, "X-Forwarded-Proto": "https"}
    form = httpx.get(f"{gunicorn}/accounts/signup/", headers=proxied)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token is not None
    signed_up = httpx.post(
        f"{gunicorn}/accounts/signup/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "email": "nouvelle@example.com",
            "password1": "une-phrase-de-passe-2026",
            "password2": "une-phrase-de-passe-2026",
        },
        headers=proxied
        | {
            "Cookie": f"csrftoken={form.cookies['csrftoken']}",
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/accounts/signup/",
        },
    )
    session = signed_up.cookies.get("sessionid")
    home = httpx.get(f"{gunicorn}/presence/", headers=proxied | {"Cookie": f"sessionid={session}"})

    assert signed_up.status_code == 302, signed_up.text[:500]
    assert session
    assert home.status_code == 200
    assert 'action="/accounts/logout/"' in home.text  # signed in, not sent to the login page


class _Mailbox(socketserver.StreamRequestHandler):
    """Just enough SMTP (RFC 5321, no extensions) to receive what `smtplib` sends."""

    received: ClassVar[list[str]] = []

    def _say(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self._say("220 mailbox ready")
        while line := self.rfile.readline().decode().strip():
            verb = line.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self._say("250 mailbox")
            elif verb == "DATA":
                self._say("354 go on")
                body: list[str] = []
                while (data := self.rfile.readline().decode()) not in {".\r\n", ""}:
                    body.append(data)
                self.received.append("".join(body))
                self._say("250 kept")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:  # MAIL FROM, RCPT TO, RSET, NOOP
                self._say("250 ok")


def test_an_smtp_server_named_in_the_settings_receives_the_mail(tmp_path):
    _Mailbox.received = []
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Mailbox) as mailbox:
        threading.Thread(target=mailbox.serve_forever, daemon=True).start()
        # No MAILLAGE_EMAIL_BACKEND: naming a host is enough to leave the console backend.
        env = _env(
            tmp_path,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(mailbox.server_address[1]),
            EMAIL_USE_TLS="false",
            DEFAULT_FROM_EMAIL="Maillage <maillage@example.com>",
        )
        sent = _maillage(env, "sendtestemail", "directrice@example.com")
        mailbox.shutdown()

    assert sent.returncode == 0, sent.stderr
    (message,) = _Mailbox.received
    assert "To: directrice@example.com" in message
    assert "From: Maillage <maillage@example.com>" in message
    assert "directrice@example.com" not in sent.stdout  # not printed by the console backend


def test_the_example_environment_names_only_documented_settings():
    example = (ROOT / "deploy/maillage.env.example").read_text(encoding="utf-8")
    documented = (ROOT / "docs/configuration.md").read_text(encoding="utf-8")
    names = set(re.findall(r"^#? ?(MAILLAGE_[A-Z_]+?)(?:_FILE)?=", example, re.MULTILINE))

    assert len(names) > 10
    assert {name for name in names if f"`{name}`" not in documented} == set()

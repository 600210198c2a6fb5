"""The main menu marks the section the page belongs to, for sight and for screen readers."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from maillage.accounts.models import User

pytestmark = pytest.mark.django_db

CURRENT = re.compile(r'<a class="nav-link active" aria-current="page" href="([^"]+)"')


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", "/imports/"),  # a newcomer lands on the import guide
        ("/presence/", "/presence/"),
        ("/circles/", "/circles/"),
        ("/circles/new/", "/circles/"),
        ("/imports/", "/imports/"),
        ("/publishing/calendar/", "/publishing/calendar/"),
        ("/publishing/compose/", "/publishing/calendar/"),
        ("/publishing/channels/", "/publishing/channels/"),
        ("/notifications/", None),
        ("/me/", None),
    ],
)
def test_the_menu_marks_the_current_section_once(path, current) -> None:
    user = User.objects.create_user(email="marie@example.com", password="x" * 12)
    client = Client()
    client.force_login(user)

    page = client.get(path, follow=True)

    assert page.status_code == 200
    assert CURRENT.findall(page.content.decode()) == ([current] if current else [])

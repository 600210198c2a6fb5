"""Sign-up, login, logout, password reset and the preferences page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from maillage.accounts.models import User
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "another long passphrase 42"


def _signup(client: Client, email: str, next_url: str = "") -> Any:
    url = reverse("account_signup") + (f"?next={next_url}" if next_url else "")
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data)


@pytest.fixture
def accounts_templates_first(settings):
    """Our allauth overrides win only when maillage.accounts is listed before allauth."""
    installed = [a for a in settings.INSTALLED_APPS if a != "maillage.accounts"]
    installed.insert(installed.index("allauth"), "maillage.accounts")
    settings.INSTALLED_APPS = installed


def test_it_signs_up_with_an_email_and_password_only(db):
    client = Client()
    response = _signup(client, "Nadia@Example.com")
    assert response.status_code == 302
    user = User.objects.get(email__iexact="nadia@example.com")
    assert user.language == "fr"
    assert user.time_zone == "America/Toronto"
    assert user.keep_message_text is False
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_it_refuses_a_second_account_with_the_same_email(db):
    make_user("nadia@example.com")
    response = _signup(Client(), "nadia@example.com")
    assert response.status_code == 200
    assert User.objects.filter(email="nadia@example.com").count() == 1
    assert response.context["form"].errors["email"]


def test_it_logs_in_with_email_and_password_and_refuses_a_wrong_password(db):
    make_user("nadia@example.com")
    client = Client()
    wrong = client.post(
        reverse("account_login"), {"login": "nadia@example.com", "password": "nope"}
    )
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    right = client.post(
        reverse("account_login"), {"login": "nadia@example.com", "password": PASSWORD}
    )
    assert right.status_code == 302
    assert client.get(reverse("accounts:settings")).status_code == 200


def test_it_logs_out_on_post(cast):
    client = cast.client_for(cast.alice)
    client.post(reverse("account_logout"))
    response = client.get(reverse("accounts:settings"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_resets_a_forgotten_password_through_an_emailed_link(cast):
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "alice@example.com"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    link = re.search(r"https?://[^\s]+/password/reset/key/[^\s]+", str(mail.outbox[0].body))
    assert link is not None
    path = "/" + link.group(0).split("/", 3)[3]
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    cast.alice.refresh_from_db()
    assert cast.alice.check_password(NEW_PASSWORD)


def test_it_shows_sign_in_pages_in_the_app_layout(db, accounts_templates_first):
    for name in ("account_login", "account_signup", "account_reset_password"):
        response = Client().get(reverse(name))
        html = response.content.decode()
        assert response.status_code == 200
        assert 'class="navbar-brand' in html  # base.html's navigation bar
        assert 'class="form-control' in html
    signup = Client().get(reverse("account_signup")).content.decode()
    assert "Vos données vous appartiennent" in signup
    english = Client().get(reverse("account_signup"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Your data belongs to you" in english


def test_it_saves_language_and_time_zone_and_switches_the_page_language(cast):
    client = cast.client_for(cast.alice)
    response = client.post(
        reverse("accounts:settings"),
        {"language": "en", "time_zone": "Europe/Paris", "first_name": "Alice"},
        follow=True,
    )
    cast.alice.refresh_from_db()
    assert cast.alice.language == "en"
    assert cast.alice.time_zone == "Europe/Paris"
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Your preferences are saved." in response.content.decode()
    assert 'lang="en-CA"' in response.content.decode()


def test_it_refuses_an_unknown_time_zone_and_keeps_the_old_one(cast):
    client = cast.client_for(cast.alice)
    response = client.post(
        reverse("accounts:settings"), {"language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "Mars/Olympus" in response.content.decode()
    # Alice reads French: the error is in her language.
    assert "n'est pas un fuseau horaire connu" in response.content.decode().replace("&#x27;", "'")
    cast.alice.refresh_from_db()
    assert cast.alice.time_zone == "America/Toronto"
    assert cast.alice.language == "fr"


def test_it_keeps_message_text_only_when_asked(cast):
    client = cast.client_for(cast.alice)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert 'name="keep_message_text"' in page
    assert cast.alice.keep_message_text is False
    client.post(
        reverse("accounts:settings"),
        {"language": "fr", "time_zone": "America/Toronto", "keep_message_text": "on"},
    )
    cast.alice.refresh_from_db()
    assert cast.alice.keep_message_text is True


def test_it_links_the_preferences_page_to_export_and_delete(cast):
    page = cast.client_for(cast.alice).get(reverse("accounts:settings")).content.decode()
    assert reverse("accounts:export") in page
    assert reverse("accounts:delete") in page


def test_it_remembers_the_language_switch_for_a_signed_in_user(cast):
    client = cast.client_for(cast.alice)
    response = client.post(
        reverse("accounts:set_language"), {"language": "en", "next": "/circles/"}
    )
    assert response.status_code == 302
    cast.alice.refresh_from_db()
    assert cast.alice.language == "en"
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_it_switches_language_for_an_anonymous_visitor_without_storing_anything(db):
    response = Client().post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_it_ignores_an_unknown_language_in_the_switch(cast):
    client = cast.client_for(cast.alice)
    client.post(reverse("accounts:set_language"), {"language": "de", "next": "/"})
    cast.alice.refresh_from_db()
    assert cast.alice.language == "fr"

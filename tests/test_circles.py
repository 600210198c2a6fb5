"""Circles: creation, invitation links, joining with consent, consent log, leaving, removal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import Circle, CircleInvitation, ConsentChange, Membership
from maillage.accounts.services import circle_invitation_create, membership_consent_update
from tests.conftest import PASSWORD


def _invitation(cast) -> CircleInvitation:
    return circle_invitation_create(cast.circle, cast.alice)


def test_it_creates_a_circle_whose_creator_animates_with_the_chosen_consents(cast):
    client = cast.client_for(cast.dave)
    response = client.post(
        reverse("circles:create"),
        {"name": "Équipe Est", "description": "Ventes", "kind": "team", "show_name": "on"},
    )
    circle = Circle.objects.get(name="Équipe Est")
    assert response["Location"] == reverse("circles:detail", args=[circle.pk])
    membership = Membership.objects.get(circle=circle, user=cast.dave)
    assert membership.is_animator
    assert (membership.share_index, membership.show_name, membership.pool_connections) == (
        False,
        True,
        False,
    )
    assert ConsentChange.objects.filter(circle=circle, user=cast.dave).count() == 3
    listing = client.get(reverse("circles:list")).content.decode()
    assert "Équipe Est" in listing
    assert "Cercle des ventes" not in listing


def test_it_asks_for_a_name_when_creating_a_circle(cast):
    response = cast.client_for(cast.dave).post(reverse("circles:create"), {"name": "  "})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not Circle.objects.filter(created_by=cast.dave).exists()


def test_it_shows_names_only_of_members_who_chose_to_show_them(cast):
    page = cast.client_for(cast.bob).get(reverse("circles:detail", args=[cast.circle.pk]))
    html = page.content.decode()
    assert "Alice Tremblay" in html
    assert "Bob Gagnon" in html
    assert "Carol Roy" not in html
    assert "Anonymous member" in html or "Membre anonyme" in html


def test_it_shows_invitation_links_to_animators_only(cast):
    invitation = _invitation(cast)
    url = reverse("circles:detail", args=[cast.circle.pk])
    assert invitation.token in cast.client_for(cast.alice).get(url).content.decode()
    assert invitation.token not in cast.client_for(cast.bob).get(url).content.decode()


def test_it_creates_an_invitation_link_that_expires_after_the_configured_days(cast, settings):
    settings.CIRCLE_INVITATION_DAYS = 3
    client = cast.client_for(cast.alice)
    client.post(reverse("circles:invite", args=[cast.circle.pk]))
    invitation = CircleInvitation.objects.get(circle=cast.circle)
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=3)
    assert invitation.is_valid


def test_it_refuses_an_expired_or_revoked_link(cast):
    invitation = _invitation(cast)
    invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    invitation.save()
    client = cast.client_for(cast.dave)
    url = reverse("circles:join", args=[invitation.token])
    assert client.get(url).status_code == 410
    assert client.post(url, {"share_index": "on"}).status_code == 410
    assert not Membership.objects.filter(user=cast.dave).exists()

    fresh = _invitation(cast)
    cast.client_for(cast.alice).post(reverse("circles:revoke", args=[cast.circle.pk, fresh.pk]))
    fresh.refresh_from_db()
    assert fresh.revoked_at is not None
    assert client.get(reverse("circles:join", args=[fresh.token])).status_code == 410


def test_it_answers_404_for_an_unknown_link(cast):
    response = cast.client_for(cast.dave).get(reverse("circles:join", args=["nope"]))
    assert response.status_code == 404


def test_it_joins_with_all_consents_off_unless_chosen(cast):
    invitation = _invitation(cast)
    client = cast.client_for(cast.dave)
    page = client.get(reverse("circles:join", args=[invitation.token])).content.decode()
    assert page.count('type="checkbox"') == 3
    assert "checked" not in page
    client.post(reverse("circles:join", args=[invitation.token]), {"pool_connections": "on"})
    membership = Membership.objects.get(circle=cast.circle, user=cast.dave)
    assert membership.role == Membership.Role.MEMBER
    assert (membership.share_index, membership.show_name, membership.pool_connections) == (
        False,
        False,
        True,
    )
    invitation.refresh_from_db()
    assert invitation.uses == 1
    logged = ConsentChange.objects.filter(circle=cast.circle, user=cast.dave)
    assert {(c.consent, c.granted) for c in logged} == {
        ("share_index", False),
        ("show_name", False),
        ("pool_connections", True),
    }


def test_it_sends_a_newcomer_through_sign_up_and_back_to_the_link(cast):
    invitation = _invitation(cast)
    join_url = reverse("circles:join", args=[invitation.token])
    client = Client()
    first = client.get(join_url)
    assert first.status_code == 302
    assert first["Location"].startswith(reverse("account_login"))
    assert "next=" in first["Location"]
    signup = client.post(
        reverse("account_signup"),
        {
            "email": "eve@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": join_url,
        },
    )
    assert signup["Location"] == join_url
    client.post(join_url, {"share_index": "on"})
    assert Membership.objects.get(circle=cast.circle, user__email="eve@example.com").share_index


def test_it_sends_an_existing_user_through_login_and_back_to_the_link(cast):
    invitation = _invitation(cast)
    join_url = reverse("circles:join", args=[invitation.token])
    client = Client()
    login = client.post(
        reverse("account_login"),
        {"login": "dave@example.com", "password": PASSWORD, "next": join_url},
    )
    assert login["Location"] == join_url
    assert client.get(join_url).status_code == 200


def test_it_logs_each_consent_change_and_shows_the_history(cast):
    bob = Membership.objects.get(circle=cast.circle, user=cast.bob)
    client = cast.client_for(cast.bob)
    url = reverse("circles:consent", args=[cast.circle.pk])
    client.post(url, {"share_index": "on"})  # show_name withdrawn, pool stays off
    bob.refresh_from_db()
    assert (bob.share_index, bob.show_name, bob.pool_connections) == (True, False, False)
    changes = list(ConsentChange.objects.filter(circle=cast.circle, user=cast.bob))
    assert [(c.consent, c.granted, c.changed_by_id) for c in changes] == [
        ("show_name", False, cast.bob.pk)
    ]
    history = client.get(url).content.decode()
    assert 'data-testid="consent-history"' in history


def test_it_logs_nothing_when_consent_does_not_change(cast):
    bob = Membership.objects.get(circle=cast.circle, user=cast.bob)
    membership_consent_update(bob, cast.bob, share_index=True, show_name=True)
    assert not ConsentChange.objects.filter(user=cast.bob).exists()


def test_it_lets_a_member_leave(cast):
    client = cast.client_for(cast.carol)
    client.post(reverse("circles:leave", args=[cast.circle.pk]))
    assert not Membership.objects.filter(circle=cast.circle, user=cast.carol).exists()
    assert client.get(reverse("circles:detail", args=[cast.circle.pk])).status_code == 404


def test_it_keeps_the_last_animator_until_they_hand_over(cast):
    client = cast.client_for(cast.alice)
    response = client.post(reverse("circles:leave", args=[cast.circle.pk]), follow=True)
    assert Membership.objects.filter(circle=cast.circle, user=cast.alice).exists()
    assert "only animator" in response.content.decode() or "seul" in response.content.decode()
    bob = Membership.objects.get(circle=cast.circle, user=cast.bob)
    client.post(reverse("circles:promote_member", args=[cast.circle.pk, bob.pk]))
    bob.refresh_from_db()
    assert bob.is_animator
    client.post(reverse("circles:leave", args=[cast.circle.pk]))
    assert not Membership.objects.filter(circle=cast.circle, user=cast.alice).exists()


def test_it_deletes_a_circle_when_its_last_member_leaves(cast):
    circle = Circle.objects.create(name="Solo", created_by=cast.dave)
    Membership.objects.create(circle=circle, user=cast.dave, role=Membership.Role.ANIMATOR)
    cast.client_for(cast.dave).post(reverse("circles:leave", args=[circle.pk]))
    assert not Circle.objects.filter(pk=circle.pk).exists()


def test_it_lets_an_animator_remove_a_member(cast):
    carol = Membership.objects.get(circle=cast.circle, user=cast.carol)
    cast.client_for(cast.alice).post(
        reverse("circles:remove_member", args=[cast.circle.pk, carol.pk])
    )
    assert not Membership.objects.filter(pk=carol.pk).exists()


def test_it_forbids_members_to_remove_promote_or_invite(cast):
    carol = Membership.objects.get(circle=cast.circle, user=cast.carol)
    invitation = _invitation(cast)
    client = cast.client_for(cast.bob)
    pk = cast.circle.pk
    for url in (
        reverse("circles:remove_member", args=[pk, carol.pk]),
        reverse("circles:promote_member", args=[pk, carol.pk]),
        reverse("circles:invite", args=[pk]),
        reverse("circles:revoke", args=[pk, invitation.pk]),
    ):
        assert client.post(url).status_code == 403, url
    carol.refresh_from_db()
    assert carol.role == Membership.Role.MEMBER
    assert CircleInvitation.objects.filter(circle=cast.circle).count() == 1
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("circles:detail", "get", ()),
        ("circles:consent", "get", ()),
        ("circles:consent", "post", ()),
        ("circles:leave", "get", ()),
        ("circles:leave", "post", ()),
        ("circles:invite", "post", ()),
        ("circles:remove_member", "post", ("member",)),
        ("circles:promote_member", "post", ("member",)),
        ("circles:demote_member", "post", ("member",)),
        ("circles:revoke", "post", ("invitation",)),
    ],
)
def test_it_answers_404_to_non_members_on_every_circle_page(cast, name, method, extra):
    carol = Membership.objects.get(circle=cast.circle, user=cast.carol)
    invitation = _invitation(cast)
    ids = {"member": carol.pk, "invitation": invitation.pk}
    url = reverse(name, args=[cast.circle.pk, *(ids[e] for e in extra)])
    response = getattr(cast.client_for(cast.dave), method)(url)
    assert response.status_code == 404
    assert Membership.objects.filter(circle=cast.circle).count() == 3


def test_it_requires_login_on_circle_pages(cast):
    response = Client().get(reverse("circles:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_sends_a_member_who_opens_a_link_again_to_the_circle(cast):
    invitation = _invitation(cast)
    response = cast.client_for(cast.bob).get(reverse("circles:join", args=[invitation.token]))
    assert response["Location"] == reverse("circles:detail", args=[cast.circle.pk])
    invitation.refresh_from_db()
    assert invitation.uses == 0
    assert Membership.objects.filter(circle=cast.circle, user=cast.bob).count() == 1


def test_an_animator_makes_another_animator_a_member_again_but_never_the_last(cast):
    client = cast.client_for(cast.alice)
    alice = Membership.objects.get(circle=cast.circle, user=cast.alice)
    bob = Membership.objects.get(circle=cast.circle, user=cast.bob)
    client.post(reverse("circles:promote_member", args=[cast.circle.pk, bob.pk]))
    client.post(reverse("circles:demote_member", args=[cast.circle.pk, bob.pk]))
    bob.refresh_from_db()
    assert not bob.is_animator
    # Alice is the only animator left: she cannot step herself down.
    response = client.post(
        reverse("circles:demote_member", args=[cast.circle.pk, alice.pk]), follow=True
    )
    alice.refresh_from_db()
    assert alice.is_animator
    assert "at least one animator" in response.content.decode() or "au moins" in (
        response.content.decode()
    )


def test_a_member_cannot_demote_an_animator(cast):
    alice = Membership.objects.get(circle=cast.circle, user=cast.alice)
    response = cast.client_for(cast.bob).post(
        reverse("circles:demote_member", args=[cast.circle.pk, alice.pk])
    )
    assert response.status_code == 403
    alice.refresh_from_db()
    assert alice.is_animator

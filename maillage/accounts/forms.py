"""Forms for preferences, circles, consents and account deletion."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Circle, Membership, User


def _zone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones())]


class PreferencesForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=_zone_choices,
        help_text=_("Dates and times are shown in this zone, and your weeks are counted in it."),
        error_messages={
            "invalid_choice": _(
                "“%(value)s” is not a time zone we know. Pick one from the list, "
                "for example America/Toronto."
            )
        },
    )
    keep_message_text = forms.BooleanField(
        label=_("Keep the text of my messages"),
        required=False,
        help_text=_(
            "Off by default. When off, imports keep only who wrote to whom, when, and in which "
            "conversation: enough to count your exchanges, without storing what was said. "
            "Turn it on only if you want to search your messages in Maillage."
        ),
    )

    @classmethod
    def for_user(cls, user: User, data: Any = None) -> PreferencesForm:
        initial = {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "time_zone": user.time_zone,
            "keep_message_text": user.keep_message_text,
        }
        return cls(data=data, initial=initial)


CONSENT_HELP = {
    "share_index": _(
        "The circle's dashboard includes your Presence Index and its four pillars. "
        "Without it, the circle sees only that you are a member."
    ),
    "show_name": _("Other members see your name. Without it, you appear as “Anonymous member”."),
    "pool_connections": _(
        "Members may learn that you know someone at a company, never who or how to reach them; "
        "you approve each introduction."
    ),
}


class ConsentForm(forms.Form):
    """The three consents, each explained; all off unless the member turns them on."""

    share_index = forms.BooleanField(
        label=_("Share my Presence Index with this circle"),
        required=False,
        help_text=CONSENT_HELP["share_index"],
    )
    show_name = forms.BooleanField(
        label=_("Show my name to the circle's members"),
        required=False,
        help_text=CONSENT_HELP["show_name"],
    )
    pool_connections = forms.BooleanField(
        label=_("Pool my connections for introductions"),
        required=False,
        help_text=CONSENT_HELP["pool_connections"],
    )

    @classmethod
    def for_membership(cls, membership: Membership, data: Any = None) -> ConsentForm:
        initial = {n: getattr(membership, n) for n in Membership.CONSENT_FIELDS}
        return cls(data=data, initial=initial)


class CircleForm(ConsentForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Circle.Kind.choices,
        initial=Circle.Kind.PEER,
        help_text=_("A team works for one company; a peer circle gathers people from several."),
    )
    field_order = ["name", "description", "kind"]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the circle a name, for example “Sales team”."))
        return name


class DeleteAccountForm(forms.Form):
    email = forms.CharField(
        label=_("Type your e-mail address to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        typed: str = self.cleaned_data["email"].strip().lower()
        if typed != self.user.email.lower():
            raise forms.ValidationError(
                _(
                    "This is not the e-mail address of your account. Type it exactly as shown "
                    "to confirm, or leave this page to keep your account."
                )
            )
        return typed

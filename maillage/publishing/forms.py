"""Forms of the publishing pages: connecting Mastodon, composing a planned post."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage.connectors.mastodon import DEFAULT_MAX_CHARACTERS
from maillage.presence.networks import Network
from maillage.publishing.models import LANGUAGES, Channel

# Characters per post on each network (Mastodon: the instance says; this is the default).
NETWORK_LIMITS: dict[str, int] = {
    Network.MASTODON: DEFAULT_MAX_CHARACTERS,
    Network.BLUESKY: 300,
    Network.LINKEDIN: 3000,
    Network.FACEBOOK: 63206,
    Network.X: 280,
}
# X and Mastodon count every link as this many characters, whatever its length.
LINK_WEIGHT = 23
URL_RE = re.compile(r"https?://\S+")
# twitter-text's ranges that weigh 1; everything else (CJK, emoji) weighs 2.
X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


def _graphemes(text: str) -> int:
    """An approximation of user-perceived characters: combining marks and joiners glue."""
    count = 0
    glue = False
    for char in text:
        if unicodedata.combining(char) or char in "\ufe0f\ufe0e" or 0x1F3FB <= ord(char) <= 0x1F3FF:
            continue
        if char == "\u200d":
            glue = True
            continue
        if glue:
            glue = False
            continue
        count += 1
    return count


def _x_weight(text: str) -> int:
    total = 0
    for char in text:
        code = ord(char)
        total += 1 if any(low <= code <= high for low, high in X_LIGHT_RANGES) else 2
    return total


def text_length(network: str, text: str) -> int:
    """The length the network counts for this outgoing text."""
    text = unicodedata.normalize("NFC", text)
    if network == Network.X:
        links = URL_RE.findall(text)
        return _x_weight(URL_RE.sub("", text)) + LINK_WEIGHT * len(links)
    if network == Network.MASTODON:
        links = URL_RE.findall(text)
        return len(URL_RE.sub("", text)) + LINK_WEIGHT * len(links)
    if network == Network.BLUESKY:
        return _graphemes(text)
    return len(text)


def channel_limit(channel: Channel) -> int:
    if channel.network == Network.MASTODON and channel.max_characters:
        return channel.max_characters
    return NETWORK_LIMITS.get(channel.network, 500)


def outgoing(text: str, link: str) -> str:
    """As PostVariant.outgoing_text: the link appended unless the text carries it."""
    if link and link not in text:
        return f"{text.rstrip()}\n\n{link}"
    return text


class MastodonConnectForm(forms.Form):
    instance = forms.CharField(
        label=gettext_lazy("Your Mastodon server"),
        max_length=255,
        help_text=gettext_lazy("The address of your instance, for example mastodon.social."),
    )


class BlueskyConnectForm(forms.Form):
    handle = forms.CharField(
        label=gettext_lazy("Your Bluesky handle"),
        max_length=255,
        help_text=gettext_lazy("For example marie.bsky.social."),
    )
    app_password = forms.CharField(
        label=gettext_lazy("An app password"),
        max_length=255,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "Never your account's password: create one in Bluesky under Settings > Privacy "
            "and security > App passwords. You can revoke it there at any time."
        ),
    )


class ComposeForm(forms.Form):
    """Channels, one text per network and language, a link, a time or a draft."""

    ACTION_SCHEDULE = "schedule"
    ACTION_DRAFT = "draft"

    link = forms.URLField(
        label=gettext_lazy("Link"), required=False, max_length=1000, assume_scheme="https"
    )
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Publish on"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    action = forms.ChoiceField(
        choices=[(ACTION_SCHEDULE, ACTION_SCHEDULE), (ACTION_DRAFT, ACTION_DRAFT)],
        initial=ACTION_SCHEDULE,
    )

    def __init__(
        self,
        *args: Any,
        channels: list[Channel],
        time_zone: str,
        default_language: str = "fr",
        now: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channels = {str(channel.pk): channel for channel in channels}
        self.time_zone = time_zone
        self.now = now
        self.fields["channels"] = forms.MultipleChoiceField(
            label=gettext_lazy("Accounts"),
            choices=[(key, str(channel)) for key, channel in self.channels.items()],
            widget=forms.CheckboxSelectMultiple,
            required=False,
        )
        for key in self.channels:
            self.fields[f"language_{key}"] = forms.ChoiceField(
                choices=LANGUAGES, initial=default_language, required=False
            )
        for network in self.networks:
            for language, label in LANGUAGES:
                self.fields[f"text_{network}_{language}"] = forms.CharField(
                    label=f"{Network(network).label} ({label})",
                    widget=forms.Textarea,
                    required=False,
                    strip=True,
                )

    @property
    def networks(self) -> list[str]:
        """The networks of the offered channels, in the order Maillage lists networks."""
        present = {channel.network for channel in self.channels.values()}
        return [network for network in Network.values if network in present]

    def text_field(self, network: str, language: str) -> forms.BoundField:
        return self[f"text_{network}_{language}"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [self.channels[key] for key in data.get("channels") or []]
        if not chosen:
            self.add_error("channels", _("Choose at least one account to publish to."))
        link = data.get("link") or ""
        targets: list[tuple[Channel, str]] = []
        for channel in chosen:
            language = data.get(f"language_{channel.pk}") or "fr"
            name = f"text_{channel.network}_{language}"
            text = data.get(name) or ""
            if not text:
                self.add_error(
                    name,
                    _("Write the %(language)s text for %(network)s: %(handle)s expects it.")
                    % {
                        "language": dict(LANGUAGES)[language],
                        "network": channel.get_network_display(),
                        "handle": channel.handle,
                    },
                )
                continue
            length, limit = (
                text_length(channel.network, outgoing(text, link)),
                channel_limit(channel),
            )
            if length > limit:
                self.add_error(
                    name,
                    _("Too long for %(handle)s: %(length)s characters, %(limit)s at most.")
                    % {"handle": channel.handle, "length": length, "limit": limit},
                )
            targets.append((channel, language))
        data["targets"] = targets
        when = data.get("scheduled_at")
        if when is not None:
            # The browser sends wall-clock time: it is the user's, not the server's.
            when = timezone.make_aware(when.replace(tzinfo=None), ZoneInfo(self.time_zone))
            data["scheduled_at"] = when
        if data.get("action") == self.ACTION_SCHEDULE:
            if when is None:
                self.add_error("scheduled_at", _("Pick the date and time of publication."))
            elif when <= (self.now or timezone.now()):
                self.add_error("scheduled_at", _("This time is already past: pick a time to come."))
        return data


class RescheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("New time"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone

    def clean_scheduled_at(self) -> datetime:
        when: datetime = self.cleaned_data["scheduled_at"]
        when = timezone.make_aware(when.replace(tzinfo=None), ZoneInfo(self.time_zone))
        if when <= timezone.now():
            raise forms.ValidationError(_("This time is already past: pick a time to come."))
        return when

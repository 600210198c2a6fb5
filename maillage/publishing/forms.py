"""Forms of the publishing pages: connecting Mastodon, composing a planned post."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage.connectors.mastodon import DEFAULT_MAX_CHARACTERS
from maillage.presence.networks import Network
from maillage.publishing.models import LANGUAGES, Channel, PostMedia, Series

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


@dataclass(frozen=True)
class ImageLimits:
    """What one network takes per post: how many images, how heavy, which types."""

    count: int
    max_bytes: int
    gif_bytes: int
    types: tuple[str, ...]
    alt_characters: int = 1500


MB = 1024 * 1024
ALL_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
# From each network's API documentation (docs/composer.md says where): X 4 images, 5 MB
# (GIF 15 MB), alt text 1,000; Mastodon 4 (an instance may say otherwise) and 16 MB as
# mastodon.social; Bluesky's embed lexicon 4 blobs of 1,000,000 bytes; LinkedIn multi-image
# posts up to 20, JPEG/PNG/GIF; Facebook Pages 10 photos of 10 MB, no WebP in its list.
NETWORK_IMAGE_LIMITS: dict[str, ImageLimits] = {
    Network.X: ImageLimits(4, 5 * MB, 15 * MB, ALL_TYPES, alt_characters=1000),
    Network.MASTODON: ImageLimits(4, 16 * MB, 16 * MB, ALL_TYPES),
    Network.BLUESKY: ImageLimits(4, 1_000_000, 1_000_000, ALL_TYPES),
    Network.LINKEDIN: ImageLimits(20, 5 * MB, 5 * MB, ALL_TYPES[:3]),
    Network.FACEBOOK: ImageLimits(10, 10 * MB, 10 * MB, ALL_TYPES[:3]),
}
# Nothing heavier is read at all, whatever the networks.
IMAGE_MAX_BYTES = max(limits.gif_bytes for limits in NETWORK_IMAGE_LIMITS.values())
# New images one submission may carry (the most any network takes).
IMAGE_SLOTS = max(limits.count for limits in NETWORK_IMAGE_LIMITS.values())
TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WebP"}


def image_type(head: bytes) -> str | None:
    """The image type the first bytes say, whatever the browser claimed (None: not one)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True)
class ImageChoice:
    """One image of the post as the form understood it: a new upload or one kept."""

    name: str
    content_type: str
    size: int
    description: str
    network: str
    upload: UploadedFile | None = None
    media: PostMedia | None = None


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
    """Channels, one text per network and language, a link, images, and when: at a time,
    in the queue, recurring, or a draft."""

    ACTION_SCHEDULE = "schedule"
    ACTION_DRAFT = "draft"
    MODE_AT = "at"
    MODE_QUEUE = "queue"
    MODE_RECURRING = "recurring"
    MODE_DRAFT = "draft"

    link = forms.URLField(
        label=gettext_lazy("Link"), required=False, max_length=1000, assume_scheme="https"
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("When"),
        choices=[
            (MODE_AT, gettext_lazy("At a time")),
            (MODE_QUEUE, gettext_lazy("Add to the queue")),
            (MODE_RECURRING, gettext_lazy("Recurring")),
            (MODE_DRAFT, gettext_lazy("Draft")),
        ],
        initial=MODE_AT,
        required=False,
        widget=forms.RadioSelect,
    )
    scheduled_at = forms.DateTimeField(
        label=gettext_lazy("Publish on"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    frequency = forms.ChoiceField(
        label=gettext_lazy("Repeat"),
        choices=Series.Frequency.choices,
        initial=Series.Frequency.WEEKLY,
        required=False,
    )
    interval = forms.IntegerField(
        label=gettext_lazy("Every"), min_value=1, max_value=52, initial=1, required=False
    )
    ends_on = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    action = forms.ChoiceField(
        choices=[(ACTION_SCHEDULE, ACTION_SCHEDULE), (ACTION_DRAFT, ACTION_DRAFT)],
        initial=ACTION_SCHEDULE,
    )
    # Holds the images' errors (its value is never read: images come as image_* fields).
    images = forms.CharField(required=False)

    def __init__(
        self,
        *args: Any,
        channels: list[Channel],
        time_zone: str,
        default_language: str = "fr",
        now: datetime | None = None,
        media: list[PostMedia] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channels = {str(channel.pk): channel for channel in channels}
        self.time_zone = time_zone
        self.now = now
        self.post_media = list(media or [])
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
        targets = [("", _("Every network"))] + [
            (network, Network(network).label) for network in self.networks
        ]
        # The images already kept with the post (when editing), then the new ones.
        for item in self.post_media:
            self.fields[f"media_alt_{item.pk}"] = forms.CharField(
                required=False, max_length=1500, initial=item.description
            )
            self.fields[f"media_network_{item.pk}"] = forms.ChoiceField(
                choices=targets, required=False, initial=item.network
            )
            self.fields[f"media_remove_{item.pk}"] = forms.BooleanField(required=False)
        for slot in range(IMAGE_SLOTS):
            self.fields[f"image_file_{slot}"] = forms.FileField(required=False)
            self.fields[f"image_alt_{slot}"] = forms.CharField(required=False, max_length=1500)
            self.fields[f"image_network_{slot}"] = forms.ChoiceField(
                choices=targets, required=False
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
        data["image_choices"] = self._clean_images(data, {c.network for c in chosen})
        data["mode"] = self._clean_when(data)
        return data

    def _clean_when(self, data: dict[str, Any]) -> str:
        """The mode and its fields; returns the mode (the draft button wins over the radio)."""
        mode = data.get("mode") or self.MODE_AT
        if data.get("action") == self.ACTION_DRAFT:
            mode = self.MODE_DRAFT
        when = data.get("scheduled_at")
        if when is not None:
            # The browser sends wall-clock time: it is the user's, not the server's.
            when = timezone.make_aware(when.replace(tzinfo=None), ZoneInfo(self.time_zone))
            data["scheduled_at"] = when
        if mode in (self.MODE_AT, self.MODE_RECURRING):
            if when is None:
                self.add_error("scheduled_at", _("Pick the date and time of publication."))
            elif when <= (self.now or timezone.now()):
                self.add_error("scheduled_at", _("This time is already past: pick a time to come."))
        if mode == self.MODE_RECURRING:
            if not data.get("frequency"):
                self.add_error("frequency", _("Choose how often it repeats."))
            if not data.get("interval"):
                data["interval"] = 1
            ends_on: date | None = data.get("ends_on")
            if ends_on is None:
                self.add_error("ends_on", _("Pick the last day it may repeat."))
            elif when is not None and ends_on < timezone.localtime(when, when.tzinfo).date():
                self.add_error("ends_on", _("The last day comes before the first time."))
        return str(mode)

    def _clean_images(self, data: dict[str, Any], networks: set[str]) -> list[ImageChoice]:
        images: list[ImageChoice] = []
        for item in self.post_media:
            if data.get(f"media_remove_{item.pk}"):
                continue
            images.append(
                ImageChoice(
                    name=item.file.name.rsplit("/", 1)[-1],
                    content_type=item.content_type,
                    size=stored_size(item),
                    description=data.get(f"media_alt_{item.pk}") or "",
                    network=data.get(f"media_network_{item.pk}") or "",
                    media=item,
                )
            )
        for slot in range(IMAGE_SLOTS):
            upload: UploadedFile | None = data.get(f"image_file_{slot}")
            if upload is None:
                continue
            name = upload.name or _("image %(number)s") % {"number": slot + 1}
            kind = _sniff(upload)
            if kind is None:
                self.add_error(
                    "images",
                    _("%(name)s is not a JPEG, PNG, GIF or WebP image.") % {"name": name},
                )
                continue
            if (upload.size or 0) > IMAGE_MAX_BYTES:
                self.add_error(
                    "images",
                    _("%(name)s weighs %(size)s: no network takes images over %(limit)s.")
                    % {
                        "name": name,
                        "size": filesizeformat(upload.size or 0),
                        "limit": filesizeformat(IMAGE_MAX_BYTES),
                    },
                )
                continue
            images.append(
                ImageChoice(
                    name=name,
                    content_type=kind,
                    size=upload.size or 0,
                    description=data.get(f"image_alt_{slot}") or "",
                    network=data.get(f"image_network_{slot}") or "",
                    upload=upload,
                )
            )
        for error in images_errors(images, networks):
            self.add_error("images", error)
        return images


def images_errors(images: list[ImageChoice], networks: set[str]) -> list[str]:
    """Every reason the chosen networks would refuse these images, said per network."""
    errors: list[str] = []
    for image in images:
        if image.network and image.network not in networks:
            errors.append(
                _("%(name)s is for %(network)s, but no %(network)s account is chosen.")
                % {"name": image.name, "network": Network(image.network).label}
            )
    for network in [n for n in Network.values if n in networks]:
        limits = NETWORK_IMAGE_LIMITS[network]
        label = Network(network).label
        mine = [image for image in images if image.network in ("", network)]
        if len(mine) > limits.count:
            errors.append(
                _(
                    "%(network)s accepts %(count)s images at most; "
                    "you chose %(chosen)s for %(network)s."
                )
                % {"network": label, "count": limits.count, "chosen": len(mine)}
            )
        for image in mine:
            if image.content_type not in limits.types:
                errors.append(
                    _("%(network)s does not take %(type)s images: %(name)s cannot go there.")
                    % {
                        "network": label,
                        "type": TYPE_NAMES.get(image.content_type, image.content_type),
                        "name": image.name,
                    }
                )
                continue
            limit = limits.gif_bytes if image.content_type == "image/gif" else limits.max_bytes
            if image.size > limit:
                errors.append(
                    _("%(name)s weighs %(size)s: %(network)s takes images up to %(limit)s.")
                    % {
                        "name": image.name,
                        "size": filesizeformat(image.size),
                        "network": label,
                        "limit": filesizeformat(limit),
                    }
                )
            if len(image.description) > limits.alt_characters:
                errors.append(
                    _(
                        "The description of %(name)s is too long for %(network)s: "
                        "%(limit)s characters at most."
                    )
                    % {"name": image.name, "network": label, "limit": limits.alt_characters}
                )
    return errors


def _sniff(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return image_type(head)


def stored_size(item: PostMedia) -> int:
    try:
        return int(item.file.size)
    except OSError:
        # A file gone from storage weighs nothing here; the engine will say it is missing.
        return 0


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

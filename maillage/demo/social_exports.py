"""Fictional Facebook, X, Mastodon and Bluesky exports, written exactly as each network writes them.

Formats and quirks are those of /work/shared/FORMATS.md (and docs/import-*.md): the real
importers read these files, so the demo goes through the same path as a member's upload. The
same seed and the same `now` give byte-identical files.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from maillage.demo import car
from maillage.demo.generator import export_write, member_folder, zip_write
from maillage.demo.networks import (
    BLUESKY,
    FACEBOOK,
    MASTODON,
    Account,
    NetworkActivity,
    SocialPost,
    X,
    networks_activity,
)
from maillage.demo.plan import ZONE, DemoPlan, MemberPlan, ascii_slug, member_activity

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
# X's snowflake ids count milliseconds from this moment (2010-11-04).
TWITTER_EPOCH_MS = 1_288_834_974_657


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# Words that tell the demo's English texts from its French ones.
ENGLISH_WORDS = frozenset({"the", "and", "to", "with", "you", "is", "are", "of", "well", "for"})


def _language(text: str) -> str:
    """The language a network would detect in one of the demo's texts (French or English)."""
    return "en" if len(ENGLISH_WORDS.intersection(text.lower().split())) >= 2 else "fr"


# --- X ----------------------------------------------------------------------------------------


def x_created_at(moment: datetime) -> str:
    """`Thu Nov 03 08:50:26 +0000 2022`: English names whatever the account's language."""
    moment = _utc(moment)
    return (
        f"{DAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0000 {moment.year}"
    )


def _x_escape(text: str) -> str:
    """X keeps `&amp;`, `&lt;` and `&gt;` in texts, and escapes nothing else."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _snowflake(rng: random.Random, moment: datetime) -> str:
    milliseconds = int(_utc(moment).timestamp() * 1000) - TWITTER_EPOCH_MS
    return str(max(milliseconds, 1) << 22 | rng.getrandbits(22))


def _ytd(name: str, items: list[Any]) -> str:
    """`window.YTD.<name>.part0 = [...]`, indented as X writes it (`"key" : value`)."""
    body = json.dumps(items, indent=2, ensure_ascii=False, separators=(",", " : "))
    return f"window.YTD.{name}.part0 = {body}"


def _tweet(rng: random.Random, post: SocialPost) -> dict[str, Any]:
    tweet_id = _snowflake(rng, post.when)
    text = post.text
    mentions: list[dict[str, Any]] = []
    extra: dict[str, Any] = {}
    if post.kind == "reshare" and post.target is not None:
        text = f"RT @{post.target.username}: {text}"[:280]
    elif post.kind == "reply" and post.target is not None:
        text = f"@{post.target.username} {text}"
        replied = str(int(tweet_id) - rng.randint(10**12, 10**15))
        extra = {
            "in_reply_to_status_id_str": replied,
            "in_reply_to_status_id": replied,
            "in_reply_to_user_id": post.target.number,
            "in_reply_to_user_id_str": post.target.number,
            "in_reply_to_screen_name": post.target.username,
        }
    if post.target is not None and post.kind != "original":
        end = len(post.target.username) + (4 if post.kind == "reshare" else 1)
        mentions.append(
            {
                "name": post.target.name,
                "screen_name": post.target.username,
                "indices": ["3" if post.kind == "reshare" else "0", str(end)],
                "id_str": post.target.number,
                "id": post.target.number,
            }
        )
    counted = post.kind != "reshare"  # a retweet's counts are always "0" in the archive
    tweet = {
        "edit_info": {
            "initial": {
                "editTweetIds": [tweet_id],
                "editableUntil": _utc(post.when).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "editsRemaining": "5",
                "isEditEligible": post.kind == "original",
            }
        },
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {"hashtags": [], "symbols": [], "user_mentions": mentions, "urls": []},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": str(post.likes if counted else 0),
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": str(post.reshares if counted else 0),
        "id": tweet_id,
        "created_at": x_created_at(post.when),
        "favorited": False,
        "full_text": _x_escape(text),
        "lang": _language(text),
        **extra,
    }
    return {"tweet": tweet}


def x_files(plan: DemoPlan, member: MemberPlan, found: NetworkActivity) -> dict[str, str]:
    """The `data/` folder of an X archive (with the page X puts next to it)."""
    rng = random.Random(f"{plan.seed}:{member.index}:x:files")
    me = found.me
    tweets = [_tweet(rng, post) for post in reversed(found.posts)]
    followers = [
        {
            "follower": {
                "accountId": account.number,
                "userLink": f"https://twitter.com/intent/user?user_id={account.number}",
            }
        }
        for account, _when in found.audience
    ]
    account = {
        "account": {
            "email": member.email,
            "createdVia": "web",
            "username": me.username,
            "accountId": me.number,
            "createdAt": _utc(found.joined).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "accountDisplayName": member.name,
        }
    }
    profile = {
        "profile": {
            "description": {
                "bio": _x_escape(found.bio),
                "website": f"https://t.co/{rng.getrandbits(40):010x}",
                "location": f"{member.place}, Québec",
            },
            "avatarMediaUrl": f"https://pbs.twimg.com/profile_images/{me.number}/avatar.jpg",
        }
    }
    parts: dict[str, tuple[str, list[Any]]] = {
        "account": ("data/account.js", [account]),
        "profile": ("data/profile.js", [profile]),
        "tweets": ("data/tweets.js", tweets),
        "follower": ("data/follower.js", followers),
    }
    generated = _utc(plan.now).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    config = {
        "userInfo": {"accountId": me.number, "userName": me.username, "displayName": member.name},
        "archiveInfo": {
            "sizeBytes": str(20_000 + 900 * len(tweets)),
            "generationDate": generated,
            "isPartialArchive": False,
            "maxPartSizeBytes": "53687091200",
        },
        "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
        "dataTypes": {
            data_type: {
                "files": [
                    {
                        "fileName": file_name,
                        "globalName": f"YTD.{data_type}.part0",
                        "count": str(len(items)),
                    }
                ]
            }
            for data_type, (file_name, items) in parts.items()
        },
    }
    files = {"data/manifest.js": "window.__THAR_CONFIG = " + json.dumps(config, indent=2)}
    for data_type, (file_name, items) in parts.items():
        files[file_name] = _ytd(data_type, items)
    files["data/README.txt"] = "Twitter archive\n"
    files["Your archive.html"] = "<!DOCTYPE html><html><body>Your archive</body></html>\n"
    return files


def x_archive_name(plan: DemoPlan, member: MemberPlan) -> str:
    rng = random.Random(f"{plan.seed}:{member.index}:x:name")
    return f"twitter-{plan.today:%Y-%m-%d}-{rng.getrandbits(128):032x}.zip"


# --- Mastodon ---------------------------------------------------------------------------------


def _stamp(moment: datetime) -> str:
    return f"{_utc(moment):%Y-%m-%dT%H:%M:%S}Z"


def _html(text: str) -> str:
    """Mastodon's markup for a status: paragraphs, `<br />`, and its HTML escapes."""
    escaped = (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )
    return "".join(f"<p>{part.replace(chr(10), '<br />')}</p>" for part in escaped.split("\n\n"))


def _mention(account: Account) -> str:
    return (
        f'<span class="h-card" translate="no"><a href="https://{account.instance}/@'
        f'{account.username}" class="u-url mention">@<span>{account.username}</span></a></span>'
    )


def _status_id(rng: random.Random, moment: datetime) -> str:
    """Mastodon ids: milliseconds since 1970, then 16 random bits."""
    return str(int(_utc(moment).timestamp() * 1000) << 16 | rng.getrandbits(16))


def _mastodon_item(rng: random.Random, me: Account, post: SocialPost) -> dict[str, Any]:
    number = _status_id(rng, post.when)
    uri = f"{me.actor}/statuses/{number}"
    followers = f"{me.actor}/followers"
    if post.kind == "reshare" and post.target is not None:
        boosted = f"{post.target.actor}/statuses/{_status_id(rng, post.when)}"
        return {
            "id": f"{uri}/activity",
            "type": "Announce",
            "actor": me.actor,
            "published": _stamp(post.when),
            "to": [PUBLIC],
            "cc": [post.target.actor, followers],
            "object": boosted,
        }
    content = _html(post.text)
    reply_to = None
    cc = [followers]
    tags: list[dict[str, Any]] = []
    if post.kind == "reply" and post.target is not None:
        reply_to = f"{post.target.actor}/statuses/{_status_id(rng, post.when)}"
        content = f"<p>{_mention(post.target)} " + content.removeprefix("<p>")
        cc.append(post.target.actor)
        tags.append(
            {
                "type": "Mention",
                "href": post.target.actor,
                "name": f"@{post.target.username}@{post.target.instance}",
            }
        )
    language = _language(post.text)
    status = {
        "id": uri,
        "type": "Note",
        "summary": None,
        "inReplyTo": reply_to,
        "published": _stamp(post.when),
        "url": f"https://{me.instance}/@{me.username}/{number}",
        "attributedTo": me.actor,
        "to": [PUBLIC],
        "cc": cc,
        "sensitive": False,
        "atomUri": uri,
        "inReplyToAtomUri": reply_to,
        "conversation": (
            f"tag:{me.instance},{post.when.year}:objectId={number}:objectType=Conversation"
        ),
        "content": content,
        "contentMap": {language: content},
        "attachment": [],
        "tag": tags,
        "replies": {
            "id": f"{uri}/replies",
            "type": "Collection",
            "first": {
                "type": "CollectionPage",
                "next": f"{uri}/replies?only_other_accounts=true&page=true",
                "partOf": f"{uri}/replies",
                "items": [],
            },
        },
        "likes": {"id": f"{uri}/likes", "type": "Collection", "totalItems": post.likes},
        "shares": {"id": f"{uri}/shares", "type": "Collection", "totalItems": post.reshares},
    }
    return {
        "id": f"{uri}/activity",
        "type": "Create",
        "actor": me.actor,
        "published": _stamp(post.when),
        "to": [PUBLIC],
        "cc": cc,
        "object": status,
    }


MASTODON_CONTEXT: list[Any] = [
    "https://www.w3.org/ns/activitystreams",
    {"ostatus": "http://ostatus.org#", "sensitive": "as:sensitive", "toot": "http://joinmastodon.org/ns#"},
]  # fmt: skip


def mastodon_files(plan: DemoPlan, member: MemberPlan, found: NetworkActivity) -> dict[str, str]:
    """`outbox.json` and `actor.json` of a Mastodon archive (4.1+)."""
    rng = random.Random(f"{plan.seed}:{member.index}:mastodon:files")
    me = found.me
    items = [_mastodon_item(rng, me, post) for post in found.posts]
    # `totalItems` is the account's status counter: it also counts deleted statuses.
    head = {
        "@context": MASTODON_CONTEXT,
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": len(items) + rng.randint(0, 5),
    }
    # Some archives write the items key twice, the empty one first (see FORMATS.md).
    listed = json.dumps(items, ensure_ascii=False, separators=(",", ":"))
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    repeated = '"orderedItems":[],' if rng.random() < 0.5 else ""
    outbox = f'{opening},{repeated}"orderedItems":{listed}}}'
    actor = {
        "@context": MASTODON_CONTEXT,
        "id": me.actor,
        "type": "Person",
        "following": f"{me.actor}/following",
        "followers": f"{me.actor}/followers",
        "inbox": f"{me.actor}/inbox",
        "outbox": "outbox.json",
        "preferredUsername": me.username,
        "name": member.name,
        "summary": _html(found.bio),
        "url": f"https://{me.instance}/@{me.username}",
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "published": f"{_utc(found.joined):%Y-%m-%d}T00:00:00Z",
        "tag": [],
        "attachment": [
            {
                "type": "PropertyValue",
                "name": "LinkedIn",
                "value": (
                    f'<a href="{member.url}" target="_blank" rel="nofollow noopener me" '
                    f'translate="no"><span class="invisible">https://www.</span><span class="">'
                    f'{member.url.removeprefix("https://www.")}</span><span class="invisible">'
                    "</span></a>"
                ),
            }
        ],
        "endpoints": {"sharedInbox": f"https://{me.instance}/inbox"},
        "likes": "likes.json",
        "bookmarks": "bookmarks.json",
    }
    return {"outbox.json": outbox, "actor.json": json.dumps(actor, ensure_ascii=False)}


def mastodon_archive_name(plan: DemoPlan, member: MemberPlan) -> str:
    rng = random.Random(f"{plan.seed}:{member.index}:mastodon:name")
    return f"archive-{_utc(plan.now):%Y%m%d%H%M%S}-{rng.getrandbits(128):032x}.zip"


# --- Facebook ---------------------------------------------------------------------------------


def mojibake(value: Any) -> Any:
    """Facebook's encoding of every string: each UTF-8 byte as its own character (`\\u00c3\\u00a9`
    for `é` once JSON-escaped)."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [mojibake(item) for item in value]
    if isinstance(value, dict):
        return {key: mojibake(item) for key, item in value.items()}
    return value


def _facebook_json(value: Any) -> str:
    # ASCII escapes, two-space indents: what "Download your information" writes.
    return json.dumps(mojibake(value), indent=2, ensure_ascii=True)


def _seconds(moment: datetime) -> int:
    return int(_utc(moment).timestamp())


def facebook_files(plan: DemoPlan, member: MemberPlan, found: NetworkActivity) -> dict[str, str]:
    """The current layout of a JSON "Download your information" archive."""
    rng = random.Random(f"{plan.seed}:{member.index}:facebook:files")
    french = member.language == "fr"
    name = member.name
    posts = []
    for post in reversed(found.posts):
        item: dict[str, Any] = {"timestamp": _seconds(post.when)}
        if post.link:
            item["attachments"] = [{"data": [{"external_context": {"url": post.link}}]}]
        elif post.photo:
            uri = f"your_facebook_activity/posts/media/Photos_{rng.getrandbits(40):010x}.jpg"
            media = {"uri": uri, "creation_timestamp": _seconds(post.when), "title": ""}
            item["attachments"] = [{"data": [{"media": media}]}]
        data: list[dict[str, Any]] = [{"post": post.text}] if post.text else []
        item["data"] = [*data, {"update_timestamp": _seconds(post.when)}]
        if post.photo:
            item["title"] = f"{name} a ajouté une photo." if french else f"{name} added a photo."
        elif rng.random() < 0.5:
            item["title"] = (
                f"{name} a mis à jour son statut." if french else f"{name} updated their status."
            )
        posts.append(item)
    comments = [
        {
            "timestamp": _seconds(when),
            "data": [{"comment": {"timestamp": _seconds(when), "comment": text, "author": name}}],
            "title": (
                f"{name} a commenté la publication de {whose.name}."
                if french
                else f"{name} commented on {whose.name}'s post."
            ),
        }
        for when, text, whose in reversed(found.comments)
    ]
    reactions = [
        {
            "timestamp": _seconds(when),
            "data": [{"reaction": {"reaction": kind, "actor": name}}],
            "title": (
                f"{name} a réagi à la publication de {whose.name}."
                if french
                else f"{name} reacted to {whose.name}'s post."
            ),
        }
        for when, kind, whose in reversed(found.reactions)
    ]
    friends = [
        {"name": account.name, "timestamp": _seconds(when)}
        for account, when in reversed(found.audience)
    ]
    profile = {
        "profile_v2": {
            "name": {
                "full_name": name,
                "first_name": member.first_name,
                "middle_name": "",
                "last_name": member.last_name,
            },
            "emails": {"emails": [member.email], "previous_emails": [], "pending_emails": []},
            "current_city": {"name": f"{member.place}, Québec", "timestamp": 0},
            "registration_timestamp": _seconds(found.joined),
            "profile_uri": f"https://www.facebook.com/{found.me.username}",
        }
    }
    activity = "your_facebook_activity"
    return {
        "personal_information/profile_information/profile_information.json": _facebook_json(
            profile
        ),
        f"{activity}/posts/your_posts__check_ins__photos_and_videos_1.json": _facebook_json(posts),
        f"{activity}/comments_and_reactions/comments.json": _facebook_json(
            {"comments_v2": comments}
        ),
        f"{activity}/comments_and_reactions/likes_and_reactions_1.json": _facebook_json(reactions),
        "connections/friends/your_friends.json": _facebook_json({"friends_v2": friends}),
    }


def facebook_archive_name(plan: DemoPlan, member: MemberPlan) -> str:
    rng = random.Random(f"{plan.seed}:{member.index}:facebook:name")
    suffix = "".join(
        rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for _ in range(8)
    )
    return f"facebook-{ascii_slug(member.name).replace('-', '')}-{plan.today:%Y-%m-%d}-{suffix}.zip"


# --- Bluesky ----------------------------------------------------------------------------------


def _created_at(moment: datetime) -> str:
    return _utc(moment).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _strong_ref(rng: random.Random, account: Account, moment: datetime) -> dict[str, str]:
    """A reference to someone's post: its `at://` URI and the CID of its record, as a string."""
    rkey = car.tid(moment, rng.getrandbits(10))
    return {
        "uri": f"at://{account.number}/app.bsky.feed.post/{rkey}",
        "cid": car.cid_text(car.cid_of(rng.randbytes(16))),
    }


def bluesky_records(plan: DemoPlan, member: MemberPlan, found: NetworkActivity) -> dict[str, Any]:
    """Every record of the member's repository, keyed `collection/rkey`."""
    rng = random.Random(f"{plan.seed}:{member.index}:bluesky:files")
    records: dict[str, Any] = {}

    def add(collection: str, moment: datetime, value: dict[str, Any]) -> None:
        key = f"{collection}/{car.tid(moment, rng.getrandbits(10))}"
        while key in records:  # two records in the same microsecond get different clock ids
            key = f"{collection}/{car.tid(moment, rng.getrandbits(10))}"
        records[key] = {"$type": collection, **value}

    for post in found.posts:
        stamp = _created_at(post.when)
        if post.kind == "reshare" and post.target is not None:
            subject = _strong_ref(rng, post.target, post.when)
            add("app.bsky.feed.repost", post.when, {"subject": subject, "createdAt": stamp})
            continue
        value: dict[str, Any] = {"text": post.text, "langs": [_language(post.text)]}
        if post.kind == "reply" and post.target is not None:
            parent = _strong_ref(rng, post.target, post.when)
            value["reply"] = {"root": parent, "parent": parent}
        elif post.link:
            value["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {"uri": post.link, "title": member.company, "description": ""},
            }
        value["createdAt"] = stamp
        add("app.bsky.feed.post", post.when, value)
    for when, _kind, whose in found.reactions:
        subject = _strong_ref(rng, whose, when)
        add("app.bsky.feed.like", when, {"subject": subject, "createdAt": _created_at(when)})
    for account, when in found.audience:
        add(
            "app.bsky.graph.follow",
            when,
            {"subject": account.number, "createdAt": _created_at(when)},
        )
    records["app.bsky.actor.profile/self"] = {
        "$type": "app.bsky.actor.profile",
        "displayName": member.name,
        "description": found.bio,
    }
    # Bluesky's chat service keeps its setting in the same repository: not imported.
    records["chat.bsky.actor.declaration/self"] = {
        "$type": "chat.bsky.actor.declaration",
        "allowIncoming": "following",
    }
    return records


def bluesky_car(plan: DemoPlan, member: MemberPlan, found: NetworkActivity) -> bytes:
    rng = random.Random(f"{plan.seed}:{member.index}:bluesky:commit")
    records = bluesky_records(plan, member, found)
    return car.repo_car(found.me.number, records, car.tid(plan.now), rng.randbytes(64))


# --- writing ----------------------------------------------------------------------------------

Files = Callable[[DemoPlan, MemberPlan, NetworkActivity], dict[str, str]]
ZIPPED: dict[str, tuple[Files, Callable[[DemoPlan, MemberPlan], str]]] = {
    FACEBOOK: (facebook_files, facebook_archive_name),
    X: (x_files, x_archive_name),
    MASTODON: (mastodon_files, mastodon_archive_name),
}


@dataclass(frozen=True, slots=True)
class DemoArchive:
    email: str
    kind: str  # the importer's kind: "linkedin", "facebook", "x", "mastodon" or "bluesky"
    path: Path


def network_export_write(
    plan: DemoPlan, member: MemberPlan, found: NetworkActivity, directory: Path
) -> Path:
    """Write one member's export of one network, named as the network names it."""
    folder = member_folder(directory, member) / found.network
    folder.mkdir(parents=True, exist_ok=True)
    if found.network == BLUESKY:
        path = folder / "repo.car"
        path.write_bytes(bluesky_car(plan, member, found))
        return path
    files, name = ZIPPED[found.network]
    path = folder / name(plan, member)
    stamp = plan.now.astimezone(ZONE).timetuple()[:6]
    zip_write(
        path, {n: text.encode("utf-8") for n, text in files(plan, member, found).items()}, stamp
    )
    return path


def archives_write(plan: DemoPlan, directory: Path) -> list[DemoArchive]:
    """Every member's LinkedIn export, then their exports of other networks, in member order."""
    written: list[DemoArchive] = []
    for member in plan.members:
        # Drawn once: the other networks follow the member's LinkedIn pace and posts.
        activity = member_activity(plan, member)
        path = export_write(plan, member, directory, activity)
        written.append(DemoArchive(member.email, "linkedin", path))
        for found in networks_activity(plan, member, activity):
            path = network_export_write(plan, member, found, directory)
            written.append(DemoArchive(member.email, found.network, path))
    return written

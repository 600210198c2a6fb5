"""X (Twitter) archives as X writes them, quirks included, written into tmp_path.

Every data file is `window.YTD.<name>.part<N> = [ ... ]` (JSON indented by two spaces, as X
does), numbers are strings, texts keep `&amp;` `&lt;` `&gt;`; `data/manifest.js` lists every part
with its count. `archive_members` builds a whole 2026 archive; older shapes (`tweet.js`, posts
not wrapped in `{"tweet": ...}`) come from the same builders.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

OWNER_ID = "1587390123456789012"
USERNAME = "MarieTremblayQc"
DISPLAY_NAME = "Marie Tremblay"
EMAIL = "marie.tremblay@example.com"
BIO = "Développement des affaires B2B &amp; vente-conseil à Québec"
ARCHIVE_NAME = "twitter-2026-11-29-3f2a9c1d7e5b4a60.zip"
MEMBER_TIME = (2026, 11, 29, 9, 30, 0)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# Ids of the posts of the whole archive (snowflakes, growing with time).
ORIGINAL = "1862101234567890001"
ENTITIES = "1862101234567890002"
RETWEET = "1862101234567890003"
REPLY = "1862101234567890004"
THREAD = "1862101234567890005"
QUOTE = "1862101234567890006"
MEDIA = "1862101234567890007"
LONG = "1862101234567890008"
OLDER = "1862101234567890009"
OTHER_POST = "1861000000000000042"
OTHER_ACCOUNT = "14567890"
LONG_TEXT = (
    "Retour sur le déjeuner-causerie de la Chambre de commerce de Québec : trois leçons pour "
    "les directeurs des ventes qui veulent être recommandés plutôt que de prospecter à froid. "
    "Un : soyez visibles avant d'avoir besoin de l'être. Deux : publiez ce que vous savez, pas "
    "ce que vous vendez. Trois : demandez la recommandation, vos clients satisfaits ne "
    "l'offriront pas d'eux-mêmes. Le cercle se réunit de nouveau le 12 décembre au Château "
    "Frontenac, inscrivez-vous auprès de l'équipe."
)


def stamp(moment: datetime) -> str:
    """`Thu Nov 03 08:50:26 +0000 2022`, X's `created_at` (English names whatever the locale)."""
    return (
        f"{DAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} +0000 {moment.year}"
    )


def at(day: int, hour: int = 14, minute: int = 5, second: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def url_entity(expanded: str, short: str) -> dict[str, Any]:
    return {
        "url": short,
        "expanded_url": expanded,
        "display_url": expanded.split("://", 1)[-1][:26],
        "indices": ["100", "123"],
    }


def media_entity(media_url: str, short: str) -> dict[str, Any]:
    return {
        "expanded_url": f"https://x.com/{USERNAME}/status/{MEDIA}/photo/1",
        "indices": ["60", "83"],
        "url": short,
        "media_url": media_url.replace("https://", "http://"),
        "id_str": "1862101230000000777",
        "media_url_https": media_url,
        "type": "photo",
        "display_url": "pic.x.com/aBcDeFg",
    }


def tweet(
    tweet_id: str,
    created: datetime,
    text: str,
    *,
    likes: str = "0",
    retweets: str = "0",
    lang: str = "fr",
    urls: Sequence[dict[str, Any]] = (),
    media: Sequence[dict[str, Any]] = (),
    reply_to: tuple[str, str, str] | None = None,
    edit_ids: Sequence[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One post as tweets.js holds it (unwrapped; see `wrapped`). `reply_to`: (post id, account
    id, handle); `edit_ids`: every version's id when the post was edited."""
    edit_info: dict[str, Any]
    ids = list(edit_ids or [tweet_id])
    if ids[0] == tweet_id:
        edit_info = {
            "initial": {
                "editTweetIds": ids,
                "editableUntil": "2026-11-01T15:05:00.000Z",
                "editsRemaining": "5",
                "isEditEligible": True,
            }
        }
    else:
        edit_info = {
            "edit": {
                "initialTweetId": ids[0],
                "editControlInitial": {
                    "editTweetIds": ids,
                    "editableUntil": "2026-11-01T15:05:00.000Z",
                    "editsRemaining": "4",
                    "isEditEligible": True,
                },
            }
        }
    item: dict[str, Any] = {
        "edit_info": edit_info,
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "hashtags": [],
            "symbols": [],
            "user_mentions": [],
            "urls": list(urls),
        },
        "display_text_range": ["0", str(len(text))],
        "favorite_count": likes,
        "id_str": tweet_id,
        "truncated": False,
        "retweet_count": retweets,
        "id": tweet_id,
        "created_at": stamp(created),
        "favorited": False,
        "full_text": text,
        "lang": lang,
    }
    if media:
        item["entities"]["media"] = list(media)
        item["extended_entities"] = {"media": list(media)}
    if reply_to is not None:
        post_id, account_id, handle = reply_to
        item["in_reply_to_status_id_str"] = post_id
        item["in_reply_to_status_id"] = post_id
        item["in_reply_to_user_id_str"] = account_id
        item["in_reply_to_user_id"] = account_id
        item["in_reply_to_screen_name"] = handle
    item.update(extra)
    return item


def wrapped(items: Sequence[dict[str, Any]], wrapper: str = "tweet") -> list[dict[str, Any]]:
    """Items as X wrote them from 2020: each inside `{"<wrapper>": ...}`."""
    return [{wrapper: item} for item in items]


def ytd(name: str, items: Any, part: int = 0) -> str:
    """A data file: `window.YTD.<name>.part<N> = ` and the JSON, indented as X does."""
    return f"window.YTD.{name}.part{part} = " + json.dumps(items, indent=2, ensure_ascii=False)


def manifest(
    parts: Mapping[str, Sequence[tuple[str, int]]],
    user: tuple[str, str, str] = (OWNER_ID, USERNAME, DISPLAY_NAME),
) -> str:
    """`data/manifest.js`: data type -> [(file name, count)], as `window.__THAR_CONFIG`."""
    account_id, username, display_name = user
    data_types: dict[str, Any] = {}
    for data_type, files in parts.items():
        data_types[data_type] = {
            "files": [
                {
                    "fileName": file_name,
                    "globalName": f"YTD.{_global(file_name)}.part{number}",
                    "count": str(count),
                }
                for number, (file_name, count) in enumerate(files)
            ]
        }
    config = {
        "userInfo": {"accountId": account_id, "userName": username, "displayName": display_name},
        "archiveInfo": {
            "sizeBytes": "48213377",
            "generationDate": "2026-11-29T09:30:00.000Z",
            "isPartialArchive": False,
            "maxPartSizeBytes": "53687091200",
        },
        "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
        "dataTypes": data_types,
    }
    return "window.__THAR_CONFIG = " + json.dumps(config, indent=2)


def _global(file_name: str) -> str:
    stem = file_name.rsplit("/", 1)[-1].removesuffix(".js").split("-part", 1)[0]
    return stem.replace("-", "_")


def account(username: str = USERNAME, display_name: str = DISPLAY_NAME) -> str:
    return ytd(
        "account",
        [
            {
                "account": {
                    "email": EMAIL,
                    "createdVia": "web",
                    "username": username,
                    "accountId": OWNER_ID,
                    "createdAt": "2011-03-14T12:44:09.000Z",
                    "accountDisplayName": display_name,
                }
            }
        ],
    )


def profile() -> str:
    return ytd(
        "profile",
        [
            {
                "profile": {
                    "description": {
                        "bio": BIO,
                        "website": "https://t.co/Xy12AbCdEf",
                        "location": "Québec, Canada",
                    },
                    "avatarMediaUrl": "https://pbs.twimg.com/profile_images/1/avatar.jpg",
                    "headerMediaUrl": "https://pbs.twimg.com/profile_banners/1/1600000000",
                }
            }
        ],
    )


def likes(tweet_ids: Sequence[str]) -> str:
    return ytd(
        "like",
        wrapped(
            [
                {
                    "tweetId": tweet_id,
                    "fullText": f"Billet n° {tweet_id[-2:]} https://t.co/a{tweet_id[-4:]}",
                    "expandedUrl": f"https://twitter.com/i/web/status/{tweet_id}",
                }
                for tweet_id in tweet_ids
            ],
            "like",
        ),
    )


def accounts(name: str, account_ids: Sequence[str]) -> str:
    """follower.js or following.js: ids and links, nothing else."""
    return ytd(
        name,
        wrapped(
            [
                {
                    "accountId": account_id,
                    "userLink": f"https://twitter.com/intent/user?user_id={account_id}",
                }
                for account_id in account_ids
            ],
            name,
        ),
    )


def note_tweet(created: datetime, text: str, note_id: str = "1862101234500000000") -> str:
    return ytd(
        "note_tweet",
        [
            {
                "noteTweet": {
                    "noteTweetId": note_id,
                    "updatedAt": created.isoformat().replace("+00:00", ".000Z"),
                    "lifecycle": {
                        "value": "live",
                        "name": "Live",
                        "originalName": "live",
                        "annotations": {},
                    },
                    "createdAt": created.isoformat().replace("+00:00", ".000Z"),
                    "core": {
                        "styletags": [],
                        "urls": [],
                        "text": text,
                        "mentions": [],
                        "cashtags": [],
                        "hashtags": [],
                    },
                }
            }
        ],
    )


# --- the whole archive -------------------------------------------------------------------------


def posts_first_part() -> list[dict[str, Any]]:
    """tweets.js: an original, links, a retweet, a reply, a thread continuation."""
    return [
        tweet(
            ORIGINAL,
            at(3, 8, 50, 26),
            "Café-rencontre du cercle des ventes ce jeudi &amp; apportez vos cartes!",
            likes="12",
            retweets="3",
        ),
        tweet(
            ENTITIES,
            at(4),
            "Notre guide &lt;gratuit&gt; sur la recommandation https://t.co/Gu1de2026 "
            "(vu ici https://t.co/AnyPost01)",
            likes="7",
            retweets="1",
            urls=[
                url_entity(
                    "https://www.maillage.example/guide-recommandation", "https://t.co/Gu1de2026"
                ),
                url_entity(f"https://x.com/quelquun/status/{OTHER_POST}", "https://t.co/AnyPost01"),
            ],
            lang="fr",
        ),
        tweet(
            RETWEET,
            at(5),
            "RT @ChambreQuebec: Inscriptions ouvertes pour le Gala des entreprises 2026",
            lang="fr",
        ),
        tweet(
            REPLY,
            at(6),
            "@quelquun Merci pour la recommandation!",
            likes="2",
            reply_to=(OTHER_POST, OTHER_ACCOUNT, "quelquun"),
            lang="fr",
        ),
        tweet(
            THREAD,
            at(6, 14, 6),
            "2/ Et surtout : demandez la recommandation.",
            likes="4",
            reply_to=(ORIGINAL, OWNER_ID, USERNAME),
            lang="fr",
        ),
    ]


def posts_second_part() -> list[dict[str, Any]]:
    """tweets-part1.js: a quote, a photo, a long post (cut at 280), an English post."""
    cut = LONG_TEXT[:271] + "… https://t.co/LoNg0Note"
    return [
        tweet(
            QUOTE,
            at(7),
            "Exactement ce que je disais au cercle https://t.co/QuOtE0001",
            likes="9",
            retweets="2",
            urls=[
                url_entity(
                    f"https://twitter.com/ChambreQuebec/status/{OTHER_POST}",
                    "https://t.co/QuOtE0001",
                )
            ],
        ),
        tweet(
            MEDIA,
            at(8),
            "La salle est prête https://t.co/PhOtO0001",
            likes="30",
            retweets="5",
            media=[
                media_entity("https://pbs.twimg.com/media/GaBcDeF.jpg", "https://t.co/PhOtO0001")
            ],
        ),
        tweet(LONG, at(9, 10, 0, 0), cut, likes="21", retweets="6"),
        tweet(OLDER, at(10), "Sales tips for Quebec City", likes="1", lang="en"),
    ]


def archive_members(username: str = USERNAME, with_long: bool = True) -> dict[str, str]:
    """A 2026 archive's `data` folder (plus what else X puts in the zip)."""
    first, second = posts_first_part(), posts_second_part()
    liked = ["1850000000000000001", "1850000000000000002", "1850000000000000003"]
    followers = ["101", "102", "103", "104"]
    following = [OTHER_ACCOUNT, "202"]
    parts = {
        "account": [("data/account.js", 1)],
        "profile": [("data/profile.js", 1)],
        "tweets": [("data/tweets.js", len(first)), ("data/tweets-part1.js", len(second))],
        "noteTweet": [("data/note-tweet.js", 1)] if with_long else [],
        "deletedTweets": [("data/deleted-tweets.js", 1)],
        "like": [("data/like.js", len(liked))],
        "follower": [("data/follower.js", len(followers))],
        "following": [("data/following.js", len(following))],
        "directMessages": [("data/direct-messages.js", 1)],
    }
    members = {
        "data/manifest.js": manifest(parts, user=(OWNER_ID, username, DISPLAY_NAME)),
        "data/account.js": account(username),
        "data/profile.js": profile(),
        "data/tweets.js": ytd("tweets", wrapped(first)),
        "data/tweets-part1.js": ytd("tweets", wrapped(second), part=1),
        "data/deleted-tweets.js": ytd(
            "deleted_tweets",
            wrapped([tweet("1860000000000000999", at(1), "Oups, mauvaise date!")]),
        ),
        "data/like.js": likes(liked),
        "data/follower.js": accounts("follower", followers),
        "data/following.js": accounts("following", following),
        "data/direct-messages.js": ytd("direct_messages", [{"dmConversation": {"messages": []}}]),
        "data/README.txt": "Twitter archive README\n",
        "Your archive.html": "<!DOCTYPE html><html><body>Your archive</body></html>\n",
        "assets/js/main.0a1b2c3d.js": "(()=>{var e={};window.YTD=window.YTD||{}})();\n",
    }
    if with_long:
        members["data/note-tweet.js"] = note_tweet(at(9, 10, 0, 0), LONG_TEXT)
    return members


def export_zip(
    tmp_path: Path, members: Mapping[str, bytes | str], name: str = ARCHIVE_NAME
) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(zipfile.ZipInfo(member, MEMBER_TIME), data, zipfile.ZIP_DEFLATED)
    return path


def export_folder(tmp_path: Path, members: Mapping[str, bytes | str]) -> Path:
    """The archive unpacked (or a few of its files uploaded together) as a folder."""
    root = tmp_path / "upload"
    for member, data in members.items():
        path = root / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return root


def single_file(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path

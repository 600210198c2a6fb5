"""Fictional LinkedIn exports for the demo circle, written exactly as LinkedIn writes them.

The generator only writes files (formats and quirks of /work/shared/FORMATS.md); the real
importer reads them, so the demo takes the same path as a user's upload. The same seed and the
same `now` give byte-identical archives.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from maillage.demo import texts
from maillage.demo.plan import (
    ZONE,
    Activity,
    Archetype,
    DemoPlan,
    MemberPlan,
    ascii_slug,
    member_activity,
)

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CONNECTIONS_NOTES = (
    "When exporting your connection data, you may notice that some of the email addresses are "
    "missing. You will only see email addresses for connections who have allowed their "
    "connections to see or download their email address using this setting "
    "https://www.linkedin.com/psettings/privacy/email. You can learn more about this at "
    "https://www.linkedin.com/help/linkedin/answer/261"
)

# --- dates as LinkedIn writes them -------------------------------------------------------------


# Headers exactly as LinkedIn writes them (FORMATS.md); the benchmark writes the same files.
CONNECTIONS_HEADER = (
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
)
MESSAGES_HEADER = (
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def fmt_connected_on(day: date) -> str:
    return f"{day.day:02d} {MONTHS[day.month - 1]} {day.year}"


def fmt_share(moment: datetime) -> str:
    return f"{_utc(moment):%Y-%m-%d %H:%M:%S}"


def _clock(moment: datetime, pad_hour: bool) -> str:
    hour = moment.hour % 12 or 12
    hour_text = f"{hour:02d}" if pad_hour else str(hour)
    return f"{hour_text}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def fmt_invitation(moment: datetime) -> str:
    moment = _utc(moment)
    return f"{moment.month}/{moment.day}/{moment:%y}, {_clock(moment, pad_hour=False)}"


def fmt_recommendation(moment: datetime) -> str:
    moment = _utc(moment)
    return f"{moment.month:02d}/{moment.day:02d}/{moment:%y}, {_clock(moment, pad_hour=True)}"


def fmt_message(moment: datetime) -> str:
    return f"{_utc(moment):%Y-%m-%d %H:%M:%S} UTC"


def fmt_endorsement(moment: datetime) -> str:
    return f"{_utc(moment):%Y/%m/%d %H:%M:%S} UTC"


def fmt_follow(moment: datetime) -> str:
    moment = _utc(moment)
    return (
        f"{DAYS[moment.weekday()]} {MONTHS[moment.month - 1]} {moment.day:02d} "
        f"{moment:%H:%M:%S} UTC {moment.year}"
    )


# --- files ------------------------------------------------------------------------------------


def _csv(rows: Iterable[Sequence[str]], *, newline: str = "\r\n", **dialect: object) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline, **dialect)  # type: ignore[arg-type]
    writer.writerows(rows)
    return buffer.getvalue()


def _share_commentary(text: str) -> str:
    """Multi-line commentaries wrap each line in extra double quotes, as real exports do."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    return "\n".join(f'"{line}"' for line in lines)


def _activity_urn(rng: random.Random, kind: str = "activity") -> str:
    return f"https://www.linkedin.com/feed/update/urn%3Ali%3A{kind}%3A{rng.getrandbits(62)}"


RECOMMENDATION_HEADER = [
    "First Name", "Last Name", "Company", "Job Title", "Text", "Creation Date", "Status"
]  # fmt: skip


def export_files(
    plan: DemoPlan, member: MemberPlan, activity: Activity | None = None
) -> dict[str, str]:
    """File name -> text of one member's export (`activity`: already drawn for other networks)."""
    activity = activity or member_activity(plan, member)
    rng = random.Random(f"{plan.seed}:{member.index}:files")
    me = member.as_contact()
    files: dict[str, str] = {}

    connection_rows: list[list[str]] = [list(CONNECTIONS_HEADER)]
    for contact, day in activity.connections:
        if contact is None:
            connection_rows.append(["", "", "", "", "", "", fmt_connected_on(day)])
        else:
            connection_rows.append(
                [
                    contact.first_name,
                    contact.last_name,
                    contact.url,
                    contact.email,
                    contact.company,
                    contact.position,
                    fmt_connected_on(day),
                ]
            )
    files["Connections.csv"] = (
        "Notes:\r\n" + _csv([[CONNECTIONS_NOTES]]) + "\r\n" + _csv(connection_rows)
    )

    share_rows = [["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"]]
    for moment, text, shared in sorted(activity.posts, reverse=True):
        visibility = "MEMBER_NETWORK" if rng.random() < 0.8 else "CONNECTIONS_ONLY"
        link = _activity_urn(rng, "share")
        share_rows.append(
            [fmt_share(moment), link, _share_commentary(text), shared, "", visibility]
        )
    files["Shares.csv"] = _csv(share_rows)

    # Comments escape quotes as \" instead of doubling them (a real-export quirk).
    comment_rows = [["Date", "Link", "Message"]]
    for moment, text in sorted(activity.comments, reverse=True):
        comment_rows.append([fmt_share(moment), _activity_urn(rng), text])
    files["Comments.csv"] = _csv(comment_rows, escapechar="\\", doublequote=False)

    reaction_rows = [["Date", "Type", "Link"]]
    for moment, kind in sorted(activity.reactions, reverse=True):
        reaction_rows.append([fmt_share(moment), kind, _activity_urn(rng)])
    files["Reactions.csv"] = _csv(reaction_rows)

    invitation_rows = [
        ["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"]
    ]
    for moment, contact, outgoing in sorted(
        activity.invitations, key=lambda item: item[0], reverse=True
    ):
        sender, receiver = (me, contact) if outgoing else (contact, me)
        invitation_rows.append(
            [
                sender.name,
                receiver.name,
                fmt_invitation(moment),
                "",
                "OUTGOING" if outgoing else "INCOMING",
                sender.url,
                receiver.url,
            ]
        )
    files["Invitations.csv"] = _csv(invitation_rows)

    message_rows = [list(MESSAGES_HEADER)]
    messages: list[tuple[datetime, list[str]]] = []
    for contact, exchange in activity.conversations:
        conversation = f"2-{rng.getrandbits(120):030x}"
        for moment, sent_by_me, text in exchange:
            sender, receiver = (me, contact) if sent_by_me else (contact, me)
            row = [conversation, "", sender.name, sender.url, receiver.name, receiver.url]
            messages.append((moment, [*row, fmt_message(moment), "", text, "INBOX"]))
    message_rows += [row for _, row in sorted(messages, key=lambda item: item[0], reverse=True)]
    files["messages.csv"] = _csv(message_rows, newline="\n")

    files["Profile.csv"] = _csv([*_profile_rows(rng, member)], newline="\n")

    for name, items in (
        ("Recommendations_Received.csv", activity.recommendations_received),
        ("Recommendations_Given.csv", activity.recommendations_given),
    ):
        rows = [RECOMMENDATION_HEADER]
        for moment, contact, text in sorted(items, key=lambda item: item[0], reverse=True):
            rows.append(
                [
                    contact.first_name,
                    contact.last_name,
                    contact.company,
                    contact.position,
                    text,
                    fmt_recommendation(moment),
                    "VISIBLE",
                ]
            )
        files[name] = _csv(rows)

    endorsement_rows = [
        [
            "Endorsement Date",
            "Skill Name",
            "Endorser First Name",
            "Endorser Last Name",
            "Endorser Public Url",
            "Endorsement Status",
        ]
    ]
    for moment, contact, skill in sorted(
        activity.endorsements, key=lambda item: item[0], reverse=True
    ):
        endorsement_rows.append(
            [
                fmt_endorsement(moment),
                skill,
                contact.first_name,
                contact.last_name,
                contact.url.removeprefix("https://"),
                "ACCEPTED",
            ]
        )
    files["Endorsement_Received_Info.csv"] = _csv(endorsement_rows)

    follow_rows = [["Organization", "Followed On"]]
    for moment, company in sorted(activity.follows, reverse=True):
        follow_rows.append([company, fmt_follow(moment)])
    files["Company Follows.csv"] = _csv(follow_rows)
    return files


def _profile_rows(rng: random.Random, member: MemberPlan) -> list[list[str]]:
    """Active members fill their profile; inactive ones left most of it empty."""
    header = [
        "First Name",
        "Last Name",
        "Maiden Name",
        "Address",
        "Birth Date",
        "Headline",
        "Summary",
        "Industry",
        "Zip Code",
        "Geo Location",
        "Twitter Handles",
        "Websites",
        "Instant Messengers",
    ]
    values = {"place": member.place, "company": member.company, "position": member.position}
    if member.is_animator:
        headline, summary = texts.COACH_HEADLINE, texts.COACH_SUMMARY
    else:
        headline = texts.fill(rng.choice(texts.HEADLINES), rng, **values)
        summary = texts.fill(rng.choice(texts.SUMMARIES), rng, **values)
    domain = ascii_slug(member.company).removesuffix("-inc").removesuffix("-ltee")
    website = f"[COMPANY:https://{domain.removesuffix('-s-e-n-c')}.example]"
    keep = {
        Archetype.COACH: 5,
        Archetype.ACTIVE: 5,
        Archetype.OCCASIONAL: rng.randint(3, 4),
        Archetype.INACTIVE: rng.randint(1, 2),
    }[member.archetype]
    optional = [headline, member.industry, f"{member.place}, Québec, Canada", website, summary]
    optional = [value if i < keep else "" for i, value in enumerate(optional)]
    headline, industry, location, websites, summary = optional
    first, last = member.first_name, member.last_name
    row = [first, last, "", "", "", headline, summary, industry, "", location, "", websites, ""]
    return [header, row]


def zip_write(path: Path, files: dict[str, bytes], stamp: tuple[int, ...]) -> None:
    """A zip of `files` whose members all carry `stamp` (year, month, day, hour, minute, second)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            # A fixed timestamp keeps the archive byte-identical for the same seed and `now`.
            info = zipfile.ZipInfo(name, date_time=stamp[:6])  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def member_folder(directory: Path, member: MemberPlan) -> Path:
    folder = directory / f"member-{member.index:02d}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def export_write(
    plan: DemoPlan, member: MemberPlan, directory: Path, activity: Activity | None = None
) -> Path:
    """Write one member's `Basic_LinkedInDataExport_MM-DD-YYYY.zip` under `directory`."""
    path = member_folder(directory, member) / plan.archive_name
    files = export_files(plan, member, activity)
    stamp = plan.now.astimezone(ZONE).timetuple()[:6]
    zip_write(path, {name: text.encode("utf-8") for name, text in files.items()}, stamp)
    return path


def exports_write(plan: DemoPlan, directory: Path) -> dict[str, Path]:
    """Every member's archive; e-mail -> path."""
    return {member.email: export_write(plan, member, directory) for member in plan.members}

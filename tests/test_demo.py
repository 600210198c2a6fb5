"""The reproducible demo circle: fictional LinkedIn exports, imported for real, and the command."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from maillage.accounts.models import Circle, Membership, User
from maillage.demo.generator import export_files, exports_write
from maillage.demo.models import DemoUser
from maillage.demo.networks import networks_activity
from maillage.demo.plan import (
    ANIMATOR_EMAIL,
    CIRCLE_NAME,
    MEMBER_EMAIL,
    PASSWORD,
    ZONE,
    Archetype,
    WeekClock,
    demo_plan,
    faker_for,
    member_activity,
)
from maillage.demo.providers import DECISION_POSITIONS
from maillage.demo.services import demo_circle_build
from maillage.demo.social_exports import archives_write
from maillage.imports.importers.bluesky.repo import Repository
from maillage.imports.models import ImportRun
from maillage.imports.services import archive_import
from maillage.network.models import Connection
from maillage.presence.index import WeekActivity, activity_status
from maillage.presence.models import Post, PresenceSnapshot, SocialAccount
from maillage.presence.network_selectors import presence_networks
from maillage.presence.selectors import current_week

NOW = datetime(2026, 11, 29, 15, 0, tzinfo=UTC)


def _rows(text: str, **dialect: object) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), **dialect))  # type: ignore[arg-type]


def test_it_names_fictional_quebec_companies_and_french_positions():
    fake = faker_for(7)
    companies = {fake.quebec_company() for _ in range(50)}
    assert len(companies) > 30
    assert any(name.endswith((" inc.", " ltée", " S.E.N.C.")) for name in companies)
    titles = {fake.sales_position(feminine=True, decision_maker=True) for _ in range(20)}
    assert titles <= {feminine for _, feminine in DECISION_POSITIONS}
    assert "Directrice des ventes" in titles


def test_it_plans_25_members_with_the_documented_logins_and_archetypes():
    plan = demo_plan(42, now=NOW)
    emails = [member.email for member in plan.members]
    kinds = [member.archetype for member in plan.members]

    assert len(plan.members) == 25
    assert emails[0] == ANIMATOR_EMAIL
    assert MEMBER_EMAIL in emails
    assert len(set(emails)) == 25
    assert all(email.endswith("@example.com") for email in emails)
    assert kinds.count(Archetype.COACH) == 1
    assert kinds.count(Archetype.ACTIVE) == 4
    assert kinds.count(Archetype.OCCASIONAL) == 8
    assert kinds.count(Archetype.INACTIVE) == 12
    assert all(150 <= member.network_size <= 2_500 for member in plan.members)
    sharing = [member for member in plan.members if member.share_index]
    silent = [member for member in plan.members if not member.share_index]
    assert len(sharing) > 18
    assert 1 <= len(silent) <= 4


def test_it_writes_every_linkedin_file_with_the_real_headers_and_quirks(tmp_path):
    plan = demo_plan(42, members=8, scale=0.1, now=NOW)
    paths = exports_write(plan, tmp_path)

    archive = paths[ANIMATOR_EMAIL]
    assert archive.name == "Basic_LinkedInDataExport_11-29-2026.zip"
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        connections = zipped.read("Connections.csv").decode()
        comments = zipped.read("Comments.csv").decode()
    assert names == FILES
    rows = _rows(connections)
    assert rows[0] == ["Notes:"]
    assert rows[2] == []
    assert rows[3] == [
        "First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"
    ]  # fmt: skip
    assert all(len(row) == 7 for row in rows[4:])
    # Comments escape quotes with a backslash: read with escapechar, every row has 3 fields.
    assert all(len(row) == 3 for row in _rows(comments, escapechar="\\", doublequote=False))


def test_it_writes_dates_in_each_files_own_format():
    plan = demo_plan(42, members=5, scale=0.1, now=NOW)
    files = export_files(plan, plan.members[0])

    def first_value(name: str, column: str) -> str:
        rows = _rows(files[name], escapechar="\\", doublequote=False)
        return rows[1][rows[0].index(column)]

    assert datetime.strptime(first_value("Shares.csv", "Date"), "%Y-%m-%d %H:%M:%S")
    assert datetime.strptime(first_value("Invitations.csv", "Sent At"), "%m/%d/%y, %I:%M %p")
    assert datetime.strptime(first_value("messages.csv", "DATE"), "%Y-%m-%d %H:%M:%S UTC")
    assert datetime.strptime(
        first_value("Recommendations_Received.csv", "Creation Date"), "%m/%d/%y, %I:%M %p"
    )
    assert datetime.strptime(
        first_value("Endorsement_Received_Info.csv", "Endorsement Date"), "%Y/%m/%d %H:%M:%S UTC"
    )
    assert datetime.strptime(
        first_value("Company Follows.csv", "Followed On"), "%a %b %d %H:%M:%S UTC %Y"
    )
    connected_on = _rows(files["Connections.csv"])[4][-1]
    assert datetime.strptime(connected_on, "%d %b %Y")


def test_it_writes_identical_files_for_the_same_seed(tmp_path):
    first = archives_write(demo_plan(42, members=6, scale=0.1, now=NOW), tmp_path / "a")
    again = archives_write(demo_plan(42, members=6, scale=0.1, now=NOW), tmp_path / "b")
    other = archives_write(demo_plan(43, members=6, scale=0.1, now=NOW), tmp_path / "c")

    assert [(a.email, a.kind, a.path.name) for a in first] == [
        (a.email, a.kind, a.path.name) for a in again
    ]
    assert {a.kind for a in first} > {"linkedin"}
    assert all(
        a.path.read_bytes() == b.path.read_bytes() for a, b in zip(first, again, strict=True)
    )
    assert first[0].path.read_bytes() != other[0].path.read_bytes()


def test_it_puts_two_members_in_five_on_other_networks_at_the_pace_of_their_linkedin():
    plan = demo_plan(42, scale=0.05, now=NOW)
    elsewhere = [member for member in plan.members if member.networks]
    networks = Counter(network for member in elsewhere for network in member.networks)

    assert len(elsewhere) == 10
    assert all(1 <= len(member.networks) <= 2 for member in elsewhere)
    assert sum(len(member.networks) == 2 for member in elsewhere) >= 4
    # Both printed logins see the network-by-network table.
    assert {ANIMATOR_EMAIL, MEMBER_EMAIL} <= {member.email for member in elsewhere}
    assert set(networks) == {"facebook", "x", "mastodon", "bluesky"}
    assert [m.networks for m in demo_plan(42, scale=0.05, now=NOW).members] == [
        m.networks for m in plan.members
    ]
    year_ago = NOW - timedelta(weeks=52)
    for member in elsewhere:
        activity = member_activity(plan, member)
        latest = activity.latest
        assert latest is not None
        for found in networks_activity(plan, member, activity):
            moments = [post.when for post in found.posts] + [r[0] for r in found.reactions]
            moments += [comment[0] for comment in found.comments]
            # Nobody acts on another network after they stopped on LinkedIn...
            assert all(moment <= latest for moment in moments)
            recent = [post for post in found.posts if post.when >= year_ago]
            # ...and members who post on LinkedIn every week post there too.
            if member.archetype in (Archetype.COACH, Archetype.ACTIVE):
                assert len(recent) >= 10, (member.email, found.network)
            if member.archetype is Archetype.INACTIVE:
                assert len(recent) <= 6, (member.email, found.network)


def _archives(tmp_path: Path) -> dict[str, Path]:
    """One archive of each other network, from the full-size circle (networks shrunk)."""
    found: dict[str, Path] = {}
    for archive in archives_write(demo_plan(42, scale=0.05, now=NOW), tmp_path):
        found.setdefault(archive.kind, archive.path)
    return found


def _after_equals(text: str, head: str) -> Any:
    assert text.startswith(head)
    return json.loads(text.split("=", 1)[1])


def test_it_writes_an_x_archive_as_x_does(tmp_path):
    path = _archives(tmp_path)["x"]
    with zipfile.ZipFile(path) as zipped:
        names = set(zipped.namelist())
        manifest = _after_equals(
            zipped.read("data/manifest.js").decode(), "window.__THAR_CONFIG = "
        )
        tweets = _after_equals(zipped.read("data/tweets.js").decode(), "window.YTD.tweets.part0 = ")
        followers = _after_equals(
            zipped.read("data/follower.js").decode(), "window.YTD.follower.part0 = "
        )
        account = _after_equals(zipped.read("data/account.js").decode(), "window.YTD.account.part0")

    assert path.name.startswith("twitter-2026-11-29-") and path.suffix == ".zip"
    assert {"data/manifest.js", "data/account.js", "data/tweets.js", "data/follower.js"} <= names
    listed = manifest["dataTypes"]["tweets"]["files"]
    assert listed == [{"fileName": "data/tweets.js", "globalName": "YTD.tweets.part0",
                       "count": str(len(tweets))}]  # fmt: skip
    assert account[0]["account"]["username"] == manifest["userInfo"]["userName"]
    posts = [item["tweet"] for item in tweets]
    assert all(datetime.strptime(p["created_at"], "%a %b %d %H:%M:%S %z %Y") for p in posts)
    assert all(isinstance(p["favorite_count"], str) for p in posts)
    retweets = [p for p in posts if p["full_text"].startswith("RT @")]
    assert retweets and all(p["favorite_count"] == p["retweet_count"] == "0" for p in retweets)
    assert any(p.get("in_reply_to_status_id_str") for p in posts)
    assert followers and all(
        set(item["follower"]) == {"accountId", "userLink"} for item in followers
    )


def test_it_writes_a_mastodon_archive_as_mastodon_does(tmp_path):
    path = _archives(tmp_path)["mastodon"]
    with zipfile.ZipFile(path) as zipped:
        outbox = json.loads(zipped.read("outbox.json"))
        actor = json.loads(zipped.read("actor.json"))

    assert path.name.startswith("archive-20261129") and len(path.name.split("-")[1]) == 14
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] >= len(outbox["orderedItems"])
    notes = [item["object"] for item in outbox["orderedItems"] if item["type"] == "Create"]
    assert notes and all(note["type"] == "Note" for note in notes)
    public = "https://www.w3.org/ns/activitystreams#Public"
    assert all(note["content"].startswith("<p>") and public in note["to"] for note in notes)
    assert all(note["contentMap"] == {next(iter(note["contentMap"])): note["content"]}
               for note in notes)  # fmt: skip
    assert all(datetime.fromisoformat(note["published"]) for note in notes)
    assert all(note["url"].startswith(actor["url"]) for note in notes)
    assert all(isinstance(note["likes"]["totalItems"], int) for note in notes)
    assert actor["type"] == "Person" and actor["preferredUsername"] and actor["name"]
    assert actor["summary"].startswith("<p>")


def test_it_writes_a_facebook_archive_with_facebooks_mojibake(tmp_path):
    path = _archives(tmp_path)["facebook"]
    with zipfile.ZipFile(path) as zipped:
        raw = zipped.read(
            "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json"
        ).decode("ascii")
        friends = json.loads(zipped.read("connections/friends/your_friends.json"))
    posts = json.loads(raw)

    assert path.name.startswith("facebook-") and "-2026-11-29-" in path.name
    assert all(isinstance(post["timestamp"], int) for post in posts)
    texts = [entry["post"] for post in posts for entry in post["data"] if "post" in entry]
    # Each UTF-8 byte of "é" is its own escaped character, as Facebook writes it.
    assert "\\u00c3\\u00a9" in raw
    assert any("Ã©" in text for text in texts)
    assert any(text.encode("latin-1").decode("utf-8") != text for text in texts)
    assert friends["friends_v2"] and all(
        set(friend) == {"name", "timestamp"} for friend in friends["friends_v2"]
    )


def test_it_writes_a_bluesky_repository_the_importer_walks(tmp_path):
    path = _archives(tmp_path)["bluesky"]
    repository = Repository(path.read_bytes())
    keys = [key for key, _cid in repository.walk()]
    collections = Counter(key.split("/")[0] for key in keys)

    assert path.name == "repo.car"
    assert repository.commit.version == 3
    assert repository.commit.did.startswith("did:plc:")
    assert collections["app.bsky.feed.post"] > 0
    assert "app.bsky.actor.profile/self" in keys
    assert keys == sorted(keys)


@pytest.mark.parametrize("members", [3, 10])
def test_it_scales_down_for_small_circles(members):
    plan = demo_plan(1, members=members, scale=0.05, now=NOW)

    assert len(plan.members) == members
    assert plan.members[0].archetype is Archetype.COACH
    assert MEMBER_EMAIL in {member.email for member in plan.members}


def _command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_does_nothing_with_if_empty_when_users_exist(cast):
    out, _ = _command("--if-empty")

    assert len(out.strip().splitlines()) == 1
    assert User.objects.count() == 4
    assert not Circle.objects.filter(name=CIRCLE_NAME).exists()


def test_it_refuses_to_build_on_a_non_empty_database_without_force(cast):
    with pytest.raises(CommandError, match="--force"):
        _command()

    assert User.objects.count() == 4


def test_it_prints_no_logins_when_the_demo_was_never_built(cast):
    out, _ = _command("--logins")

    assert out == ""
    # The address still shows, since make run prints it on every start.
    with translation.override("en"):
        out, _ = _command("--logins", "--address", "127.0.0.1:8000")
    assert out == (
        "Maillage runs at http://127.0.0.1:8000/ (Ctrl-C stops the server and the workers).\n"
    )


def _week_status(plan, member) -> str:
    """This week's status by the Presence Index rules, straight from the generated activity."""
    activity = member_activity(plan, member)
    week_start = WeekClock(random.Random(0), plan.now).week_start
    weeks = [WeekActivity() for _ in range(4)]

    def add(moment: datetime, original: bool) -> None:
        offset = (moment - (week_start - timedelta(weeks=3))) // timedelta(weeks=1)
        if 0 <= offset < 4:
            before = weeks[offset]
            weeks[offset] = WeekActivity(
                before.original_posts + original, before.other_actions + (not original)
            )

    for moment, text, _shared in activity.posts:
        add(moment, original=bool(text))
    for moment, _detail in activity.comments + activity.reactions:
        add(moment, original=False)
    for _contact, exchange in activity.conversations:
        for moment, sent_by_me, _text in exchange:
            if sent_by_me:
                add(moment, original=False)
    # What the member did on other networks counts too (the Presence Index adds them all).
    for found in networks_activity(plan, member, activity):
        for post in found.posts:
            add(post.when, original=post.kind == "original")
        for moment, _text, _whose in found.comments + found.reactions:
            add(moment, original=False)
    return activity_status(weeks)


@pytest.mark.parametrize("now", [NOW, datetime(2026, 11, 23, 6, 0, tzinfo=UTC)])
def test_it_makes_one_member_in_five_active_this_week_whatever_the_day(now):
    plan = demo_plan(42, scale=0.05, now=now)
    statuses = [_week_status(plan, member) for member in plan.members]

    assert statuses.count("active") == 5
    assert statuses.count("occasional") == 8
    assert statuses.count("inactive") == 12


FILES = {
    "Connections.csv",
    "Shares.csv",
    "Comments.csv",
    "Reactions.csv",
    "Invitations.csv",
    "messages.csv",
    "Profile.csv",
    "Recommendations_Received.csv",
    "Recommendations_Given.csv",
    "Endorsement_Received_Info.csv",
    "Company Follows.csv",
}


def test_it_writes_archives_every_importer_reads_without_row_errors(db, tmp_path):
    plan = demo_plan(42, scale=0.05, now=NOW)
    owners: dict[str, User] = {}
    kinds: set[str] = set()

    for archive in archives_write(plan, tmp_path):
        if archive.kind == "linkedin" and archive.email not in (ANIMATOR_EMAIL, MEMBER_EMAIL):
            continue  # LinkedIn is checked below; the other networks all go through here
        if archive.email not in owners:
            owners[archive.email] = User.objects.create_user(email=archive.email, password="x")
        run = archive_import(owners[archive.email], archive.path, archive.kind)

        assert run.status == ImportRun.Status.SUCCEEDED, (archive.kind, run.error)
        files = run.summary["files"]
        assert all(outcome["errors"] == [] for outcome in files.values()), files
        kinds.add(archive.kind)
    assert kinds == {"linkedin", "facebook", "x", "mastodon", "bluesky"}
    accounts = Counter(SocialAccount.objects.values_list("network", flat=True))
    assert set(accounts) == kinds


def test_it_writes_archives_the_linkedin_importer_reads_without_row_errors(db, tmp_path):
    plan = demo_plan(42, members=6, scale=0.05)
    paths = exports_write(plan, tmp_path)

    for member in plan.members[:3]:
        owner = User.objects.create_user(email=member.email, password="x")
        run = archive_import(owner, paths[member.email])

        assert run.status == ImportRun.Status.SUCCEEDED, run.error
        files = run.summary["files"]
        assert set(files) >= FILES
        assert all(outcome["errors"] == [] for outcome in files.values()), files
        connections = _rows(zipfile.ZipFile(paths[member.email]).read("Connections.csv").decode())
        named = [row for row in connections[4:] if row[0]]
        assert Connection.objects.filter(owner=owner).count() == len(named)
        assert Post.objects.filter(owner=owner).exists() == (member.archetype != Archetype.INACTIVE)


def test_it_builds_the_25_member_circle_with_80_percent_not_active(db):
    out, _ = _command()

    circle = Circle.objects.get(name=CIRCLE_NAME)
    members = list(circle.memberships.select_related("user"))
    users = [membership.user for membership in members]
    week = current_week(ZONE)
    statuses = list(
        PresenceSnapshot.objects.filter(owner__in=users, week_start=week).values_list(
            "status", flat=True
        )
    )
    not_active = sum(1 for status in statuses if status != "active")
    animator = next(m for m in members if m.role == Membership.Role.ANIMATOR)

    assert len(members) == 25
    assert animator.user.email == ANIMATOR_EMAIL
    assert len(statuses) == 25
    assert 0.70 <= not_active / 25 <= 0.90
    # Every export of every network went through its importer without a row error.
    runs = list(ImportRun.objects.filter(owner__in=users))
    assert len(runs) > 25
    assert all(run.status == "succeeded" for run in runs)
    assert all(outcome["errors"] == [] for run in runs for outcome in run.summary["files"].values())
    assert Counter(run.kind for run in runs)["linkedin"] == 25
    # Several members show two or more networks in their network-by-network table.
    tables = [presence_networks(user, week, ZONE) for user in users]
    several = [rows for rows in tables if len(rows) >= 2]
    assert 8 <= len(several) <= 12
    shown = {row.network for rows in several for row in rows}
    assert shown == {"linkedin", "facebook", "x", "mastodon", "bluesky"}
    assert any(row.original_posts for rows in several for row in rows if row.network != "linkedin")
    assert len(presence_networks(User.objects.get(email=MEMBER_EMAIL), week, ZONE)) >= 2
    assert User.objects.get(email=MEMBER_EMAIL).check_password(PASSWORD)
    assert sum(m.share_index for m in members) == 22
    assert sum(not (m.share_index or m.show_name or m.pool_connections) for m in members) == 3
    assert CIRCLE_NAME in out
    assert "Mastodon" in out and "Bluesky" in out
    assert "animateur@example.com" in out and "demo-maillage-2026" in out
    # Once built, --if-empty leaves it alone and --logins prints the three lines.
    assert _command("--if-empty")[0].count("\n") == 1
    assert len(_command("--logins")[0].strip().splitlines()) == 3
    # make run: the address first, in the user's language, then the logins.
    with translation.override("fr"):
        lines = _command("--logins", "--address", "127.0.0.1:8000")[0].strip().splitlines()
    assert lines[0] == (
        "Maillage tourne sur http://127.0.0.1:8000/ (Ctrl-C arrête le serveur et les processus "
        "de fond)."
    )
    assert len(lines) == 4


def test_it_rebuilds_only_the_demo_with_force(cast):
    demo_circle_build(42, members=4, scale=0.05)
    _command("--force", "--seed", "7", "--scale", "0.05")

    assert Circle.objects.filter(name=CIRCLE_NAME).count() == 1
    assert User.objects.filter(email__in=["alice@example.com", "bob@example.com"]).count() == 2
    assert cast.circle.memberships.count() == 3
    assert DemoUser.objects.count() == 25
    assert set(DemoUser.objects.values_list("seed", flat=True)) == {7}


def test_it_leaves_nothing_behind_when_an_import_fails(db, monkeypatch):
    def failing_import(owner, path, kind="linkedin"):
        return ImportRun.objects.create(
            owner=owner, kind=kind, source_name=path.name, status="failed", error="Disk full."
        )

    monkeypatch.setattr("maillage.demo.services.archive_import", failing_import)

    with pytest.raises(CommandError, match="Disk full"):
        _command("--scale", "0.05")

    assert not User.objects.exists()
    assert not Circle.objects.exists()

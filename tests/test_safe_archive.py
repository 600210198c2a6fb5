"""Hostile archives are refused up front with a message that says what is wrong and what to do."""

from __future__ import annotations

import io
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from maillage.lib.safe_archive import ArchiveLimits, ArchiveRejected, open_archive

CONNECTIONS = b"First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
SMALL = ArchiveLimits(
    max_total_bytes=4 * 1024 * 1024,
    max_file_bytes=3 * 1024 * 1024,
    max_ratio=100,
    max_members=50,
)


def make_zip(path: Path, members: dict[str, bytes], **options) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data, **options)
    return path


def rejected(path: Path, limits: ArchiveLimits = SMALL) -> ArchiveRejected:
    with pytest.raises(ArchiveRejected) as caught, open_archive(path, limits) as archive:
        for name in archive.names():
            archive.read(name)
    return caught.value


def test_it_reads_a_plain_export_zip(tmp_path):
    path = make_zip(
        tmp_path / "Basic_LinkedInDataExport_06-18-2024.zip",
        {
            "Connections.csv": CONNECTIONS,
            "Jobs/Job Applications.csv": b"Application Date\n",
            "__MACOSX/._Connections.csv": b"\x00\x05\x16\x07",
        },
    )
    with open_archive(path, SMALL) as archive:
        assert sorted(archive.names()) == ["Connections.csv", "Jobs/Job Applications.csv"]
        assert archive.read("Connections.csv") == CONNECTIONS
        assert archive.modified("Connections.csv") is not None


def test_it_reads_a_folder_and_a_single_file(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Connections.csv").write_bytes(CONNECTIONS)
    with open_archive(folder, SMALL) as archive:
        assert archive.names() == ["Connections.csv"]
    with open_archive(folder / "Connections.csv", SMALL) as archive:
        assert archive.read("Connections.csv") == CONNECTIONS


def test_it_accepts_a_utf16_export_with_its_bom(tmp_path):
    path = tmp_path / "Shares.csv"
    path.write_bytes("Date\tShareLink\n".encode("utf-16"))
    with open_archive(path, SMALL) as archive:
        assert archive.names() == ["Shares.csv"]


def test_it_refuses_a_path_that_climbs_out_zip_slip(tmp_path):
    error = rejected(make_zip(tmp_path / "a.zip", {"../../etc/cron.d/x.csv": b"a\n"}))
    assert error.code == "zip_slip"
    assert "../../etc/cron.d/x.csv" in error.message


def test_it_refuses_a_windows_style_climb(tmp_path):
    error = rejected(make_zip(tmp_path / "a.zip", {"data\\..\\..\\boot.ini": b"a\n"}))
    assert error.code == "zip_slip"


def test_it_refuses_absolute_paths(tmp_path):
    assert rejected(make_zip(tmp_path / "a.zip", {"/etc/passwd": b"a\n"})).code == "absolute_path"
    assert rejected(make_zip(tmp_path / "b.zip", {"C:/x.csv": b"a\n"})).code == "absolute_path"


def test_it_refuses_a_symlink_member(tmp_path):
    path = tmp_path / "a.zip"
    info = zipfile.ZipInfo("Connections.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, "/etc/passwd")
    error = rejected(path)
    assert error.code == "symlink"
    assert "download the export again" in error.message


def test_it_refuses_a_symlink_inside_a_folder(tmp_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "Connections.csv").write_bytes(CONNECTIONS)
    os.symlink("/etc/passwd", folder / "messages.csv")
    assert rejected(folder).code == "symlink"


def test_it_refuses_a_zip_bomb_by_its_compression_ratio(tmp_path):
    error = rejected(make_zip(tmp_path / "a.zip", {"Shares.csv": b" " * (2 * 1024 * 1024)}))
    assert error.code == "ratio"
    assert "zip bomb" in error.message


def test_it_refuses_an_archive_over_the_total_size(tmp_path):
    members = {f"part{i}.csv": os.urandom(1024 * 1024).hex().encode()[:1_500_000] for i in range(4)}
    error = rejected(make_zip(tmp_path / "a.zip", members))
    assert error.code == "too_large"
    assert "MB" in error.message


def test_it_refuses_a_member_whose_header_lies_about_its_size(tmp_path):
    """The central directory says 10 bytes; reading must still stop at the real limit."""
    path = make_zip(tmp_path / "a.zip", {"Shares.csv": os.urandom(2 * 1024 * 1024).hex().encode()})
    data = bytearray(path.read_bytes())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    error = rejected(path)
    assert error.code in {"too_large", "unreadable"}


def test_it_refuses_a_nested_archive(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("Connections.csv", CONNECTIONS)
    error = rejected(make_zip(tmp_path / "a.zip", {"inner.zip": inner.getvalue()}))
    assert error.code == "nested_archive"
    disguised = rejected(make_zip(tmp_path / "b.zip", {"Connections.csv": inner.getvalue()}))
    assert disguised.code == "nested_archive"


def test_it_refuses_too_many_members(tmp_path):
    members = {f"file{i}.csv": b"a\n" for i in range(60)}
    assert rejected(make_zip(tmp_path / "a.zip", members)).code == "too_many_files"


def test_it_refuses_an_encrypted_member(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"Connections.csv": CONNECTIONS})
    data = bytearray(path.read_bytes())
    # Set the "encrypted" general-purpose flag in the local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        data[position + offset] |= 0x1
    path.write_bytes(bytes(data))
    assert rejected(path).code == "encrypted"


def test_it_refuses_a_file_named_zip_that_is_not_one(tmp_path):
    path = tmp_path / "Basic_LinkedInDataExport_06-18-2024.zip"
    path.write_bytes(b"<html>Session expired</html>")
    error = rejected(path)
    assert error.code == "not_a_zip"
    assert "Download the export again" in error.message


def test_it_refuses_a_binary_file_named_csv(tmp_path):
    error = rejected(
        make_zip(tmp_path / "a.zip", {"Connections.csv": b"\x89PNG\r\n\x1a\n\x00\x00"})
    )
    assert error.code == "wrong_type"
    assert "Connections.csv" in error.message


def test_it_refuses_an_empty_archive(tmp_path):
    assert rejected(make_zip(tmp_path / "a.zip", {})).code == "empty"
    only_noise = make_zip(tmp_path / "b.zip", {"__MACOSX/._x": b"x", "folder/": b""})
    assert rejected(only_noise).code == "empty"


def test_it_refuses_a_truncated_archive(tmp_path):
    path = make_zip(tmp_path / "a.zip", {"Connections.csv": CONNECTIONS * 100})
    path.write_bytes(path.read_bytes()[:-40])
    assert rejected(path).code in {"not_a_zip", "unreadable"}


def test_it_refuses_other_archive_kinds_with_a_hint(tmp_path):
    path = tmp_path / "export.7z"
    path.write_bytes(b"7z\xbc\xaf\x27\x1c" + b"\x00" * 20)
    error = rejected(path)
    assert error.code == "unsupported"
    assert "zip" in error.message
    assert "tar.gz" in error.message


def test_it_says_when_the_path_does_not_exist(tmp_path):
    assert rejected(tmp_path / "nowhere.zip").code == "missing"


def test_the_limits_come_from_the_settings(settings):
    settings.IMPORT_MAX_RATIO = 7
    assert ArchiveLimits.from_settings().max_ratio == 7


# --- photos and videos ---------------------------------------------------------------------


def test_it_leaves_photos_and_videos_out_of_the_members_and_the_size_limits(tmp_path):
    # An X or Mastodon archive carries its media; no importer reads them, so 5 MB of video
    # must not trip the 4 MB total limit nor show up as thousands of "ignored" files.
    path = tmp_path / "twitter-2026-11-29-abc.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("data/tweets.js", b"window.YTD.tweets.part0 = []")
        archive.writestr("data/tweets_media/1-a.mp4", os.urandom(5 * 1024 * 1024))
        archive.writestr("data/tweets_media/1-b.JPG", os.urandom(1024))
    with open_archive(path, SMALL) as archive:
        assert archive.names() == ["data/tweets.js"]
        assert archive.media_skipped == 2


# --- tar.gz (Mastodon archives before 4.1) --------------------------------------------------


def make_tar(path: Path, members: dict[str, bytes], compress: bool = True) -> Path:
    with tarfile.open(path, "w:gz" if compress else "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return path


def add_special(path: Path, info: tarfile.TarInfo) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        archive.addfile(info)
    return path


def test_it_reads_an_older_mastodon_tar_gz(tmp_path):
    outbox = b'{"type": "OrderedCollection", "orderedItems": []}'
    path = make_tar(
        tmp_path / "archive-20220301120000-0123abcd.tar.gz",
        {
            "outbox.json": outbox,
            "actor.json": b"{}",
            "media_attachments/files/1/original/a.png": os.urandom(2048),
            "./.DS_Store": b"\x00\x00",
        },
    )
    with open_archive(path, SMALL) as archive:
        assert sorted(archive.names()) == ["actor.json", "outbox.json"]
        assert archive.read("outbox.json") == outbox
        assert archive.modified("outbox.json") is not None
        assert archive.media_skipped == 1


def test_it_reads_a_plain_tar(tmp_path):
    path = make_tar(tmp_path / "archive.tar", {"outbox.json": b"{}"}, compress=False)
    with open_archive(path, SMALL) as archive:
        assert archive.names() == ["outbox.json"]


def test_it_refuses_a_tar_member_that_climbs_out(tmp_path):
    error = rejected(make_tar(tmp_path / "a.tar.gz", {"../../.bashrc.json": b"{}"}))
    assert error.code == "zip_slip"


def test_it_refuses_an_absolute_tar_member(tmp_path):
    error = rejected(make_tar(tmp_path / "a.tar.gz", {"/etc/cron.d/outbox.json": b"{}"}))
    assert error.code == "absolute_path"


@pytest.mark.parametrize("kind", [tarfile.SYMTYPE, tarfile.LNKTYPE])
def test_it_refuses_links_in_a_tar(tmp_path, kind):
    info = tarfile.TarInfo("outbox.json")
    info.type = kind
    info.linkname = "/etc/passwd"
    error = rejected(add_special(tmp_path / "a.tar.gz", info))
    assert error.code == "symlink"


def test_it_refuses_a_device_in_a_tar(tmp_path):
    info = tarfile.TarInfo("outbox.json")
    info.type = tarfile.CHRTYPE
    error = rejected(add_special(tmp_path / "a.tar.gz", info))
    assert error.code == "unreadable"


def test_it_refuses_a_tar_gz_bomb_while_unpacking(tmp_path):
    # 20 MB of zeros gzip to about 20 KB: the stream is stopped long before the end.
    bomb = make_tar(tmp_path / "a.tar.gz", {"outbox.json": b"0" * (20 * 1024 * 1024)})
    limits = ArchiveLimits(
        max_total_bytes=64 * 1024 * 1024,
        max_file_bytes=64 * 1024 * 1024,
        max_ratio=100,
        max_members=50,
    )
    assert rejected(bomb, limits).code == "ratio"


def test_it_refuses_a_tar_over_the_size_limits(tmp_path):
    path = make_tar(tmp_path / "a.tar.gz", {"outbox.json": os.urandom(3 * 1024 * 1024 + 1)})
    assert rejected(path).code == "too_large"


def test_it_refuses_a_truncated_tar_gz(tmp_path):
    path = make_tar(tmp_path / "a.tar.gz", {"outbox.json": os.urandom(200_000)})
    path.write_bytes(path.read_bytes()[:50_000])
    error = rejected(path)
    assert error.code == "unreadable"
    assert "interrupted" in error.message


def test_it_refuses_an_archive_inside_a_tar(tmp_path):
    error = rejected(make_tar(tmp_path / "a.tar.gz", {"inner.zip": b"PK\x03\x04"}))
    assert error.code == "nested_archive"


def test_it_refuses_a_binary_json_in_a_tar(tmp_path):
    error = rejected(make_tar(tmp_path / "a.tar.gz", {"outbox.json": b"\x00\x01\x02" * 100}))
    assert error.code == "wrong_type"

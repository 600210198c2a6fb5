"""Hostile archives are refused up front with a message that says what is wrong and what to do."""

from __future__ import annotations

import io
import os
import stat
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
    path = tmp_path / "export.tar.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)
    error = rejected(path)
    assert error.code == "unsupported"
    assert "zip" in error.message


def test_it_says_when_the_path_does_not_exist(tmp_path):
    assert rejected(tmp_path / "nowhere.zip").code == "missing"


def test_the_limits_come_from_the_settings(settings):
    settings.IMPORT_MAX_RATIO = 7
    assert ArchiveLimits.from_settings().max_ratio == 7

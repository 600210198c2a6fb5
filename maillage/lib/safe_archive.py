"""Read-only, validated view over an uploaded zip, folder or single file.

Everything hostile is refused up front, before any parser sees a byte, and the limits are
enforced again while reading because a zip header may lie about sizes.
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import stat
import tarfile
import zipfile
import zlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from django.conf import settings
from django.utils.translation import gettext as _

# Members the operating system adds when someone re-zips an export; never data.
_NOISE_PREFIXES = ("__MACOSX/",)
_NOISE_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
ARCHIVE_SUFFIXES = (".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".jar")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".json", ".js")
TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar")
# Photos and videos that X, Mastodon and Facebook archives carry: no importer reads them, so
# they are neither listed, read nor counted against the size limits (they can weigh gigabytes).
MEDIA_SUFFIXES = (
    ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".avif", ".bmp", ".svg",
    ".mp4", ".mov", ".m4v", ".webm", ".avi", ".mkv", ".mp3", ".m4a", ".ogg", ".oga", ".wav",
)  # fmt: skip
# However many photos they hold, archives with more members than this are refused outright.
MEDIA_MEMBERS_FACTOR = 10
_MAGICS = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"\x1f\x8b",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
)
# Below this size a high compression ratio is harmless (a few KB of blank padding rows).
RATIO_MIN_BYTES = 1024 * 1024
_SNIFF_BYTES = 8192
_CHUNK = 1024 * 1024


class ArchiveRejected(Exception):
    """The upload cannot be read safely; `message` tells the user what is wrong and what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ArchiveLimits:
    max_total_bytes: int
    max_file_bytes: int
    max_ratio: int
    max_members: int

    @classmethod
    def from_settings(cls) -> ArchiveLimits:
        return cls(
            max_total_bytes=settings.IMPORT_MAX_TOTAL_BYTES,
            max_file_bytes=settings.IMPORT_MAX_FILE_BYTES,
            max_ratio=settings.IMPORT_MAX_RATIO,
            max_members=settings.IMPORT_MAX_MEMBERS,
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


def _download_again() -> str:
    return _("Download the export again from the network's settings and upload it unchanged.")


def _reject_slip(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "zip_slip",
        _(
            "This archive contains a path that leaves its folder (%(name)s). It may be "
            "malicious: download the export again from the social network."
        )
        % {"name": name},
    )


def _reject_absolute(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "absolute_path",
        _(
            "This archive contains an absolute path (%(name)s) where exports only hold relative "
            "names. It may be malicious: download the export again from the social network."
        )
        % {"name": name},
    )


def _reject_symlink(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "symlink",
        _(
            "This archive contains a link to another file (%(name)s); exports never do. It may "
            "be malicious: download the export again from the social network."
        )
        % {"name": name},
    )


def _reject_file_too_large(name: str, limits: ArchiveLimits) -> ArchiveRejected:
    return ArchiveRejected(
        "too_large",
        _(
            "The file %(name)s is larger than the %(size)s MB allowed per file. Upload only the "
            "files you need, or ask the administrator to raise the limit."
        )
        % {"name": name, "size": _mb(limits.max_file_bytes)},
    )


def _reject_total_too_large(limits: ArchiveLimits) -> ArchiveRejected:
    return ArchiveRejected(
        "too_large",
        _(
            "Once unpacked, this archive would take more than the %(size)s MB allowed. Upload "
            "only the files you need, or ask the administrator to raise the limit."
        )
        % {"size": _mb(limits.max_total_bytes)},
    )


def _reject_ratio(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "ratio",
        _(
            "The file %(name)s unpacks to far more than its compressed size, like a zip bomb "
            "built to fill the disk. Download the export again from the social network."
        )
        % {"name": name},
    )


def _reject_nested(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "nested_archive",
        _(
            "This archive contains another archive (%(name)s). Unpack it and upload the export "
            "itself, or the files inside it."
        )
        % {"name": name},
    )


def _reject_wrong_type(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "wrong_type",
        _(
            "The file %(name)s is not what its name says: it is not readable text. Upload the "
            "file exactly as the social network produced it."
        )
        % {"name": name},
    )


def _reject_unreadable(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "unreadable",
        _(
            "The archive is damaged or incomplete (%(name)s could not be read). The download "
            "may have been interrupted: download the export again."
        )
        % {"name": name},
    )


def _reject_empty(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "empty",
        _("%(name)s contains no file. Check that you chose the right file, then upload again.")
        % {"name": name},
    )


def _check_name(raw: str) -> str:
    """Return a safe relative "/" path or raise; backslashes count as separators (Windows)."""
    name = raw.replace("\\", "/")
    if name.startswith("/") or (len(name) >= 2 and name[1] == ":" and name[0].isalpha()):
        raise _reject_absolute(raw)
    parts = name.split("/")
    if any(part == ".." for part in parts):
        raise _reject_slip(raw)
    if "\x00" in name:
        raise _reject_slip(raw)
    return "/".join(part for part in parts if part not in ("", "."))


def _is_noise(name: str) -> bool:
    return name.startswith(_NOISE_PREFIXES) or name.rsplit("/", 1)[-1] in _NOISE_NAMES


def _is_media(name: str) -> bool:
    return name.lower().endswith(MEDIA_SUFFIXES)


def _is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVE_SUFFIXES)


def _looks_binary(head: bytes) -> bool:
    """True when the first bytes of a file announced as text cannot be text."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # The 2018 LinkedIn Shares.csv was UTF-16 with a BOM: NUL bytes are expected there.
        try:
            codecs.getincrementaldecoder("utf-16")().decode(head[: len(head) & ~1])
        except UnicodeDecodeError:
            return True
        return False
    if b"\x00" in head:
        return True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        try:
            text = head.decode("cp1252")  # spreadsheets re-save CSV files in Windows-1252
        except UnicodeDecodeError:
            return True
    else:
        text = head.decode("utf-8", errors="ignore")
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\t\r\n\f")
    return controls > len(text) // 100


def _check_content(name: str, head: bytes) -> None:
    if head.startswith(_MAGICS):
        raise _reject_nested(name)
    if name.lower().endswith(TEXT_SUFFIXES) and _looks_binary(head):
        raise _reject_wrong_type(name)


class Archive(ABC):
    """A validated, read-only set of members; use `open_archive` to build one."""

    def __init__(self, source_name: str, limits: ArchiveLimits) -> None:
        self.source_name = source_name
        self.limits = limits
        self._read_total = 0
        # Photos and videos left out of `names()` (see MEDIA_SUFFIXES).
        self.media_skipped = 0

    @abstractmethod
    def names(self) -> list[str]:
        """Member paths, '/'-separated and relative; no folders, no archiver noise."""

    @abstractmethod
    def read(self, name: str) -> bytes:
        """The member's bytes, the size limits enforced on what is actually read."""

    @abstractmethod
    def modified(self, name: str) -> datetime | None:
        """When the member was written (UTC), if the container says."""

    def close(self) -> None:  # noqa: B027 - only zips hold a file open
        """Release the open file, if any."""

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _count(self, name: str, size: int) -> None:
        if size > self.limits.max_file_bytes:
            raise _reject_file_too_large(name, self.limits)
        if self._read_total + size > self.limits.max_total_bytes:
            raise _reject_total_too_large(self.limits)


class ZipArchive(Archive):
    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        super().__init__(path.name, limits)
        self._file: BinaryIO = path.open("rb")
        try:
            self._zip = zipfile.ZipFile(self._file)
            self._members = self._validate()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            self._file.close()
            raise _reject_unreadable(path.name) from None
        except BaseException:
            self._file.close()
            raise

    def _validate(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_members * MEDIA_MEMBERS_FACTOR or (
            sum(1 for info in infos if not _is_media(info.filename)) > self.limits.max_members
        ):
            raise _too_many(self.source_name, self.limits)
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = _check_name(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise _reject_symlink(info.filename)
            if info.is_dir() or not name:
                continue
            if _is_media(name):
                self.media_skipped += 1
                continue
            if info.flag_bits & 0x1:
                raise ArchiveRejected(
                    "encrypted",
                    _(
                        "The file %(name)s is protected by a password. Maillage cannot read "
                        "encrypted archives: upload the export as the social network sent it."
                    )
                    % {"name": name},
                )
            if info.file_size > self.limits.max_file_bytes:
                raise _reject_file_too_large(name, self.limits)
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise _reject_total_too_large(self.limits)
            if (
                info.file_size >= RATIO_MIN_BYTES
                and info.file_size > max(info.compress_size, 1) * self.limits.max_ratio
            ):
                raise _reject_ratio(name)
            if _is_archive_name(name):
                raise _reject_nested(name)
            if _is_noise(name):
                continue
            members[name] = info
        if not members:
            raise _reject_empty(self.source_name)
        # Only a few KB per member, after every declared size passed the checks above.
        for name, info in members.items():
            with self._zip.open(info) as handle:
                _check_content(name, handle.read(_SNIFF_BYTES))
        return members

    def names(self) -> list[str]:
        return list(self._members)

    def read(self, name: str) -> bytes:
        info = self._members[name]
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(_CHUNK):
                    size += len(chunk)
                    # Sizes counted on what actually comes out, never on what the header says.
                    self._count(name, size)
                    if size > info.file_size:
                        raise _reject_unreadable(name)
                    if size >= RATIO_MIN_BYTES and size > (
                        max(info.compress_size, 1) * self.limits.max_ratio
                    ):
                        raise _reject_ratio(name)
                    chunks.append(chunk)
        # zipfile raises NotImplementedError for compression methods it cannot decode.
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
            raise _reject_unreadable(name) from error
        self._read_total += size
        return b"".join(chunks)

    def modified(self, name: str) -> datetime | None:
        try:
            # Zip entries carry a local time without zone; UTC is close enough to date an export.
            return datetime(*self._members[name].date_time, tzinfo=UTC)
        except ValueError:
            return None

    def close(self) -> None:
        self._zip.close()
        self._file.close()


class FolderArchive(Archive):
    """A folder (several uploaded CSV files) or a single file, as an archive of its files."""

    def __init__(self, source_name: str, files: dict[str, Path], limits: ArchiveLimits) -> None:
        super().__init__(source_name, limits)
        self._files = files

    def names(self) -> list[str]:
        return list(self._files)

    def read(self, name: str) -> bytes:
        path = self._files[name]
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            descriptor = os.open(path, flags)
        except OSError as error:
            raise _reject_unreadable(name) from error
        with os.fdopen(descriptor, "rb") as handle:
            data = handle.read(self.limits.max_file_bytes + 1)
        self._count(name, len(data))
        self._read_total += len(data)
        return data

    def modified(self, name: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(self._files[name].lstat().st_mtime, tz=UTC)
        except OSError:
            return None


class _Bounded(io.RawIOBase):
    """The decompressed stream of a tar.gz, refused once it outgrows the limits.

    A tar has no table of contents: its real size is only known by unpacking it, so the limits
    are enforced on the bytes as they come out, before the tar reader sees them.
    """

    def __init__(self, raw: BinaryIO, source: str, compressed: int, limits: ArchiveLimits):
        self._stream = gzip.GzipFile(fileobj=raw, mode="rb")
        self._source = source
        self._compressed = max(compressed, 1)
        self._limits = limits
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        self.total += len(data)
        # Media passes through the stream too: the whole stream may be bigger than what is
        # kept, but never bigger than the total limit plus what the photos may weigh.
        if self.total > self._limits.max_total_bytes * 2:
            raise _reject_total_too_large(self._limits)
        if self.total >= RATIO_MIN_BYTES and self.total > self._compressed * self._limits.max_ratio:
            raise _reject_ratio(self._source)
        buffer[: len(data)] = data
        return len(data)


class TarArchive(Archive):
    """A .tar.gz (Mastodon archives before 4.1) or .tar, unpacked into memory once, checked.

    Members are read in one pass while the stream goes by; photos and videos are skipped
    without being kept.
    """

    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        super().__init__(path.name, limits)
        self._data: dict[str, bytes] = {}
        self._times: dict[str, datetime | None] = {}
        compressed = path.stat().st_size
        with path.open("rb") as raw:
            try:
                gzipped = raw.read(2) == b"\x1f\x8b"
                raw.seek(0)
                stream: BinaryIO = (
                    io.BufferedReader(_Bounded(raw, path.name, compressed, limits))
                    if gzipped
                    else raw
                )
                with tarfile.open(fileobj=stream, mode="r|") as tar:
                    for member in tar:
                        self._take(tar, member)
            except (tarfile.TarError, EOFError, OSError, zlib.error) as error:
                raise _reject_unreadable(path.name) from error
        if not self._data:
            raise _reject_empty(path.name)

    def _take(self, tar: tarfile.TarFile, member: tarfile.TarInfo) -> None:
        name = _check_name(member.name)
        if member.issym() or member.islnk():
            raise _reject_symlink(member.name)
        if member.isdir() or not name:
            return
        if not member.isfile():
            # Devices, FIFOs and the like never belong in an export.
            raise _reject_unreadable(member.name)
        if _is_media(name):
            self.media_skipped += 1
            if self.media_skipped > self.limits.max_members * MEDIA_MEMBERS_FACTOR:
                raise _too_many(self.source_name, self.limits)
            return
        if _is_noise(name):
            return
        if _is_archive_name(name):
            raise _reject_nested(name)
        if len(self._data) >= self.limits.max_members:
            raise _too_many(self.source_name, self.limits)
        if member.size > self.limits.max_file_bytes:
            raise _reject_file_too_large(name, self.limits)
        self._count(name, member.size)
        handle = tar.extractfile(member)
        if handle is None:
            raise _reject_unreadable(member.name)
        data = handle.read(member.size + 1)
        if len(data) != member.size:
            raise _reject_unreadable(member.name)
        _check_content(name, data[:_SNIFF_BYTES])
        self._read_total += len(data)
        self._data[name] = data
        self._times[name] = (
            datetime.fromtimestamp(member.mtime, tz=UTC) if member.mtime > 0 else None
        )

    def names(self) -> list[str]:
        return list(self._data)

    def read(self, name: str) -> bytes:
        return self._data[name]

    def modified(self, name: str) -> datetime | None:
        return self._times.get(name)


def _too_many(source: str, limits: ArchiveLimits) -> ArchiveRejected:
    return ArchiveRejected(
        "too_many_files",
        _(
            "%(name)s holds more than %(count)d files; an export holds far fewer. "
            "Upload the export itself, or only the files you need."
        )
        % {"name": source, "count": limits.max_members},
    )


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_SNIFF_BYTES)


def _walk_folder(root: Path, limits: ArchiveLimits) -> dict[str, Path]:
    files: dict[str, Path] = {}
    total = 0
    for folder, dirs, names in os.walk(root, followlinks=False):
        base = Path(folder)
        for entry in (*dirs, *names):
            if (base / entry).is_symlink():
                raise _reject_symlink(str((base / entry).relative_to(root)))
        for entry in sorted(names):
            path = base / entry
            name = path.relative_to(root).as_posix()
            if _is_noise(name) or _is_media(name):
                continue
            info = path.lstat()
            if not stat.S_ISREG(info.st_mode):
                continue
            files[name] = path
            if len(files) > limits.max_members:
                raise _too_many(root.name, limits)
            if info.st_size > limits.max_file_bytes:
                raise _reject_file_too_large(name, limits)
            total += info.st_size
            if total > limits.max_total_bytes:
                raise _reject_total_too_large(limits)
    return files


def _not_a_zip(name: str) -> ArchiveRejected:
    return ArchiveRejected(
        "not_a_zip",
        _(
            "%(name)s is named like a zip archive but is not one. Download the export again "
            "from the social network and upload the .zip file it gives you."
        )
        % {"name": name},
    )


def open_archive(path: Path, limits: ArchiveLimits | None = None) -> Archive:
    """Validate a zip, folder or single file completely, then give read access to its members."""
    limits = limits or ArchiveLimits.from_settings()
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise ArchiveRejected(
            "missing",
            _("The uploaded file %(name)s is no longer there. Upload it again.")
            % {"name": path.name},
        )
    if path.is_symlink():
        raise _reject_symlink(path.name)
    if path.is_dir():
        files = _walk_folder(path, limits)
        if not files:
            raise _reject_empty(path.name)
        for name, file_path in files.items():
            if _is_archive_name(name):
                raise _reject_nested(name)
            _check_content(name, _head(file_path))
        return FolderArchive(path.name, files, limits)
    if not path.is_file():
        raise _reject_unreadable(path.name)
    head = _head(path)
    lower = path.name.lower()
    if lower.endswith(".zip") or head.startswith(b"PK"):
        if not head.startswith(b"PK"):
            raise _not_a_zip(path.name)
        return ZipArchive(path, limits)
    if lower.endswith(TAR_SUFFIXES) or (head.startswith(b"\x1f\x8b") and ".tar" in lower):
        return TarArchive(path, limits)
    if _is_archive_name(lower) or head.startswith(_MAGICS):
        raise ArchiveRejected(
            "unsupported",
            _(
                "%(name)s is a kind of archive Maillage does not open. Upload the .zip (or, for "
                "an older Mastodon archive, .tar.gz) file the social network gives you, or the "
                "files inside it."
            )
            % {"name": path.name},
        )
    if not head:
        raise _reject_empty(path.name)
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise _reject_file_too_large(path.name, limits)
    _check_content(path.name, head)
    return FolderArchive(path.name, {path.name: path}, limits)

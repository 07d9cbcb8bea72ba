"""What a batch reads: files, folders, globs, zip and tar members, each safely.

Archive members are read into memory, never extracted, so no member can write outside
OUTDIR (path traversal, absolute paths, symlinks). Limits on member count, member size,
total size and compression ratio refuse archive bombs; every refusal is recorded.
"""

from __future__ import annotations

import glob
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FORM_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".pdf"}
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 100_000
    max_member_bytes: int = 256 * 2**20
    max_total_bytes: int = 8 * 2**30
    max_ratio: float = 200.0  # uncompressed / compressed, per zip member


@dataclass(frozen=True)
class InputItem:
    """One form file to process: on disk, or a member read from an archive."""

    name: str  # shown to users and written in results: path, or archive!member
    path: Path | None = None
    data: bytes | None = None


@dataclass(frozen=True)
class Refusal:
    name: str
    code: str
    reason: str


def _is_archive(path: Path) -> bool:
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def _unsafe_member(name: str) -> str | None:
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or name.startswith(("/", "\\")) or ":" in posix.parts[0]:
        return "absolute path in archive"
    if ".." in posix.parts:
        return "path traversal ('..') in archive member"
    return None


def _zip_members(path: Path, limits: ArchiveLimits) -> Iterator[InputItem | Refusal]:
    with zipfile.ZipFile(path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        if len(infos) > limits.max_members:
            yield Refusal(
                str(path),
                "ARCHIVE_TOO_MANY_MEMBERS",
                f"{len(infos)} members (limit {limits.max_members})",
            )
            return
        total = 0
        for info in infos:
            name = f"{path}!{info.filename}"
            unsafe = _unsafe_member(info.filename)
            if unsafe:
                yield Refusal(name, "ARCHIVE_UNSAFE_MEMBER", unsafe)
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                yield Refusal(name, "ARCHIVE_UNSAFE_MEMBER", "symbolic link in archive")
                continue
            if Path(info.filename).suffix.lower() not in FORM_SUFFIXES:
                continue
            ratio = info.file_size / max(1, info.compress_size)
            if info.file_size > limits.max_member_bytes or ratio > limits.max_ratio:
                yield Refusal(
                    name, "ARCHIVE_BOMB", f"declares {info.file_size} bytes (ratio {ratio:.0f}:1)"
                )
                continue
            total += info.file_size
            if total > limits.max_total_bytes:
                yield Refusal(name, "ARCHIVE_TOO_LARGE", "archive total size limit reached")
                return
            with archive.open(info) as member:
                data = member.read(limits.max_member_bytes + 1)
            if len(data) > limits.max_member_bytes:
                yield Refusal(name, "ARCHIVE_BOMB", "member larger than declared")
                continue
            yield InputItem(name=name, data=data)


def _tar_members(path: Path, limits: ArchiveLimits) -> Iterator[InputItem | Refusal]:
    with tarfile.open(path) as archive:
        total = count = 0
        for member in archive:
            name = f"{path}!{member.name}"
            count += 1
            if count > limits.max_members:
                yield Refusal(
                    str(path), "ARCHIVE_TOO_MANY_MEMBERS", f"more than {limits.max_members} members"
                )
                return
            if member.issym() or member.islnk():
                yield Refusal(name, "ARCHIVE_UNSAFE_MEMBER", "link in archive")
                continue
            if not member.isfile():
                continue
            unsafe = _unsafe_member(member.name)
            if unsafe:
                yield Refusal(name, "ARCHIVE_UNSAFE_MEMBER", unsafe)
                continue
            if Path(member.name).suffix.lower() not in FORM_SUFFIXES:
                continue
            if member.size > limits.max_member_bytes:
                yield Refusal(name, "ARCHIVE_BOMB", f"member of {member.size} bytes")
                continue
            total += member.size
            if total > limits.max_total_bytes:
                yield Refusal(name, "ARCHIVE_TOO_LARGE", "archive total size limit reached")
                return
            handle = archive.extractfile(member)
            if handle is not None:
                yield InputItem(name=name, data=handle.read(limits.max_member_bytes + 1))


def expand_inputs(
    specs: list[str],
    *,
    limits: ArchiveLimits | None = None,
) -> Iterator[InputItem | Refusal]:
    """Every form file named by the specs (files, folders, globs, archives), in order."""
    limits = limits or ArchiveLimits()
    for spec in specs:
        matches = sorted(glob.glob(spec, recursive=True)) if glob.has_magic(spec) else [spec]
        if not matches:
            yield Refusal(spec, "INPUT_MISSING", "no file matches")
        for match in matches:
            path = Path(match)
            if path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file())
                for file in files:
                    if file.is_symlink() and not file.resolve().is_relative_to(path.resolve()):
                        yield Refusal(str(file), "SYMLINK_ESCAPE", "link points outside the folder")
                    elif _is_archive(file):
                        yield from _archive(file, limits)
                    elif file.suffix.lower() in FORM_SUFFIXES:
                        yield InputItem(name=str(file), path=file)
            elif not path.exists():
                yield Refusal(str(path), "INPUT_MISSING", "no such file")
            elif _is_archive(path):
                yield from _archive(path, limits)
            else:
                yield InputItem(name=str(path), path=path)


def _archive(path: Path, limits: ArchiveLimits) -> Iterator[InputItem | Refusal]:
    try:
        if path.name.lower().endswith(".zip"):
            yield from _zip_members(path, limits)
        else:
            yield from _tar_members(path, limits)
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as exc:
        yield Refusal(str(path), "ARCHIVE_CORRUPT", f"unreadable archive ({exc})")

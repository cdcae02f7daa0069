"""Backup and restore: one dated archive of the database and the files, with a manifest.

The archive is a plain tar file (its parts are compressed already, or do not compress):

    manifest.json         what the archive holds, with each part's size and SHA-256
    database.pgdump       PostgreSQL: pg_dump's custom format (pg_restore reads it)
    database.sqlite3      SQLite: a copy made with SQLite's own backup API
    files/<name>          every file of the storage: evidence, report files (local folder
                          or S3 bucket), under the name the database knows it by

The database is dumped first, the files read after: files are never overwritten (a new
version of an evidence file is a new file), so every file the dump names is in the archive
unless it was deleted meanwhile (an expired report file); a file added meanwhile is one
more, harmless. A restore goes into an empty database and an empty storage only, after
checking every part of the archive against the manifest, and reads every file back from
the storage to check it again.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

import pmapp

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files/"
CHUNK = 1024 * 1024
# Names the storage may hold for a moment that are not the app's files (the health check's
# probe in the local folder).
TRANSIENT_PREFIXES = (".health-",)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why in plain words."""


@dataclass
class Summary:
    path: Path
    files: int
    bytes: int


# --- Helpers: hashing while streaming -------------------------------------------------------


class HashingReader(io.RawIOBase):
    """Reads from a file object and keeps the SHA-256 and size of what went through."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self):
        return True

    def read(self, size=-1):
        chunk = self.raw.read(size)
        self.sha256.update(chunk)
        self.size += len(chunk)
        return chunk

    def readinto(self, buffer):
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def stream_sha256(handle) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --- The storage's files --------------------------------------------------------------------


def storage_kind(storage) -> str:
    return "local" if isinstance(storage, FileSystemStorage) else "s3"


def storage_files(storage) -> Iterator[tuple[str, int]]:
    """Every file in the storage, as (name, size), names as the database stores them."""
    if storage_kind(storage) == "local":
        root = Path(storage.location)
        if not root.exists():
            return
        for folder, _dirs, names in os.walk(root):
            for name in sorted(names):
                if name.startswith(TRANSIENT_PREFIXES):
                    continue
                path = Path(folder) / name
                yield path.relative_to(root).as_posix(), path.stat().st_size
        return
    prefix = f"{storage.location.strip('/')}/" if storage.location.strip("/") else ""
    for summary in storage.bucket.objects.filter(Prefix=prefix):
        yield summary.key[len(prefix) :], summary.size


# --- The database ---------------------------------------------------------------------------


def database_engine() -> str:
    if connection.vendor == "postgresql":
        return "postgresql"
    if connection.vendor == "sqlite":
        return "sqlite"
    raise BackupError(f"Backups know PostgreSQL and SQLite, not {connection.vendor}.")


def libpq_environment() -> dict:
    """pg_dump and pg_restore reach the database as the app does, the password in the
    environment rather than on the command line (where `ps` shows it)."""
    settings = connection.settings_dict
    environment = {**os.environ, "PGDATABASE": settings["NAME"]}
    for key, variable in (
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
    ):
        if settings.get(key):
            environment[variable] = str(settings[key])
    options = settings.get("OPTIONS", {})
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            environment[variable] = str(options[option])
    return environment


def run_tool(command: list[str]) -> None:
    if not shutil.which(command[0]):
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client "
            "(apt-get install postgresql-client), of the server's version or newer."
        )
    done = subprocess.run(command, env=libpq_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def dump_database(folder: Path) -> Path:
    if database_engine() == "postgresql":
        path = folder / "database.pgdump"
        run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"])
        return path
    path = folder / "database.sqlite3"
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(path)
    try:
        # SQLite's online backup: a consistent copy while the app keeps writing.
        source.backup(target)
    finally:
        target.close()
        source.close()
    return path


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def database_tables() -> list[str]:
    with connection.cursor() as cursor:
        return connection.introspection.table_names(cursor)


# --- Backup ---------------------------------------------------------------------------------


def add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def add_stream(archive: tarfile.TarFile, name: str, handle, size: int) -> dict:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(datetime.datetime.now().timestamp())
    info.mode = 0o600
    reader = HashingReader(handle)
    archive.addfile(info, reader)
    if reader.size != size:
        raise BackupError(f"{name} changed while it was read ({reader.size} bytes, not {size}).")
    return {"path": name, "size": size, "sha256": reader.sha256.hexdigest()}


def create_backup(destination: Path, *, storage=None, now=None) -> Summary:
    """Writes pmapp-backup-<UTC time>.tar into the folder ``destination``."""
    storage = storage or default_storage
    destination = Path(destination)
    destination.mkdir(parents=True, exist_ok=True)
    now = now or datetime.datetime.now(datetime.UTC)
    final = destination / f"pmapp-backup-{now:%Y%m%dT%H%M%SZ}.tar"
    if final.exists():
        raise BackupError(f"{final} exists already.")
    partial = final.with_name(f".{final.name}.partial")
    parts: list[dict] = []
    total = 0
    with tempfile.TemporaryDirectory(dir=destination, prefix=".pmapp-backup-") as work:
        dump = dump_database(Path(work))
        migrations = applied_migrations()
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
                with open(dump, "rb") as handle:
                    parts.append(add_stream(archive, dump.name, handle, dump.stat().st_size))
                for name, size in storage_files(storage):
                    with storage.open(name, "rb") as handle:
                        parts.append(add_stream(archive, FILES + name, handle, size))
                    total += size
                manifest = {
                    "format": FORMAT,
                    "app_version": pmapp.__version__,
                    "created_at": now.isoformat(),
                    "database": {"engine": database_engine(), "path": dump.name},
                    "migrations": migrations,
                    "storage": storage_kind(storage),
                    "parts": parts,
                }
                add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1).encode())
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
    return Summary(path=final, files=len(parts) - 1, bytes=total)


# --- Restore --------------------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError) as error:
        raise BackupError("This is not a pmapp backup: it has no readable manifest.") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Backup format {manifest.get('format')} is not known to this version.")
    return manifest


def verify_archive(archive: tarfile.TarFile, manifest: dict) -> None:
    """Every part is in the archive, with its size and SHA-256, and nothing else is."""
    expected = {part["path"]: part for part in manifest["parts"]}
    present = {member.name for member in archive.getmembers() if member.isfile()}
    present.discard(MANIFEST)
    if missing := sorted(set(expected) - present):
        raise BackupError(f"The archive lacks {len(missing)} part(s): {', '.join(missing[:5])}")
    if extra := sorted(present - set(expected)):
        raise BackupError(f"The archive holds parts its manifest does not list: {extra[:5]}")
    for name, part in expected.items():
        sha256, size = stream_sha256(archive.extractfile(name))
        if (sha256, size) != (part["sha256"], part["size"]):
            raise BackupError(f"{name} does not match the manifest: the archive is damaged.")


def known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def refuse_unless_restorable(manifest: dict, storage) -> None:
    engine = database_engine()
    if manifest["database"]["engine"] != engine:
        raise BackupError(
            f"This backup holds a {manifest['database']['engine']} database; DATABASE_URL "
            f"points at {engine}. Restore into the same kind of database."
        )
    unknown = {
        (app, name) for app, names in manifest["migrations"].items() for name in names
    } - known_migrations()
    if unknown:
        raise BackupError(
            f"This backup was made by a newer version ({manifest['app_version']}) than this "
            f"one ({pmapp.__version__}): install that version first, then restore."
        )
    if tables := database_tables():
        raise BackupError(
            f"The database is not empty ({len(tables)} tables): restore into a new, empty "
            "database (createdb), so nothing is mixed or overwritten."
        )
    if next(storage_files(storage), None) is not None:
        raise BackupError(
            "The file storage is not empty: restore into an empty folder (MEDIA_ROOT) or "
            "an empty bucket (S3_BUCKET, S3_PREFIX)."
        )


def restore_database(archive: tarfile.TarFile, manifest: dict, folder: Path) -> None:
    # Copied by hand rather than extracted: the name on disk is ours, never the archive's.
    dump = folder / (
        "database.pgdump" if manifest["database"]["engine"] == "postgresql" else "database.sqlite3"
    )
    with archive.extractfile(manifest["database"]["path"]) as source, open(dump, "wb") as target:
        shutil.copyfileobj(source, target, CHUNK)
    if manifest["database"]["engine"] == "postgresql":
        run_tool(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ]
        )
        return
    connection.close()
    source = sqlite3.connect(dump)
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def restore_files(archive: tarfile.TarFile, manifest: dict, storage) -> tuple[int, int]:
    count = total = 0
    for part in manifest["parts"]:
        if not part["path"].startswith(FILES):
            continue
        name = part["path"][len(FILES) :]
        saved = storage.save(name, File(archive.extractfile(part["path"]), name=name))
        if saved != name:
            raise BackupError(f"The storage kept {name} as {saved}: it was not empty.")
        count += 1
        total += part["size"]
    # Read back what the storage now holds: the restore is checked, not assumed.
    for part in manifest["parts"]:
        if part["path"].startswith(FILES):
            with storage.open(part["path"][len(FILES) :], "rb") as handle:
                if stream_sha256(handle) != (part["sha256"], part["size"]):
                    raise BackupError(f"{part['path']} did not come back as it was backed up.")
    return count, total


def restore_backup(source: Path, *, storage=None) -> dict:
    """Checks the archive against its manifest, then restores the database and the files
    into an empty database and an empty storage. Gives the manifest."""
    storage = storage or default_storage
    try:
        archive = tarfile.open(source, "r:")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"Cannot read {source}: {error}") from error
    with archive:
        manifest = read_manifest(archive)
        verify_archive(archive, manifest)
        refuse_unless_restorable(manifest, storage)
        with tempfile.TemporaryDirectory(prefix="pmapp-restore-") as work:
            restore_database(archive, manifest, Path(work))
        restore_files(archive, manifest, storage)
    return manifest

"""``calmdesk backup`` and ``calmdesk restore``: a consistent copy of the database and
of the stored files, in one folder:

    manifest.json   what was copied, from which database, at which migrations
    db.sqlite3      SQLite, copied through its online backup API (writers may go on)
    db.dump         PostgreSQL, pg_dump's custom format (one snapshot)
    raw/ files/     raw mail and attachments, read through the storage API
    secret_key      the generated session key, when the data folder holds one

The database is copied first and the files after: raw mail and attachments are written
before the rows that name them and never changed, so every row of the copy finds its
file. A file written meanwhile is copied too, unreferenced, and ``doctor --fix`` deletes
it once it is old. CALMDESK_ENCRYPTION_KEY (mailbox passwords) lives in the environment,
not here: keep it with the backup, apart."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

FORMAT = 1
SQLITE_FILE = "db.sqlite3"
PG_FILE = "db.dump"


class BackupError(Exception):
    pass


def _storages() -> dict[str, Any]:
    """The folder in a backup -> the storage its files come from and go back to."""
    from django.core.files.storage import storages

    from calmdesk.mail import rawstore

    return {"raw": rawstore.storage(), "files": storages["default"]}


def _pg_env(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """pg_dump / pg_restore connection arguments; the password goes in the environment."""
    args = ["--dbname", settings_dict["NAME"]]
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; PostgreSQL backups need its client tools")
    return found


def _copy_database(dest: Path) -> str:
    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = sqlite3.connect(dest / SQLITE_FILE)
        try:
            connection.connection.backup(target)  # a consistent snapshot, writers may go on
        finally:
            target.close()
        return SQLITE_FILE
    if connection.vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dest / PG_FILE)]
        subprocess.run([*command, *args], env=env, check=True)
        return PG_FILE
    raise BackupError(f"no backup for a {connection.vendor} database")


def _applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("id").values_list("app", "name"):
        latest[app] = name
    return latest


def _copy_files(dest: Path) -> dict[str, int]:
    from calmdesk.ops.doctor import walk

    counts = {}
    for folder, where in _storages().items():
        counts[folder] = 0
        for name in walk(where, ""):
            if Path(name).name.startswith("."):
                continue  # a write in progress (rawstore's temporary names)
            target = dest / folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with where.open(name, "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            counts[folder] += 1
    return counts


def backup(dest: Path) -> dict[str, Any]:
    """Write a backup into ``dest`` (a new or empty folder); returns its manifest."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from calmdesk.engine.version import ENGINE_VERSION

    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    started = timezone.now()
    database = _copy_database(dest)
    files = _copy_files(dest)
    key = Path(settings.DATA_DIR) / "secret_key"
    if key.exists():
        shutil.copy2(key, dest / "secret_key")
    manifest = {
        "format": FORMAT,
        "vendor": connection.vendor,
        "database": database,
        "files": files,
        "migrations": _applied_migrations(),
        "engine_version": ENGINE_VERSION,
        "started_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def _restore_database(source: Path, manifest: dict[str, Any]) -> None:
    from django.db import connection

    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"this backup is of a {manifest['vendor']} database, not {connection.vendor}; "
            "use calmdesk export to move between databases"
        )
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(source / SQLITE_FILE)
        try:
            copy.backup(connection.connection)  # page by page, replacing every table
        finally:
            copy.close()
        return
    args, env = _pg_env(connection.settings_dict)
    connection.close()  # pg_restore drops tables this connection may hold open
    command = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction"]
    subprocess.run([*command, *args, str(source / PG_FILE)], env=env, check=True)


def _restore_files(source: Path) -> None:
    from django.core.files import File

    for folder, where in _storages().items():
        base = source / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            name = path.relative_to(base).as_posix()
            if where.exists(name):
                where.delete(name)  # the backup's bytes win; names never move
            with path.open("rb") as handle:
                where.save(name, File(handle))


def _has_data() -> bool:
    from calmdesk.desk.models import Conversation, Mailbox

    return Mailbox.objects.exists() or Conversation.objects.exists()


def restore(source: Path, *, replace: bool = False) -> dict[str, Any]:
    """Put a backup back: the database replaced whole, the files written over. Refuses
    a desk that holds data unless ``replace``. Stop the web process and the worker
    first: they would go on with what they read before."""
    from django.conf import settings
    from django.db import DatabaseError

    manifest = json.loads((source / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    try:
        occupied = _has_data()
    except DatabaseError:  # a fresh database, not migrated: nothing to lose
        occupied = False
    if occupied and not replace:
        raise BackupError("this desk holds data; pass --replace to overwrite it with the backup")
    _restore_database(source, manifest)
    _restore_files(source)
    key = source / "secret_key"
    if key.exists():
        Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
        shutil.copy2(key, Path(settings.DATA_DIR) / "secret_key")
    return manifest


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "calmdesk.settings")
    import django

    django.setup()


def cmd_backup(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk backup", description=__doc__)
    parser.add_argument("dest", type=Path, help="a new or empty folder")
    args = parser.parse_args(argv)
    _setup()
    try:
        manifest = backup(args.dest)
    except (BackupError, subprocess.CalledProcessError) as exc:
        print(f"calmdesk backup: {exc}", file=sys.stderr)
        return 1
    counts = manifest["files"]
    print(
        f"backup: the {manifest['vendor']} database, {counts['raw']} raw mail files and "
        f"{counts['files']} attachment files in {args.dest}"
    )
    return 0


def cmd_restore(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="calmdesk restore", description=restore.__doc__)
    parser.add_argument("source", type=Path, help="a folder made by calmdesk backup")
    parser.add_argument("--replace", action="store_true", help="overwrite a desk with data")
    args = parser.parse_args(argv)
    _setup()
    from calmdesk.mail.bootstrap import ensure_migrated

    try:
        restore(args.source, replace=args.replace)
    except (BackupError, subprocess.CalledProcessError, FileNotFoundError) as exc:
        print(f"calmdesk restore: {exc}", file=sys.stderr)
        return 1
    ensure_migrated()  # a backup of an older release is brought up to this one
    print(f"restored from {args.source}; run calmdesk doctor to check it")
    return 0

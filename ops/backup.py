"""Backup and restore: one ``.tar.gz`` holding the database, the attachments and a manifest.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
  page by page while the server keeps running, WAL or not. Restoring copies the file into place,
  with the server stopped.
- PostgreSQL: ``pg_dump --format=custom`` inside an exported snapshot (the counts in the
  manifest are read in the same snapshot, so they are exactly those of the dump); restoring is
  ``pg_restore --no-owner --clean --if-exists`` into the configured database. The password goes
  through ``PGPASSWORD``, never on a command line.
- Attachments: every file under ``MEDIA_ROOT`` (case attachments, policy attachments,
  mediation agreements, briefings), copied after the database, so every file the database
  names is in the archive.

The manifest records when, which database vendor, the migrations applied per app, the number
of cases and events, and the sha256 of each part. A restore checks every checksum before it
touches anything, and the counts and the attachments' checksums again after.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Case, CaseEvent

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
SQLITE = "sqlite"
POSTGRESQL = "postgresql"
DATABASE_PART = {SQLITE: "database.sqlite3", POSTGRESQL: "database.pgdump"}
VENDOR_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
# libpq's own settings that may sit in DATABASES[...]["OPTIONS"] and must reach the tools.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
}


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do, in Chinese."""


@dataclass(frozen=True)
class Facts:
    """What the manifest says of a database: cases, events and applied migrations."""

    cases: int
    events: int
    migrations: dict[str, list[str]]


@dataclass(frozen=True)
class Restored:
    vendor: str
    cases: int
    events: int
    files: int


# --- the database's settings -------------------------------------------------------------------


def vendor_of(database: Mapping[str, Any]) -> str:
    engine = str(database.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise BackupError(
        _("不支持的数据库引擎 %(engine)s：只能备份 SQLite 和 PostgreSQL。") % {"engine": engine}
    )


def _sqlite_path(database: Mapping[str, Any]) -> Path:
    name = str(database.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError(_("数据库是内存数据库，没有可以恢复到的文件。"))
    return Path(name)


def _pg_env(database: Mapping[str, Any]) -> dict[str, str]:
    """The environment for pg_dump / pg_restore: the connection in PG* variables, so the
    password never shows in the process list."""
    env = os.environ.copy()
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        value = database.get(key)
        if value:
            env[variable] = str(value)
    for option, variable in LIBPQ_OPTIONS.items():
        value = (database.get("OPTIONS") or {}).get(option)
        if value:
            env[variable] = str(value)
    return env


def _pg_connect(database: Mapping[str, Any]) -> Any:
    import psycopg

    params: dict[str, Any] = {"dbname": database["NAME"]}
    for key in ("HOST", "PORT", "USER", "PASSWORD"):
        if database.get(key):
            params[key.lower()] = database[key]
    for option in LIBPQ_OPTIONS:
        value = (database.get("OPTIONS") or {}).get(option)
        if value:
            params[option] = value
    return psycopg.connect(**params)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            _(
                "找不到 %(tool)s：请安装 PostgreSQL 客户端工具（Debian/Ubuntu：apt install "
                "postgresql-client），主版本不低于数据库服务器。"
            )
            % {"tool": name}
        )
    return path


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s 失败（退出码 %(code)s）：%(error)s")
            % {
                "tool": Path(command[0]).name,
                "code": result.returncode,
                "error": (result.stderr or result.stdout).strip()[-2000:],
            }
        )


# --- facts read from a database ------------------------------------------------------------------


def _facts(cursor: Any) -> Facts:
    """Counts and migrations through a DB-API cursor (sqlite3 or psycopg), tables by name."""
    cursor.execute(f"SELECT COUNT(*) FROM {Case._meta.db_table}")
    cases = int(cursor.fetchone()[0])
    cursor.execute(f"SELECT COUNT(*) FROM {CaseEvent._meta.db_table}")
    events = int(cursor.fetchone()[0])
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        migrations.setdefault(app, []).append(name)
    return Facts(cases=cases, events=events, migrations=migrations)


def _sqlite_counts(path: Path) -> tuple[int, int] | None:
    """Cases and events in a SQLite file, or None when it holds no case table (or no file)."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with _sqlite_read(path) as connection:
        cursor = connection.cursor()
        cursor.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [Case._meta.db_table]
        )
        if cursor.fetchone() is None:
            return None
        facts = _facts(cursor)
        return facts.cases, facts.events


def _pg_counts(database: Mapping[str, Any]) -> tuple[int, int] | None:
    with _pg_connect(database) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [Case._meta.db_table])
        if cursor.fetchone()[0] is None:
            return None
        facts = _facts(cursor)
        return facts.cases, facts.events


def database_counts(database: Mapping[str, Any] | None = None) -> tuple[int, int] | None:
    """Cases and events in the database (the default one unless given), read outside Django's
    connection; None when its tables do not exist yet."""
    database = database or connections["default"].settings_dict
    if vendor_of(database) == SQLITE:
        return _sqlite_counts(_sqlite_path(database))
    return _pg_counts(database)


class _sqlite_read:
    """A read-only sqlite3 connection to a file, closed on exit (sqlite3's own ``with`` only
    ends the transaction)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


# --- backup --------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _media_files(media_root: Path) -> Iterator[tuple[str, Path]]:
    """Every regular file under MEDIA_ROOT as (its part name, its path); links are not followed."""
    if not media_root.is_dir():
        return
    for folder, dirs, files in os.walk(media_root):
        dirs.sort()
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            yield str(PurePosixPath(MEDIA, *path.relative_to(media_root).parts)), path


def _dump_sqlite(alias: str, target: Path) -> Facts:
    """The online backup API, from Django's own connection (a file or the tests' in-memory
    database alike): a consistent copy while other connections keep writing."""
    connection = connections[alias]
    connection.ensure_connection()
    source = connection.connection
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()
    with _sqlite_read(target) as copy:
        cursor = copy.cursor()
        cursor.execute("PRAGMA quick_check")
        if cursor.fetchone()[0] != "ok":
            raise BackupError(_("SQLite 备份文件校验未通过，请重试。"))
        return _facts(cursor)


def _dump_postgres(database: Mapping[str, Any], target: Path) -> Facts:
    """pg_dump in a snapshot exported by a repeatable-read transaction, which also counts."""
    pg_dump = _tool("pg_dump")
    from psycopg import IsolationLevel

    with _pg_connect(database) as connection:
        connection.isolation_level = IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = _facts(cursor)
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                _pg_env(database),
            )
        connection.rollback()
    return facts


def create_backup(
    output_dir: Path,
    *,
    alias: str = "default",
    media_root: Path | None = None,
) -> Path:
    """Write one archive into ``output_dir`` and return its path. Nothing is left behind when
    it fails: the archive is written under a temporary name and renamed at the end."""
    database = connections[alias].settings_dict
    vendor = vendor_of(database)
    media_root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    output_dir.mkdir(parents=True, exist_ok=True)
    created = timezone.localtime()
    name = f"lianxin-backup-{created:%Y%m%d-%H%M%S}-{vendor}.tar.gz"
    with tempfile.TemporaryDirectory(dir=output_dir, prefix=".backup-") as work:
        database_part = DATABASE_PART[vendor]
        dump = Path(work) / database_part
        if vendor == SQLITE:
            facts = _dump_sqlite(alias, dump)
        else:
            facts = _dump_postgres(database, dump)
        parts = {database_part: {"sha256": _sha256(dump), "bytes": dump.stat().st_size}}
        files = list(_media_files(media_root))
        for part, path in files:
            parts[part] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
        manifest = {
            "format": FORMAT,
            "product": "lianxin",
            "created_at": created.isoformat(),
            "vendor": vendor,
            "database": database_part,
            "migrations": facts.migrations,
            "counts": {"cases": facts.cases, "events": facts.events, "files": len(files)},
            "parts": parts,
        }
        manifest_path = Path(work) / MANIFEST
        manifest_path.write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
        )
        partial = Path(work) / name
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(manifest_path, MANIFEST, recursive=False)
            archive.add(dump, database_part, recursive=False)
            for part, path in files:
                archive.add(path, part, recursive=False)
        final = output_dir / name
        os.replace(partial, final)
    return final


# --- restore -------------------------------------------------------------------------------------


def _safe_part(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and (name in (MANIFEST, *DATABASE_PART.values()) or path.parts[:1] == (MEDIA,))
    )


def open_archive(archive: Path, work: Path) -> tuple[Path, dict[str, Any]]:
    """Unpack ``archive`` (a .tar.gz, or a folder holding an unpacked one) into ``work`` and
    check it: a manifest of this product, every part present with its checksum, nothing else.
    Returns the folder holding the parts and the manifest."""
    if archive.is_dir():
        root = archive
    elif archive.is_file():
        try:
            with tarfile.open(archive, "r:*") as tar:
                members = tar.getmembers()
                for member in members:
                    if not (member.isfile() or member.isdir()) or not _safe_part(member.name):
                        raise BackupError(
                            _("备份文件含有不应有的内容：%(name)s。") % {"name": member.name}
                        )
                tar.extractall(work, members=members, filter="data")
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(
                _("无法读取备份文件 %(path)s：%(error)s") % {"path": archive, "error": error}
            ) from error
        root = work
    else:
        raise BackupError(_("找不到备份文件 %(path)s。") % {"path": archive})
    try:
        manifest = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BackupError(_("备份中没有可读的清单（manifest.json）。")) from error
    if not isinstance(manifest, dict) or manifest.get("product") != "lianxin":
        raise BackupError(_("这不是连心桥的备份文件。"))
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("备份格式版本 %(format)s 不受支持。") % {"format": manifest.get("format")}
        )
    parts: dict[str, dict[str, Any]] = manifest.get("parts") or {}
    present = {
        str(PurePosixPath(*path.relative_to(root).parts))
        for path in root.rglob("*")
        if path.is_file() and path.name != MANIFEST
    }
    if manifest.get("database") not in parts or not all(_safe_part(name) for name in parts):
        raise BackupError(_("备份清单不完整或含有不应有的条目。"))
    for name in sorted(present - set(parts)):
        raise BackupError(_("备份中的 %(part)s 不在清单里。") % {"part": name})
    for name, part in sorted(parts.items()):
        path = root / name
        if name not in present:
            raise BackupError(_("备份缺少 %(part)s。") % {"part": name})
        if _sha256(path) != part.get("sha256"):
            raise BackupError(_("备份已损坏：%(part)s 的校验和不符。") % {"part": name})
    return root, manifest


def _unknown_migrations(manifest: Mapping[str, Any]) -> list[str]:
    """Migrations the archive's database has and this code does not: a newer version's data."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in (manifest.get("migrations") or {}).items()
        for name in names
        if (app, name) not in known
    )


def _restore_sqlite(dump: Path, target: Path) -> None:
    """Copy the backed-up file into place: beside the target first, then renamed over it, the
    old file's WAL and shared-memory files removed (they belong to the file being replaced)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".restoring")
    shutil.copyfile(dump, staging)
    with staging.open("rb") as file:
        os.fsync(file.fileno())
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(staging, target)


def _restore_postgres(dump: Path, database: Mapping[str, Any]) -> None:
    pg_restore = _tool("pg_restore")
    _run(
        [
            pg_restore,
            "--no-owner",
            "--clean",
            "--if-exists",
            "--single-transaction",
            f"--dbname={database['NAME']}",
            str(dump),
        ],
        _pg_env(database),
    )


def _restore_media(root: Path, parts: Mapping[str, Any], media_root: Path) -> int:
    """Copy the attachments under MEDIA_ROOT (each through a temporary name) and check each
    copy's checksum; returns how many."""
    count = 0
    for name, part in sorted(parts.items()):
        path = PurePosixPath(name)
        if path.parts[:1] != (MEDIA,):
            continue
        target = media_root.joinpath(*path.parts[1:])
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(root / name, staging)
        os.replace(staging, target)
        if _sha256(target) != part["sha256"]:
            raise BackupError(_("附件 %(part)s 恢复后校验和不符。") % {"part": name})
        count += 1
    return count


def restore_backup(
    archive: Path,
    *,
    database: Mapping[str, Any] | None = None,
    media_root: Path | None = None,
    force: bool = False,
) -> Restored:
    """Restore ``archive`` into ``database`` (the default one's settings unless given) and
    ``media_root`` (MEDIA_ROOT unless given). Refuses an archive from another vendor, from a
    newer version of the product, or a database that already holds cases (unless ``force``)."""
    database = database or connections["default"].settings_dict
    vendor = vendor_of(database)
    media_root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="lianxin-restore-") as work:
        root, manifest = open_archive(archive, Path(work))
        if manifest.get("vendor") != vendor:
            raise BackupError(
                _(
                    "这份备份来自 %(archive)s 数据库，当前配置的是 %(current)s：不能跨数据库恢复。"
                    "请在同类数据库上恢复，或用 dumpdata/loaddata 迁移数据。"
                )
                % {
                    "archive": VENDOR_NAMES.get(str(manifest.get("vendor")), "?"),
                    "current": VENDOR_NAMES[vendor],
                }
            )
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                _("这份备份来自更新版本的连心桥（本版本没有迁移 %(migrations)s），请先升级再恢复。")
                % {"migrations": "、".join(unknown[:5])}
            )
        existing = database_counts(database)
        if existing and existing[0] and not force:
            raise BackupError(
                _(
                    "目标数据库已有 %(count)s 件事项：只能恢复到空数据库。"
                    "请换一个空数据库，或确认要覆盖后加 --force。"
                )
                % {"count": existing[0]}
            )
        dump = root / str(manifest["database"])
        for connection in connections.all(initialized_only=True):
            if connection.settings_dict.get("NAME") == database.get("NAME"):
                connection.close()
        if vendor == SQLITE:
            _restore_sqlite(dump, _sqlite_path(database))
        else:
            _restore_postgres(dump, database)
        files = _restore_media(root, manifest["parts"], media_root)
    counts = database_counts(database)
    expected = manifest["counts"]
    if counts != (expected["cases"], expected["events"]):
        raise BackupError(
            _(
                "恢复后的数据与备份清单不符：事项 %(cases)s/%(expected_cases)s，"
                "流转记录 %(events)s/%(expected_events)s。"
            )
            % {
                "cases": counts[0] if counts else 0,
                "expected_cases": expected["cases"],
                "events": counts[1] if counts else 0,
                "expected_events": expected["events"],
            }
        )
    return Restored(vendor=vendor, cases=counts[0], events=counts[1], files=files)

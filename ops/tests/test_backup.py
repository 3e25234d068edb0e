"""Backup and restore round trip: a world built by the engine, backed up, restored into an empty
database, and every case, event and attachment compared with the original.

Transactional: pg_dump reads committed data from its own connection."""

from __future__ import annotations

import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, connections

from cases import services
from cases.models import Case, CaseAssignment, CaseAttachment, CaseEvent, Status
from cases.tests.world import World
from ops import backup
from ops.backup import BackupError, create_backup, restore_backup

# Slow: on PostgreSQL each round trip takes several seconds (pg_dump, pg_restore, the flush).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PDF_BYTES = b"%PDF-1.7\n" + "调解协议".encode() * 50


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def build_world() -> World:
    """Cases in every final and several open states, a send-back, an attachment per case kind."""
    world = World.build()
    for status in (Status.CLOSED, Status.REJECTED, Status.MERGED, Status.VERIFIED):
        world.in_status(status)
    sent_back = world.assigned(requester_name="李四", requester_phone="13900001111")
    services.send_back(
        sent_back, actor=world.handler, reason_code="not_remit", reason="不属本局职责。"
    )
    photo = SimpleUploadedFile("现场.png", PNG_BYTES, content_type="image/png")
    pdf = SimpleUploadedFile("协议.pdf", PDF_BYTES, content_type="application/pdf")
    world.answered(attachments=[("现场.png", photo), ("协议.pdf", pdf)])
    return world


@pytest.fixture
def built(media: Path) -> World:
    world = build_world()
    # Anything else under MEDIA_ROOT (a briefing, a policy file) travels too.
    (media / "briefings").mkdir(parents=True)
    (media / "briefings" / "简报.docx").write_bytes(b"PK\x03\x04 briefing")
    return world


def table_rows(cursor: Any, table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    cursor.execute(f"SELECT * FROM {table} ORDER BY id")
    return [column[0] for column in cursor.description], list(cursor.fetchall())


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The settings of an empty database of the test database's vendor: a new SQLite file, or
    a new PostgreSQL database beside the test one (dropped afterwards)."""
    source = connection.settings_dict
    if connection.vendor == "sqlite":
        yield {**source, "NAME": str(tmp_path / "restored.sqlite3")}
        return
    missing = [tool for tool in ("pg_dump", "pg_restore") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{' and '.join(missing)} not installed (PostgreSQL client tools)")
    import psycopg

    name = f"{source['NAME']}_restore"
    params = {k.lower(): source[k] for k in ("HOST", "PORT", "USER", "PASSWORD") if source[k]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {**source, "NAME": name}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_every_case_event_and_attachment_into_an_empty_database(
    built, media, tmp_path, empty_database
):
    archive = create_backup(tmp_path / "backups")
    manifest = json.loads(tarfile.open(archive).extractfile("manifest.json").read())
    assert manifest["vendor"] == backup.vendor_of(connection.settings_dict)
    assert manifest["counts"]["cases"] == Case.objects.count() == 7
    assert manifest["counts"]["events"] == CaseEvent.objects.count() > 9
    assert manifest["counts"]["files"] == 3
    assert "0001_initial" in manifest["migrations"]["cases"]

    restored_media = tmp_path / "restored-media"
    assert backup.database_counts(empty_database) is None
    result = restore_backup(archive, database=empty_database, media_root=restored_media)
    assert (result.cases, result.events, result.files) == (7, CaseEvent.objects.count(), 3)

    other = type(connections["default"])(empty_database, alias="restored")
    try:
        with connection.cursor() as original, other.cursor() as copy:
            for model in (Case, CaseEvent, CaseAssignment, CaseAttachment):
                table = model._meta.db_table
                columns, rows = table_rows(original, table)
                assert rows, table
                assert table_rows(copy, table) == (columns, rows), table
            # The restored database is a working one: its migrations are recorded as applied.
            copy.execute("SELECT COUNT(*) FROM django_migrations WHERE app = 'ops'")
            assert copy.fetchone()[0] >= 1
    finally:
        other.close()

    attachments = list(CaseAttachment.objects.all())
    assert len(attachments) == 2
    for attachment in attachments:
        stored = attachment.file.name
        assert (restored_media / stored).read_bytes() == (media / stored).read_bytes()
    assert (restored_media / "briefings" / "简报.docx").read_bytes() == b"PK\x03\x04 briefing"


def test_a_restore_refuses_a_database_holding_cases_and_another_vendor(
    built, tmp_path, empty_database
):
    archive = create_backup(tmp_path / "backups")
    restore_backup(archive, database=empty_database, media_root=tmp_path / "m")
    assert backup.database_counts(empty_database) == (7, CaseEvent.objects.count())
    with pytest.raises(BackupError, match="目标数据库已有 7 件事项：只能恢复到空数据库"):
        restore_backup(archive, database=empty_database, media_root=tmp_path / "m")
    # The command on the configured (test) database: it holds cases, or on SQLite lives in memory.
    refusal = "只能恢复到空数据库" if connection.vendor == "postgresql" else "内存数据库"
    with pytest.raises(CommandError, match=refusal):
        call_command("restore", str(archive), yes=True)
    assert Case.objects.count() == 7

    if connection.vendor == "sqlite":
        other = {"ENGINE": "django.db.backends.postgresql", "NAME": "elsewhere"}
        message = "这份备份来自 SQLite 数据库，当前配置的是 PostgreSQL：不能跨数据库恢复"
    else:
        other = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "x.sqlite3")}
        message = "这份备份来自 PostgreSQL 数据库，当前配置的是 SQLite：不能跨数据库恢复"
    with pytest.raises(BackupError, match=message):
        restore_backup(archive, database=other, media_root=tmp_path / "n")
    assert not (tmp_path / "n").exists()


def test_a_tampered_archive_is_refused_before_anything_is_restored(built, media, tmp_path):
    archive = create_backup(tmp_path / "backups")
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    target = {**connection.settings_dict, "NAME": str(tmp_path / "never.sqlite3")}
    if connection.vendor != "sqlite":
        target = {**connection.settings_dict, "NAME": "test_never_created"}
    (unpacked / "media" / "briefings" / "简报.docx").write_bytes(b"changed")
    with pytest.raises(BackupError, match="备份已损坏：media/briefings/简报.docx 的校验和不符"):
        restore_backup(unpacked, database=target, media_root=tmp_path / "m")
    (unpacked / "media" / "extra.html").write_text("<script>")
    with pytest.raises(BackupError, match="备份中的 media/extra.html 不在清单里"):
        restore_backup(unpacked, database=target, media_root=tmp_path / "m")
    assert not (tmp_path / "m").exists() and not (tmp_path / "never.sqlite3").exists()


def test_an_archive_with_a_path_outside_is_refused(tmp_path):
    evil = tmp_path / "evil.tar.gz"
    payload = tmp_path / "payload"
    payload.write_text("x")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(payload, "../outside.txt")
    with pytest.raises(BackupError, match="备份文件含有不应有的内容：../outside.txt"):
        restore_backup(evil, media_root=tmp_path / "m")
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), yes=True)


def test_the_backup_command_writes_an_archive_and_a_missing_pg_dump_is_a_clear_error(
    built, tmp_path, monkeypatch, capsys
):
    call_command("backup", output=str(tmp_path / "out"))
    (archive,) = (tmp_path / "out").glob("lianxin-backup-*.tar.gz")
    assert "备份完成" in capsys.readouterr().out
    assert not list((tmp_path / "out").glob(".backup-*"))  # no leftovers
    monkeypatch.setattr(backup.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="找不到 pg_dump：请安装 PostgreSQL 客户端工具"):
        backup._tool("pg_dump")
    if connection.vendor == "postgresql":
        with pytest.raises(CommandError, match="找不到 pg_dump"):
            call_command("backup", output=str(tmp_path / "out2"))

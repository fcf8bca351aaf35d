"""Backups: an archive of the database and the stored files restores into a fresh database, and a damaged
or foreign archive is refused with nothing changed. Restores run in a subprocess against a fresh target
(a new SQLite file, or a new PostgreSQL database on the test server), as an administrator would run them."""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection

from schools.models import Pupil, School, SchoolClass
from tests.factories import PupilFactory, SchoolClassFactory, SchoolFactory
from vpr_portal.backup import BackupError, backup_create

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(settings.BASE_DIR)
SCAN = "scans/sch660001/4А/бланк-001.pdf"
SCAN_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40


@dataclass
class Target:
    """Where a restore goes: a database that does not exist yet (or is empty) and an empty MEDIA_ROOT."""

    env: dict
    media: Path
    connect: object

    def query(self, sql: str) -> list[tuple]:
        db = self.connect()
        try:
            cursor = db.cursor()
            cursor.execute(sql)
            return cursor.fetchall()
        finally:
            db.close()

    def count(self, table: str) -> int:
        return self.query(f'SELECT COUNT(*) FROM "{table}"')[0][0]


@pytest.fixture
def target(tmp_path):
    media = tmp_path / "restored-media"
    env = {**os.environ, "DEBUG": "1", "MEDIA_ROOT": str(media)}
    if connection.vendor == "sqlite":
        database = tmp_path / "restored" / "db.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{database}"
        yield Target(env=env, media=media, connect=lambda: sqlite3.connect(database))
        return

    import psycopg2

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    server = {**params, "dbname": "postgres"}
    # Named after the configured database (not the test one), so parallel runs on one server do not collide.
    original = os.environ["DATABASE_URL"].rsplit("/", 1)[1].split("?")[0]
    name = f"{original}_restore_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(**server)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    url = os.environ["DATABASE_URL"]
    env["DATABASE_URL"] = url[: url.rindex("/") + 1] + name + (("?" + url.split("?", 1)[1]) if "?" in url else "")
    try:
        yield Target(env=env, media=media, connect=lambda: psycopg2.connect(**{**params, "dbname": name}))
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def restored_files(target: Target) -> list[Path]:
    return sorted(path for path in target.media.rglob("*") if path.is_file())


def restore(archive: Path, target: Target, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vpr_portal.backup", "restore", str(archive), *args],
        cwd=ROOT,
        env=target.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def school_data():
    school = SchoolFactory(code="sch660001", short_name="СШ №1")
    class_4a = SchoolClassFactory(school=school, grade=4, letter="А")
    class_5b = SchoolClassFactory(school=school, grade=5, letter="Б")
    PupilFactory(school_class=class_4a, last_name="Снегирёва", first_name="Алиса", middle_name="Олеговна")
    PupilFactory(school_class=class_4a, last_name="О'Нил-Петрова", first_name="Анна-Мария")
    PupilFactory(school_class=class_5b, last_name="Журавлёв", first_name="Матвей", middle_name="")
    assert default_storage.save(SCAN, ContentFile(SCAN_BYTES)) == SCAN
    return school


def pupils_in_source() -> list[tuple]:
    return list(
        Pupil.objects.order_by("pk").values_list("pk", "school_class_id", "last_name", "first_name", "middle_name")
    )


def pupils_in(target: Target) -> list[tuple]:
    return target.query(
        f"SELECT id, school_class_id, last_name, first_name, middle_name FROM {Pupil._meta.db_table} ORDER BY id"
    )


def source_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def damaged_copy(archive: Path, member: str) -> Path:
    """The archive with one byte of one member's data changed (a flipped bit on disk)."""
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member).offset_data + 100
    damaged = archive.with_name("damaged.tar")
    shutil.copy(archive, damaged)
    with open(damaged, "r+b") as file:
        file.seek(offset)
        byte = file.read(1)
        file.seek(offset)
        file.write(bytes([byte[0] ^ 0x01]))
    return damaged


def test_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(school_data, target, tmp_path):
    archive = backup_create(target_dir=tmp_path / "backups")
    expected_counts = source_counts()
    expected_pupils = pupils_in_source()

    done = restore(archive, target, "--yes")

    assert done.returncode == 0, done.stderr
    assert "Восстановлено" in done.stdout
    assert {table: target.count(table) for table in expected_counts} == expected_counts
    assert pupils_in(target) == expected_pupils
    assert ("Снегирёва", "Алиса", "Олеговна") in [row[2:] for row in expected_pupils]
    assert target.query(f"SELECT code, short_name FROM {School._meta.db_table}") == [("sch660001", "СШ №1")]
    assert target.count(SchoolClass._meta.db_table) == 2
    assert (target.media / SCAN).read_bytes() == SCAN_BYTES
    assert restored_files(target) == [target.media / SCAN]


def test_archive_holds_the_dump_the_media_and_a_manifest_with_checksums(school_data, tmp_path):
    archive = backup_create(target_dir=tmp_path / "backups")

    assert archive.parent == tmp_path / "backups" and archive.name.startswith("vpr-") and archive.suffix == ".tar"
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for name, sha256 in manifest["members"].items():
            assert hashlib.sha256(tar.extractfile(name).read()).hexdigest() == sha256
    assert manifest["engine"] == ("sqlite" if connection.vendor == "sqlite" else "postgresql")
    assert set(manifest["members"]) == {
        "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump",
        "media/" + SCAN,
    }
    assert manifest["files"] == 1
    assert manifest["tables"][Pupil._meta.db_table] == 3
    assert "0001_initial" in manifest["migrations"]["schools"]
    assert manifest["created_at"].endswith("+00:00")


def test_damaged_archive_is_refused_and_the_target_is_untouched(school_data, target, tmp_path):
    archive = backup_create(target_dir=tmp_path / "backups")
    assert restore(archive, target, "--yes").returncode == 0
    Pupil.objects.filter(last_name="Журавлёв").delete()
    default_storage.save("scans/new.pdf", ContentFile(b"new"))
    newer = backup_create(target_dir=tmp_path / "backups")
    pupils_before = pupils_in(target)

    for member in ("media/" + SCAN, "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"):
        done = restore(damaged_copy(newer, member), target, "--yes")

        assert done.returncode == 1
        assert f"Контрольная сумма {member}" in done.stderr
        assert "Ничего не изменено" in done.stderr
        assert pupils_in(target) == pupils_before
        assert len(pupils_before) == 3
        assert restored_files(target) == [target.media / SCAN]
        assert (target.media / SCAN).read_bytes() == SCAN_BYTES


def test_archive_with_a_missing_file_is_refused(school_data, target, tmp_path):
    archive = backup_create(target_dir=tmp_path / "backups")
    incomplete = tmp_path / "incomplete.tar"
    with tarfile.open(archive) as source, tarfile.open(incomplete, "w") as tar:
        for member in source.getmembers():
            if member.name != "media/" + SCAN:
                tar.addfile(member, source.extractfile(member))

    done = restore(incomplete, target, "--yes")

    assert done.returncode == 1
    assert "не хватает файлов (1), например media/" + SCAN in done.stderr
    assert not restored_files(target)


def test_archive_of_the_other_engine_is_refused(school_data, target, tmp_path):
    archive = backup_create(target_dir=tmp_path / "backups")
    foreign = tmp_path / "foreign.tar"
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    with tarfile.open(archive) as source, tarfile.open(foreign, "w") as tar:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["engine"] = other
                data = json.dumps(manifest).encode()
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data))

    done = restore(foreign, target, "--yes")

    assert done.returncode == 1
    assert f"сделан из базы {other}" in done.stderr
    assert not restored_files(target)


def test_restore_without_a_terminal_needs_yes(school_data, target, tmp_path):
    archive = backup_create(target_dir=tmp_path / "backups")

    done = restore(archive, target)

    assert done.returncode == 1
    assert "--yes" in done.stderr and "YES=1" in done.stderr
    assert not restored_files(target)


def test_missing_archive_is_refused(target, tmp_path):
    done = restore(tmp_path / "vpr-20261129-013000.tar", target, "--yes")

    assert done.returncode == 1
    assert "Файл резервной копии не найден" in done.stderr


def test_keep_leaves_only_the_newest_archives(school_data, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "vpr-20200101-000000.tar").write_bytes(b"old")
    (backups / "notes.txt").write_text("not an archive")

    made = [backup_create(target_dir=backups, keep=2) for _ in range(3)]

    assert sorted(p.name for p in backups.iterdir()) == sorted([made[1].name, made[2].name, "notes.txt"])


def test_keep_below_one_is_refused(tmp_path):
    with pytest.raises(BackupError):
        backup_create(target_dir=tmp_path, keep=0)
    assert not any(tmp_path.iterdir())

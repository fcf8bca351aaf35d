"""Backups of the database and the stored files (MEDIA_ROOT), and their restore.

One archive per backup, `backups/vpr-YYYYMMDD-HHMMSS.tar`, holding:
  manifest.json       when, which engine, the migration state, rows per table, sha256 of every member
  database.sqlite3    SQLite: a copy made with SQLite's online backup API, safe while the portal runs
  database.pgdump     PostgreSQL: `pg_dump -Fc` taken in the snapshot the row counts were read in
  media/...           every stored file: scans, generated and uploaded documents

Restore checks the whole archive before it changes anything: a missing file, a manifest of the other
engine or a member whose checksum differs is refused with nothing touched. PostgreSQL is restored with
`pg_restore --clean --if-exists --no-owner` in one transaction; the SQLite file and the media directory
are written beside their targets and swapped in by rename.

    python -m vpr_portal.backup create [--dir backups] [--keep N]
    python -m vpr_portal.backup restore PATH [--yes]

Exit codes follow the batch interface (vpr_portal/commands.py): 0 with a summary line, 1 with the reason
on stderr in Russian, 2 for wrong arguments.
"""

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import datetime
from pathlib import Path, PurePosixPath

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ARCHIVE_NAME = re.compile(r"^vpr-(\d{8}-\d{6})(?:-(\d+))?\.tar$")
# Work directories of a restore live inside MEDIA_ROOT (a Docker volume cannot itself be renamed);
# a backup skips them.
WORK_PREFIX = ".vpr-restore-"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused; the message is for the administrator, in Russian."""


def _(message: str) -> str:
    from django.utils.translation import gettext

    return gettext(message)


# --- create ---------------------------------------------------------------------------------------------


def backup_create(*, target_dir: Path | str, keep: int | None = None) -> Path:
    """Write one archive of the database and MEDIA_ROOT into target_dir and return its path.

    With `keep`, only the newest `keep` archives of target_dir remain afterwards.
    """
    from django.conf import settings
    from django.db import connections
    from django.utils import timezone

    if keep is not None and keep < 1:
        raise BackupError(_("--keep должен быть не меньше 1."))
    connection = connections["default"]
    engine = _engine(connection.settings_dict)
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    now = timezone.now()
    archive = _free_archive_name(target_dir, timezone.localtime(now).strftime("%Y%m%d-%H%M%S"))

    with tempfile.TemporaryDirectory(prefix=".vpr-backup-", dir=target_dir) as work:
        dump = Path(work) / DATABASE_MEMBER[engine]
        if engine == "sqlite":
            database = _sqlite_dump(connection, dump)
        else:
            database = _pg_dump(connection.settings_dict, dump)
        media_root = Path(settings.MEDIA_ROOT)
        partial = archive.with_name(archive.name + ".partial")
        members: dict[str, str] = {}
        media_bytes = 0
        try:
            with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
                members[DATABASE_MEMBER[engine]] = _add_file(tar, dump, DATABASE_MEMBER[engine])
                for path, relative in _media_files(media_root):
                    name = MEDIA_PREFIX + relative
                    members[name] = _add_file(tar, path, name)
                    media_bytes += tar.getmember(name).size
                manifest = {
                    "format": FORMAT,
                    "created_at": now.isoformat(),
                    "engine": engine,
                    **database,
                    "files": len(members) - 1,
                    "media_bytes": media_bytes,
                    "members": members,
                }
                data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(data))
            os.chmod(partial, 0o600)  # pupils' personal data
            os.replace(partial, archive)
        finally:
            partial.unlink(missing_ok=True)
    if keep is not None:
        _rotate(target_dir, keep)
    return archive


def _engine(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if "sqlite3" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(
        _("Резервное копирование поддерживает SQLite и PostgreSQL, а настроен {engine}.").format(engine=engine)
    )


def _free_archive_name(target_dir: Path, stamp: str) -> Path:
    archive, number = target_dir / f"vpr-{stamp}.tar", 1
    while archive.exists():
        number += 1
        archive = target_dir / f"vpr-{stamp}-{number}.tar"
    return archive


def _rotate(target_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives named by this module; other files are left alone."""
    archives = []
    for path in target_dir.iterdir():
        match = ARCHIVE_NAME.match(path.name)
        if match and path.is_file():
            archives.append(((match[1], int(match[2] or 1)), path))
    archives.sort()
    removed = [path for _key, path in archives[:-keep]]
    for path in removed:
        path.unlink()
    return removed


def _sqlite_dump(connection, dump: Path) -> dict:
    """Copy the live database page by page (SQLite's backup API: consistent while others write)."""
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        connection.connection.backup(copy)
        # The copy is read on its own later: keep it out of WAL mode so it is a single self-contained file.
        copy.execute("PRAGMA journal_mode=DELETE")
        tables = _sqlite_tables(copy)
        return {"tables": _row_counts(copy.cursor(), tables), "migrations": _migrations(copy.cursor(), tables)}
    finally:
        copy.close()


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [name for (name,) in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _migrations(cursor, tables: list[str]) -> dict[str, list[str]]:
    """Applied migrations per app, as django_migrations records them (none for an unmigrated database)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def _pg_dump(settings_dict: dict, dump: Path) -> dict:
    """pg_dump -Fc in an exported snapshot, so the manifest's row counts are exactly those of the dump."""
    import psycopg2

    params = _pg_params(settings_dict)
    db = psycopg2.connect(**{key: value for key, value in params.items() if value})
    try:
        db.set_session(isolation_level="REPEATABLE READ", readonly=True)
        cursor = db.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [name for (name,) in cursor.fetchall()]
        pg_dump = _pg_binary("pg_dump", at_least=db.server_version // 10000)
        _run([str(pg_dump), "-Fc", f"--snapshot={snapshot}", "--file", str(dump)], params)
        return {
            "tables": _row_counts(cursor, tables),
            "migrations": _migrations(cursor, tables),
            "server_version": db.server_version // 10000,
            "pg_dump_version": _pg_major(pg_dump),
        }
    finally:
        db.close()


def _pg_params(settings_dict: dict) -> dict:
    options = settings_dict.get("OPTIONS") or {}
    return {
        "dbname": settings_dict["NAME"],
        "user": settings_dict.get("USER") or "",
        "password": settings_dict.get("PASSWORD") or "",
        "host": settings_dict.get("HOST") or "",
        "port": str(settings_dict.get("PORT") or ""),
        "sslmode": options.get("sslmode", ""),
    }


def _run(command: list[str], params: dict) -> None:
    """Run a PostgreSQL client with the connection in its environment (a password never shows in `ps`)."""
    names = {"dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD", "host": "PGHOST", "port": "PGPORT"}
    names["sslmode"] = "PGSSLMODE"
    env = {**os.environ, **{names[key]: value for key, value in params.items() if value}}
    done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(
            _("{program} завершился с ошибкой {code}:\n{output}").format(
                program=Path(command[0]).name, code=done.returncode, output=done.stderr.strip()
            )
        )


def _pg_major(binary: Path | str) -> int:
    output = subprocess.run([str(binary), "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"\)\s*(\d+)", output) or re.search(r"(\d+)", output)
    return int(match[1])


def _pg_binary(name: str, *, at_least: int) -> Path:
    """The client program that can talk to this server: the one on PATH unless it is older than the server,
    otherwise the server's own from /usr/lib/postgresql/<major>/bin (the same major, else the newest newer)."""
    on_path = shutil.which(name)
    if on_path and _pg_major(on_path) >= at_least:
        return Path(on_path)
    installed = {}
    for candidate in Path("/usr/lib/postgresql").glob(f"*/bin/{name}"):
        if candidate.parent.parent.name.isdigit() and os.access(candidate, os.X_OK):
            installed[int(candidate.parent.parent.name)] = candidate
    if at_least in installed:
        return installed[at_least]
    newer = sorted(major for major in installed if major > at_least)
    if newer:
        return installed[newer[-1]]
    found = _("в PATH версия {version}").format(version=_pg_major(on_path)) if on_path else _("в PATH его нет")
    raise BackupError(
        _("Нужен {name} версии {major} или новее, а {found}. Установите postgresql-client-{major}.").format(
            name=name, major=at_least, found=found
        )
    )


def _media_files(media_root: Path):
    """Regular files under MEDIA_ROOT, sorted, with their POSIX paths relative to it (links are skipped)."""
    if not media_root.is_dir():
        return
    for directory, subdirectories, files in os.walk(media_root):
        here = Path(directory)
        subdirectories[:] = sorted(d for d in subdirectories if not (here == media_root and d.startswith(WORK_PREFIX)))
        for filename in sorted(files):
            path = here / filename
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(media_root).as_posix()


class _HashingReader:
    def __init__(self, raw):
        self.raw, self.sha256 = raw, hashlib.sha256()

    def read(self, size=-1):
        data = self.raw.read(size)
        self.sha256.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str) -> str:
    """Add one file, reading it once for the archive and its checksum together."""
    with open(path, "rb") as raw:
        stat = os.fstat(raw.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o600
        reader = _HashingReader(raw)
        tar.addfile(info, reader)
    return reader.sha256.hexdigest()


# --- restore --------------------------------------------------------------------------------------------


def backup_restore(*, archive: Path | str, yes: bool = False) -> dict:
    """Replace the configured database and MEDIA_ROOT with the archive's; return what was restored.

    The archive is checked completely first. Without `yes` the administrator confirms on a terminal;
    with no terminal and no `yes` the restore is refused.
    """
    from django.conf import settings
    from django.db import connections

    started = time.monotonic()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("Файл резервной копии не найден: {path}").format(path=archive))
    connection = connections["default"]
    engine = _engine(connection.settings_dict)
    media_root = Path(settings.MEDIA_ROOT)

    try:
        with tarfile.open(archive, "r:") as tar:
            manifest = _read_manifest(tar, archive)
            if manifest["engine"] != engine:
                raise BackupError(
                    _(
                        "Архив {path} сделан из базы {archived}, а портал настроен на {configured}: не восстанавливаю."
                    ).format(path=archive, archived=manifest["engine"], configured=engine)
                )
            if DATABASE_MEMBER[engine] not in manifest["members"]:
                raise BackupError(_("В архиве {path} нет дампа базы данных. Ничего не изменено.").format(path=archive))
            media_root.mkdir(parents=True, exist_ok=True)
            if engine == "sqlite":
                database_path = Path(connection.settings_dict["NAME"])
                database_path.parent.mkdir(parents=True, exist_ok=True)
                dump_dir = database_path.parent
            else:
                dump_dir = media_root
            with (
                tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=media_root) as media_work,
                tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=dump_dir) as dump_work,
            ):
                staged_media = Path(media_work) / "media"
                staged_media.mkdir()
                dump = Path(dump_work) / DATABASE_MEMBER[engine]
                _extract_verified(tar, manifest, engine, dump=dump, media=staged_media, archive=archive)
                if not yes:
                    _confirm(manifest, archive, connection.settings_dict, media_root)
                if engine == "sqlite":
                    connection.close()
                    _sqlite_replace(dump, database_path)
                    counts = _sqlite_counts(database_path)
                else:
                    connection.close()
                    counts = _pg_restore(connection.settings_dict, dump, manifest)
                _media_replace(staged_media, media_root, Path(media_work))
    except tarfile.TarError as error:
        raise BackupError(_("Архив {path} повреждён: {error}").format(path=archive, error=error))

    summary = {
        "archive": str(archive),
        "created_at": _local(manifest["created_at"]),
        "engine": engine,
        "tables": len(counts),
        "rows": sum(counts.values()),
        "files": manifest["files"],
        "seconds": round(time.monotonic() - started, 1),
        "row_mismatches": {t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n},
        "pending_migrations": _pending_migrations(manifest["migrations"]),
    }
    return summary


def _read_manifest(tar: tarfile.TarFile, archive: Path) -> dict:
    try:
        manifest = json.loads(tar.extractfile(tar.getmember(MANIFEST)).read())
        usable = (
            manifest["format"] == FORMAT
            and manifest["engine"] in DATABASE_MEMBER
            and isinstance(manifest["tables"], dict)
            and isinstance(manifest["members"], dict)
        )
    except (KeyError, ValueError, TypeError, AttributeError):
        usable = False
    if not usable:
        raise BackupError(
            _(
                "В архиве {path} нет исправного manifest.json: это не резервная копия портала или она повреждена."
            ).format(path=archive)
        )
    return manifest


def _safe_media_name(name: str) -> bool:
    relative = PurePosixPath(name[len(MEDIA_PREFIX) :])
    return (
        name.startswith(MEDIA_PREFIX)
        and not relative.is_absolute()
        and ".." not in relative.parts
        and bool(relative.parts)
        and not relative.parts[0].startswith(WORK_PREFIX)
    )


def _extract_verified(tar, manifest: dict, engine: str, *, dump: Path, media: Path, archive: Path) -> None:
    """Write every member into the staging places while checking it against the manifest."""
    expected = dict(manifest["members"])
    database = DATABASE_MEMBER[engine]
    for member in tar.getmembers():
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile():
            raise BackupError(
                _("Архив {path} содержит лишнее: {name}. Не восстанавливаю.").format(path=archive, name=member.name)
            )
        if member.name != database and not _safe_media_name(member.name):
            raise BackupError(
                _("Архив {path} содержит недопустимое имя: {name}. Не восстанавливаю.").format(
                    path=archive, name=member.name
                )
            )
        target = dump if member.name == database else media / member.name[len(MEDIA_PREFIX) :]
        target.parent.mkdir(parents=True, exist_ok=True)
        sha256 = hashlib.sha256()
        with tar.extractfile(member) as source, open(target, "wb") as out:
            while chunk := source.read(CHUNK):
                sha256.update(chunk)
                out.write(chunk)
        if sha256.hexdigest() != expected.pop(member.name):
            raise BackupError(
                _(
                    "Контрольная сумма {name} в архиве {path} не совпадает: копия повреждена. Ничего не изменено."
                ).format(name=member.name, path=archive)
            )
    if expected:
        raise BackupError(
            _("В архиве {path} не хватает файлов ({count}), например {name}. Ничего не изменено.").format(
                path=archive, count=len(expected), name=sorted(expected)[0]
            )
        )


def _confirm(manifest: dict, archive: Path, settings_dict: dict, media_root: Path) -> None:
    if not sys.stdin or not sys.stdin.isatty():
        raise BackupError(
            _(
                "Восстановление заменит базу данных и файлы. Без терминала подтвердите его флагом --yes "
                "(make restore BACKUP={path} YES=1). Ничего не изменено."
            ).format(path=archive)
        )
    question = _(
        "Заменить базу данных {database} и файлы в {media} копией от {created_at} (файлов: {files})? "
        "Текущие данные будут потеряны. Введите «да»: "
    ).format(
        database=settings_dict["NAME"],
        media=media_root,
        created_at=_local(manifest["created_at"]),
        files=manifest["files"],
    )
    try:
        answer = input(question)
    except EOFError:
        answer = ""
    if answer.strip().lower() not in {"да", "yes"}:
        raise BackupError(_("Восстановление отменено. Ничего не изменено."))


def _local(created_at: str) -> str:
    from django.utils import timezone

    try:
        return timezone.localtime(datetime.fromisoformat(created_at)).strftime("%d.%m.%Y %H:%M:%S")
    except (TypeError, ValueError):
        return str(created_at)


def _sqlite_replace(staged: Path, database: Path) -> None:
    """Swap the database file by rename; the old WAL and shared memory go first, since a WAL left beside
    the new file would be replayed into it."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    os.replace(staged, database)


def _sqlite_counts(database: Path) -> dict[str, int]:
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return _row_counts(db.cursor(), _sqlite_tables(db))
    finally:
        db.close()


def _pg_restore(settings_dict: dict, dump: Path, manifest: dict) -> dict[str, int]:
    import psycopg2

    params = _pg_params(settings_dict)
    connect = {key: value for key, value in params.items() if value}
    with psycopg2.connect(**connect) as probe:
        server_major = probe.server_version // 10000
    probe.close()
    pg_restore = _pg_binary("pg_restore", at_least=max(server_major, manifest.get("pg_dump_version", 0)))
    # One transaction: a failed restore leaves the database as it was.
    _run(
        [
            str(pg_restore),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            params["dbname"],
            str(dump),
        ],
        params,
    )
    db = psycopg2.connect(**connect)
    try:
        cursor = db.cursor()
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [name for (name,) in cursor.fetchall() if name in manifest["tables"]]
        return _row_counts(cursor, tables)
    finally:
        db.close()


def _media_replace(staged: Path, media_root: Path, work: Path) -> None:
    """Make MEDIA_ROOT hold exactly the staged files. Everything moves by rename inside MEDIA_ROOT itself,
    which may be a mount point that cannot be renamed."""
    replaced = work / "replaced"
    replaced.mkdir()
    for entry in media_root.iterdir():
        if not entry.name.startswith(WORK_PREFIX):
            os.replace(entry, replaced / entry.name)
    for entry in staged.iterdir():
        os.replace(entry, media_root / entry.name)


def _pending_migrations(applied: dict[str, list[str]]) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in disk if name not in applied.get(app, []))


# --- command line ---------------------------------------------------------------------------------------


def _format_summary(summary: dict) -> str:
    line = _(
        "Восстановлено из {archive} (копия от {created_at}, {engine}): таблиц {tables}, строк {rows}, файлов {files}; "
        "заняло {seconds} с."
    ).format(**summary)
    if summary["row_mismatches"]:
        line += "\n" + _("Внимание: число строк не совпадает с манифестом: {tables}").format(
            tables=", ".join(f"{table} {want}→{got}" for table, (want, got) in summary["row_mismatches"].items())
        )
    if summary["pending_migrations"]:
        line += "\n" + _("Копия старше кода (не применено миграций: {count}): выполните make migrate.").format(
            count=len(summary["pending_migrations"])
        )
    return line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vpr_portal.backup", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="создать резервную копию базы и файлов")
    create.add_argument("--dir", default="backups", help="каталог для архивов (по умолчанию backups)")
    create.add_argument("--keep", type=int, help="оставить только N последних архивов")
    restore = commands.add_parser("restore", help="восстановить базу и файлы из архива")
    restore.add_argument("archive", help="путь к архиву vpr-….tar")
    restore.add_argument("--yes", action="store_true", help="не спрашивать подтверждения")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpr_portal.settings")
    import django

    django.setup()
    try:
        if args.command == "create":
            started = time.monotonic()
            archive = backup_create(target_dir=args.dir, keep=args.keep)
            with tarfile.open(archive) as tar:
                manifest = json.loads(tar.extractfile(MANIFEST).read())
            print(
                _(
                    "Резервная копия {archive}: {engine}, таблиц {tables}, строк {rows}, файлов {files}; "
                    "{size} МБ за {seconds} с."
                ).format(
                    archive=archive,
                    engine=manifest["engine"],
                    tables=len(manifest["tables"]),
                    rows=sum(manifest["tables"].values()),
                    files=manifest["files"],
                    size=round(archive.stat().st_size / 1024 / 1024, 1),
                    seconds=round(time.monotonic() - started, 1),
                )
            )
        else:
            print(_format_summary(backup_restore(archive=args.archive, yes=args.yes)))
    except BackupError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(_("Прервано."), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

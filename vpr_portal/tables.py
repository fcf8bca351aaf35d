"""Reading uploaded tables (.xlsx, .csv) safely: size and archive checks first, calamine for xlsx.

Pure functions: bytes in, rows of strings out. Row numbers are the spreadsheet's own (the header is row 1).
"""

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Problem:
    """One reason an input is refused, placed where it is when it has a place."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        if self.row is not None and self.column:
            return _("строка {row}, столбец «{column}»: {message}").format(
                row=self.row, column=self.column, message=self.message
            )
        if self.row is not None:
            return _("строка {row}: {message}").format(row=self.row, message=self.message)
        if self.column:
            return _("столбец «{column}»: {message}").format(column=self.column, message=self.message)
        return self.message


class InputRefused(Exception):
    """The input is refused as a whole; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Table:
    headers: list[str]
    # (spreadsheet row number, cells as stripped strings); empty rows are dropped.
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def column_index(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for position, header in enumerate(self.headers):
            index.setdefault(normalise_header(header), position)
        return index


def normalise_header(header: str) -> str:
    return " ".join(str(header).replace("\u00a0", " ").split()).casefold()


def cell_text(value) -> str:
    """A cell as text: integral floats without `.0`, dates in ISO form, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


def check_upload_size(size: int) -> None:
    if size > settings.UPLOAD_MAX_BYTES:
        raise InputRefused([Problem(_("файл больше {mb} МБ").format(mb=settings.UPLOAD_MAX_BYTES // (1024 * 1024)))])


def check_xlsx_archive(data: bytes) -> None:
    """An xlsx is a zip: refuse what is not one, and what would inflate past the limits, before reading."""
    if not data.startswith(b"PK"):
        raise InputRefused([Problem(_("файл не является книгой Excel (.xlsx)"))])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputRefused([Problem(_("файл не является книгой Excel (.xlsx): архив повреждён"))]) from None
    if len(entries) > settings.UPLOAD_MAX_ARCHIVE_ENTRIES:
        raise InputRefused([Problem(_("в архиве слишком много файлов ({n})").format(n=len(entries)))])
    inflated = sum(entry.file_size for entry in entries)
    if inflated > settings.UPLOAD_MAX_INFLATED_BYTES:
        raise InputRefused(
            [
                Problem(
                    _("архив распаковывается в {mb} МБ, больше допустимых {limit} МБ").format(
                        mb=inflated // (1024 * 1024), limit=settings.UPLOAD_MAX_INFLATED_BYTES // (1024 * 1024)
                    )
                )
            ]
        )
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise InputRefused([Problem(_("файл не является книгой Excel (.xlsx)"))])


def read_table(data: bytes, filename: str, *, sheet: str | None = None) -> Table:
    """Reads the first sheet of an xlsx (or the named one) or a csv into a Table."""
    check_upload_size(len(data))
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        check_xlsx_archive(data)
        raw_rows = _xlsx_rows(data, sheet=sheet)
    elif suffix == ".csv":
        raw_rows = _csv_rows(data)
    else:
        raise InputRefused([Problem(_("неподдерживаемый формат файла: нужен .xlsx или .csv"))])
    return _to_table(raw_rows)


def read_table_file(path: str | Path, *, sheet: str | None = None) -> Table:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise InputRefused([Problem(_("файл {name} не найден").format(name=path))]) from None
    check_upload_size(size)
    return read_table(path.read_bytes(), path.name, sheet=sheet)


def _xlsx_rows(data: bytes, *, sheet: str | None) -> list[list]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if not names:
            raise InputRefused([Problem(_("в книге нет листов"))])
        worksheet = workbook.get_sheet_by_name(sheet if sheet in names else names[0])
        return worksheet.to_python(skip_empty_area=False)
    except InputRefused:
        raise
    except Exception:  # calamine raises its own error types for broken files
        raise InputRefused([Problem(_("файл не удалось прочитать как книгу Excel (.xlsx)"))]) from None


def _csv_rows(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputRefused([Problem(_("файл CSV должен быть в кодировке UTF-8"))]) from None
    if "\x00" in text:
        raise InputRefused([Problem(_("файл не является текстовым CSV"))])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") and ";" in first_line else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _to_table(raw_rows: list[list]) -> Table:
    rows = [[cell_text(value) for value in row] for row in raw_rows]
    header_position = next((i for i, row in enumerate(rows) if any(rows[i])), None)
    if header_position is None:
        raise InputRefused([Problem(_("файл пуст: нет строки заголовков"))])
    headers = rows[header_position]
    while headers and not headers[-1]:
        headers.pop()
    table = Table(headers=headers)
    for offset, row in enumerate(rows[header_position + 1 :], start=header_position + 2):
        if any(row):
            table.rows.append((offset, row + [""] * (len(headers) - len(row))))
    return table


def require_columns(table: Table, required: list[str]) -> dict[str, int]:
    """Positions of the required columns by name; refuses the table naming every missing column."""
    index = table.column_index()
    missing = [name for name in required if normalise_header(name) not in index]
    if missing:
        raise InputRefused([Problem(_("обязательный столбец отсутствует в файле"), column=name) for name in missing])
    return index

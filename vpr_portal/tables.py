"""Reading uploaded tables (.xlsx, .csv) safely: size and archive checks first, calamine for xlsx.

Pure functions: bytes in, rows of strings out. Row numbers are the spreadsheet's own (the header is row 1).

A small xlsx can declare an enormous sheet (one cell at XFD1048576 makes the reader allocate the whole
rectangle up to it), so before calamine sees a workbook every part of the archive is inflated as a stream
and scanned: the rows, columns and cells each sheet declares and holds, merged ranges, shared strings,
sheets and XML nesting, all against the SHEET_MAX_* settings. The scan is linear in the inflated size and
keeps only counters in memory.
"""

import csv
import datetime
import functools
import io
import operator
import re
import struct
import zipfile
import zlib
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # NotImplementedError: a zip version or feature the reader does not know (a damaged header says so)
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
    if len(names) != len(entries):
        # Two entries of one name: this check and the reader could each pick a different one.
        raise InputRefused([Problem(_("файл не является книгой Excel (.xlsx): в архиве повторяются имена файлов"))])
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise InputRefused([Problem(_("файл не является книгой Excel (.xlsx)"))])


def read_table(data: bytes, filename: str, *, sheet: str | None = None) -> Table:
    """Reads the first sheet of an xlsx (or the named one) or a csv into a Table."""
    check_upload_size(len(data))
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        check_xlsx_archive(data)
        check_xlsx_content(data)
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
    """The sheet's rows as calamine reads them; only called on a workbook that passed `check_xlsx_content`."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if not names:
            raise InputRefused([Problem(_("в книге нет листов"))])
        worksheet = workbook.get_sheet_by_name(sheet if sheet in names else names[0])
        rows: list[list] = []
        for row in worksheet.iter_rows():
            if len(rows) >= settings.SHEET_MAX_ROWS or len(row) > settings.SHEET_MAX_COLUMNS:
                raise _too_big_sheet()
            rows.append(row)
        return rows
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
    # The csv module's own field limit is process-wide; one above ours lets us name the row ourselves.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[list] = []
    try:
        for row in reader:
            if len(rows) >= settings.SHEET_MAX_ROWS or len(row) > settings.SHEET_MAX_COLUMNS:
                raise _too_big_sheet()
            for value in row:
                if len(value) > settings.SHEET_MAX_CELL_CHARS:
                    raise InputRefused(
                        [
                            Problem(
                                _("в ячейке больше {n} символов").format(n=settings.SHEET_MAX_CELL_CHARS),
                                row=reader.line_num,
                            )
                        ]
                    )
            rows.append(row)
    except csv.Error:
        raise InputRefused(
            [Problem(_("файл не является корректным CSV (строка {row})").format(row=reader.line_num))]
        ) from None
    return rows


def _too_big_sheet() -> InputRefused:
    return InputRefused(
        [
            Problem(
                _("таблица больше допустимой: не более {rows} строк, {columns} столбцов и {cells} ячеек").format(
                    rows=settings.SHEET_MAX_ROWS, columns=settings.SHEET_MAX_COLUMNS, cells=settings.SHEET_MAX_CELLS
                )
            )
        ]
    )


# Scanning the workbook before it is read ------------------------------------------------------------------

_SCAN_CHUNK = 1 << 20
_DEPTH_SLICE = 16 * 1024  # nesting is checked at least this often
_MAX_TAG_BYTES = 64 * 1024
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
# Attributes of a start tag: quoted values may hold `>` but never `<`.
_ATTRIBUTES = rb"""((?:[^<>"']+|"[^"<]*"|'[^'<]*')*)"""
_ANY_TAG_RE = re.compile(rb"<[^\s/>]*" + _ATTRIBUTES)
# A row start tag; split on it, a sheet's text becomes [before, attributes, body, attributes, body, …].
_ROW_SPLIT_RE = re.compile(rb"<" + _PREFIX + rb"row(?=[\s/>])" + _ATTRIBUTES)
# A cell start tag with its reference split into (letters, digits, anything else); all empty without `r`.
# The attributes before `r` are skipped quote-aware, and any attribute ending in `r` (`xr`, `spr`) is passed.
_CELL_RE = re.compile(
    rb"<" + _PREFIX + rb"c(?=[\s/>])"
    rb"""(?:[^<>"'r]+|"[^"<]*"|'[^'<]*'|\Br|r(?!\s*=))*"""
    rb"""(?:r\s*=\s*["']\s*\$?([A-Za-z]*)\$?([0-9]*)([^"'<]*))?"""
)
# Most writers put `r` first: `<c r="B12"`. When every cell of a segment has that form, it is read in bulk.
_PLAIN_CELL_RE = re.compile(rb'<c r="([A-Za-z]{1,4})([0-9]{1,12})"')
_PLAIN_ROW_RE = re.compile(rb'<row r="([0-9]{1,12})"')
_ANY_CELL_RE = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])")
_ROW_TAG_RE = re.compile(rb"<" + _PREFIX + rb"row(?=[\s/>])" + _ATTRIBUTES)
_R_ATTR_RE = re.compile(rb"""(?:^|\s)(?:[A-Za-z_][\w.\-]*:)?r\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_REF_ATTR_RE = re.compile(rb"""(?:^|\s)ref\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")
_EXTENT_RE = re.compile(rb"<" + _PREFIX + rb"(?:dimension|mergeCell)(?=[\s/>])" + _ATTRIBUTES)
_SHARED_STRING_RE = re.compile(rb"<" + _PREFIX + rb"si(?=[\s/>])")
_SHEET_RE = re.compile(rb"<" + _PREFIX + rb"sheet(?=[\s/>])")
_CELL_REF_RE = re.compile(rb"^\s*\$?([A-Za-z]*)\$?([0-9]*)\s*$")
# Far beyond every limit; also keeps int() away from Python's cap on digits.
_HUGE = 1 << 40
_FIRST, _SECOND, _THIRD = operator.itemgetter(0), operator.itemgetter(1), operator.itemgetter(2)
_TAG_ENDS = (b" ", b">", b"/", b"\t", b"\n", b"\r")
_ANY_R_RE = re.compile(rb"r\s*=")


class _SheetScan:
    """Counters for one part of the archive, fed its inflated bytes chunk by chunk.

    It bounds what a reader would place: a row without `r` follows the previous row, a cell without `r`
    the previous cell of its row. Rows are bounded by the highest row named plus the rows without a
    number; columns, row by row, by the highest column named plus the cells without a reference (exact for
    the usual files, where every cell has a reference or none has)."""

    def __init__(self, name: str, *, xml: bool):
        self.name = name
        self.xml = xml  # nesting is only counted in parts that are XML; any part is scanned for cells
        self.rows = self.cells = self.merged = self.strings = self.sheets = 0
        self.named_row = self.unnumbered_rows = 0
        self.max_column = self.extent_rows = 0
        self.row_cells = self.row_column = 0  # the row being read: its cells so far and highest column named
        self.depth = 0
        self.tail = b""

    @property
    def max_row(self) -> int:
        return max(self.named_row + self.unnumbered_rows, self.extent_rows)

    def feed(self, chunk: bytes) -> None:
        buffer = self.tail + chunk
        last = buffer.rfind(b"<")
        if last == -1:
            self.tail = b""
            return
        self._segment(buffer[:last])
        self.tail = buffer[last:]
        if len(self.tail) > _MAX_TAG_BYTES:
            tag = _ANY_TAG_RE.match(self.tail)
            if self.xml and tag.end() >= len(self.tail):  # the tag itself goes on and on
                raise _refused_xml(_("слишком длинный элемент XML"))
            self._segment(self.tail)  # the tag is complete; what follows it is text
            self.tail = b""

    def finish(self) -> None:
        self._segment(self.tail)
        self.tail = b""

    def _segment(self, segment: bytes) -> None:
        if self.xml:
            self._nesting(segment)
        if not self._plain_cells(segment):
            parts = _ROW_SPLIT_RE.split(segment)
            self._cells(parts[0])  # the rest of the row the previous segment ended in
            for position in range(1, len(parts), 2):
                self._row(parts[position])
                self._cells(parts[position + 1])
        if _may_hold(segment, b"dimension") or _may_hold(segment, b"mergeCell"):
            extents = _EXTENT_RE.findall(segment)
            self.merged += len(extents)
            if self.merged > settings.SHEET_MAX_CELLS:
                raise _too_big_sheet()
            for attributes in extents:
                self._extent(attributes)
        self.strings += _count_tags(segment, b"si", _SHARED_STRING_RE)
        self.sheets += _count_tags(segment, b"sheet", _SHEET_RE)
        self._check()

    def _nesting(self, segment: bytes) -> None:
        start = 0
        while start < len(segment):
            # slices end before a `<`, so that no `</`, `/>`, `<?` or `<!` is cut in two
            end = segment.find(b"<", start + _DEPTH_SLICE)
            end = len(segment) if end == -1 else end
            piece, start = segment[start:end], end
            closing = piece.count(b"</")
            opened = piece.count(b"<") - closing - piece.count(b"<?") - piece.count(b"<!")
            self.depth += opened - closing - piece.count(b"/>")
            if self.depth > settings.SHEET_MAX_XML_DEPTH:
                raise _refused_xml(_("слишком глубокая вложенность XML"))

    def _plain_cells(self, segment: bytes) -> bool:
        """The bulk path: False (nothing counted) unless every cell of the segment names itself plainly."""
        found = _PLAIN_CELL_RE.findall(segment)
        if len(found) != _count_tags(segment, b"c", _ANY_CELL_RE):
            return False
        rows = _PLAIN_ROW_RE.findall(segment)
        if len(rows) == _count_tags(segment, b"row", _ROW_TAG_RE):
            if rows:
                self.rows += len(rows)
                self.named_row = max(self.named_row, *(_number(value) for value in set(rows)))
                self.row_cells = self.row_column = 0
        else:
            for attributes in _ROW_TAG_RE.findall(segment):
                self._row(attributes)
        if found:
            self.cells += len(found)
            letters, digits = set(map(_FIRST, found)), set(map(_SECOND, found))
            self.max_column = max(self.max_column, *(_column(value) for value in letters))
            self.named_row = max(self.named_row, *(_number(value) for value in digits))
            # where the segment ends inside a row, what the next segment needs to know of it
            last_row = _ROW_SPLIT_RE.search(segment, segment.rfind(b"row") - 16) if b"row" in segment else None
            in_row = _PLAIN_CELL_RE.findall(segment, last_row.end()) if last_row else found
            self.row_cells += len(in_row)
            if in_row:
                self.row_column = max(self.row_column, *(_column(value) for value, _digits in in_row))
        return True

    def _row(self, attributes: bytes) -> None:
        self.rows += 1
        self.row_cells = self.row_column = 0
        reference = _attribute(_R_ATTR_RE, attributes)
        if reference is None:
            self.unnumbered_rows += 1
        else:
            self.named_row = max(self.named_row, _number(reference.strip()))

    def _cells(self, text: bytes) -> None:
        # a row's body holds cells only, so `<c` counts them (at worst a few more tags after the last row)
        count = text.count(b"<c") + (len(_ANY_CELL_RE.findall(text)) if b":c" in text else 0)
        if not count:
            return
        if _ANY_R_RE.search(text) is None:
            # no cell names itself: they follow one another
            self.cells += count
            self.row_cells += count
            self.max_column = max(self.max_column, self.row_column + self.row_cells)
            return
        found = _CELL_RE.findall(text)
        self.cells += len(found)
        self.row_cells += len(found)
        letters, digits, rest = set(map(_FIRST, found)), set(map(_SECOND, found)), set(map(_THIRD, found))
        if rest - {b""}:  # (no cell found at all leaves `rest` empty: nothing wrong in that)
            bad = next(value for value in rest if value)
            raise _refused_xml(_("неверная ссылка на ячейку «{value}»").format(value=bad[:20].decode("latin-1")))
        named_columns = [_column(value) for value in letters if value]
        if named_columns:
            self.row_column = max(self.row_column, *named_columns)
        named_rows = [_number(value) for value in digits if value]
        if named_rows:
            self.named_row = max(self.named_row, *named_rows)
        if b"" in letters:  # cells placed after the previous one
            self.max_column = max(self.max_column, self.row_column + self.row_cells)
        else:
            self.max_column = max(self.max_column, self.row_column)

    def _extent(self, attributes: bytes) -> None:
        reference = _attribute(_REF_ATTR_RE, attributes) or b""
        for corner in reference.split(b":")[:2]:
            column, row = _cell_reference(corner)
            self.extent_rows = max(self.extent_rows, row)
            self.max_column = max(self.max_column, column)

    def _check(self) -> None:
        rows, columns = max(self.max_row, self.rows), self.max_column
        if (
            rows > settings.SHEET_MAX_ROWS
            or columns > settings.SHEET_MAX_COLUMNS
            or self.cells > settings.SHEET_MAX_CELLS
            or rows * columns > settings.SHEET_MAX_CELLS
        ):
            raise _too_big_sheet()
        if self.strings > settings.SHEET_MAX_SHARED_STRINGS:
            raise _refused_xml(_("в книге больше {n} текстовых значений").format(n=settings.SHEET_MAX_SHARED_STRINGS))
        if self.sheets > settings.SHEET_MAX_SHEETS:
            raise _refused_xml(_("в книге больше {n} листов").format(n=settings.SHEET_MAX_SHEETS))


def _may_hold(segment: bytes, name: bytes) -> bool:
    """Whether a start tag `name` can be in the segment (a quick test before a slower pattern)."""
    return b"<" + name in segment or b":" + name in segment


def _count_tags(segment: bytes, name: bytes, pattern: re.Pattern) -> int:
    """How many start tags `name` the segment holds; plain byte counts unless a prefix may be in use."""
    if b":" + name in segment:
        return len(pattern.findall(segment))
    tag = b"<" + name
    if tag not in segment:
        return 0
    return sum(segment.count(tag + end) for end in _TAG_ENDS)


def _attribute(pattern: re.Pattern, attributes: bytes) -> bytes | None:
    match = pattern.search(attributes)
    if match is None:
        return None
    return match.group(1) if match.group(1) is not None else match.group(2)


def _number(digits: bytes) -> int:
    if not digits.isdigit():
        raise _refused_xml(_("неверный номер строки «{value}»").format(value=digits[:20].decode("latin-1")))
    return int(digits) if len(digits) <= 12 else _HUGE


@functools.lru_cache(maxsize=4096)
def _column(letters: bytes) -> int:
    """`A` → 1, `XFD` → 16384."""
    if len(letters) > 4:
        return _HUGE
    column = 0
    for letter in letters.upper():
        column = column * 26 + letter - 64
    return column


def _cell_reference(reference: bytes) -> tuple[int, int]:
    """`B12` → (2, 12); a part that is absent is 0. Refuses what is not a cell reference."""
    match = _CELL_REF_RE.match(reference)
    if match is None:
        raise _refused_xml(_("неверная ссылка на ячейку «{value}»").format(value=reference[:20].decode("latin-1")))
    letters, digits = match.groups()
    return _column(letters), (_number(digits) if digits else 0)


def _refused_xml(message: str) -> InputRefused:
    return InputRefused([Problem(_("книга Excel отклонена: {problem}").format(problem=message))])


def check_xlsx_content(data: bytes) -> None:
    """Inflates every part of the workbook as a stream and refuses the workbook when any part declares or
    holds more than the SHEET_MAX_* limits, or inflates to more than its header says, before it is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise _damaged() from None
    inflated = sum(entry.file_size for entry in entries)
    if inflated > settings.SHEET_MAX_INFLATED_BYTES:
        raise InputRefused(
            [
                Problem(
                    _("книга Excel распаковывается в {mb} МБ, больше допустимых {limit} МБ").format(
                        mb=inflated // (1024 * 1024), limit=settings.SHEET_MAX_INFLATED_BYTES // (1024 * 1024)
                    )
                )
            ]
        )
    for entry in entries:
        if entry.is_dir():
            continue
        scan = None
        for chunk in _inflated_chunks(data, entry):
            if scan is None:
                scan = _SheetScan(entry.filename, xml=chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"))
            scan.feed(chunk)
        if scan is not None:
            scan.finish()


def _damaged() -> InputRefused:
    return InputRefused([Problem(_("файл не является книгой Excel (.xlsx): архив повреждён"))])


def _inflated_chunks(data: bytes, entry: zipfile.ZipInfo):
    """The entry's content, inflated chunk by chunk straight from the archive's bytes. Refuses an encrypted
    entry, a method other than stored or deflate, and a stream that inflates past its declared size or does
    not match its checksum — the reader must see exactly what was scanned."""
    compressed = _entry_bytes(data, entry)
    produced, checksum = 0, 0
    for chunk in _stream_chunks(compressed, deflated=entry.compress_type == zipfile.ZIP_DEFLATED):
        produced += len(chunk)
        if produced > entry.file_size:
            raise InputRefused(
                [Problem(_("файл не является книгой Excel (.xlsx): архив распаковывается больше заявленного"))]
            )
        checksum = zlib.crc32(chunk, checksum)
        if chunk:
            yield chunk
    if produced != entry.file_size or checksum != entry.CRC:
        raise _damaged()


def _entry_bytes(data: bytes, entry: zipfile.ZipInfo) -> memoryview:
    """The entry's stored (compressed) bytes, found through its local header."""
    if entry.flag_bits & 0x1 or entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise InputRefused([Problem(_("файл не является книгой Excel (.xlsx): архив зашифрован или сжат иначе"))])
    offset = entry.header_offset
    header = data[offset : offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _damaged()
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = offset + 30 + name_length + extra_length
    compressed = memoryview(data)[start : start + entry.compress_size]
    if len(compressed) != entry.compress_size:
        raise _damaged()
    return compressed


def _stream_chunks(compressed: memoryview, *, deflated: bool):
    """The entry's stream in chunks of at most _SCAN_CHUNK bytes: inflated when deflated, as stored otherwise."""
    inflater = zlib.decompressobj(-15) if deflated else None
    for position in range(0, len(compressed), _SCAN_CHUNK):
        pending = bytes(compressed[position : position + _SCAN_CHUNK])
        if inflater is None:
            yield pending
            continue
        while pending:
            try:
                chunk = inflater.decompress(pending, _SCAN_CHUNK)
            except zlib.error:
                raise _damaged() from None
            pending = b"" if inflater.eof else inflater.unconsumed_tail
            yield chunk
        if inflater.eof:
            break
    if inflater is not None and not inflater.eof:
        raise _damaged()


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

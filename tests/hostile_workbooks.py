"""Hostile spreadsheets built in code (raw zip + XML strings), for the tests and the bench.

Each builder returns the file's bytes; `HOSTILE` maps a name to (file name, builder). Every one of them is
small on disk and would cost the reader gigabytes or minutes, or is not what its extension says.
"""

import struct
import zlib
from collections.abc import Callable, Iterable

MIB = 1024 * 1024

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
SHEET_CLOSE = "</worksheet>"


def workbook_xml(sheets: int = 1) -> str:
    entries = "".join(f'<sheet name="Лист{n}" sheetId="{n}" r:id="rId{n}"/>' for n in range(1, sheets + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"<sheets>{entries}</sheets></workbook>"
    )


def workbook_rels(sheets: int = 1, shared_strings: bool = False) -> str:
    entries = "".join(
        f'<Relationship Id="rId{n}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{min(n, 1)}.xml"/>'
        for n in range(1, sheets + 1)
    )
    if shared_strings:
        entries += (
            '<Relationship Id="rIdS" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{entries}'
        "</Relationships>"
    )


def zip_bytes(entries: list[tuple[str, Iterable[bytes] | bytes]], *, declared: dict[str, int] | None = None) -> bytes:
    """A deflated zip of `entries` (content as bytes or an iterable of chunks, so that a huge part is never
    held whole); `declared` overrides the uncompressed size an entry's headers state (a lying archive)."""
    declared = declared or {}
    body, central = bytearray(), bytearray()
    count = 0
    for name, content in entries:
        chunks = [content] if isinstance(content, bytes) else content
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        raw, size, checksum = bytearray(), 0, 0
        for chunk in chunks:
            raw += compressor.compress(chunk)
            size += len(chunk)
            checksum = zlib.crc32(chunk, checksum)
        raw += compressor.flush()
        size = declared.get(name, size)
        encoded = name.encode()
        offset = len(body)
        body += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, checksum, len(raw), size, len(encoded), 0
        )
        body += encoded + raw
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0x800,
            8,
            0,
            0x21,
            checksum,
            len(raw),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
        count += 1
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), len(body), 0)
    return bytes(body + central + end)


def xlsx(
    sheet: Iterable[bytes] | bytes, *, sheets: int = 1, shared: Iterable[bytes] | bytes | None = None, **kw
) -> bytes:
    entries: list[tuple[str, Iterable[bytes] | bytes]] = [
        ("[Content_Types].xml", CONTENT_TYPES.encode()),
        ("_rels/.rels", ROOT_RELS.encode()),
        ("xl/workbook.xml", workbook_xml(sheets).encode()),
        ("xl/_rels/workbook.xml.rels", workbook_rels(sheets, shared_strings=shared is not None).encode()),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    if shared is not None:
        entries.append(("xl/sharedStrings.xml", shared))
    return zip_bytes(entries, **kw)


def sheet_xml(body: str, dimension: str | None = None) -> bytes:
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (SHEET_OPEN + head + body + SHEET_CLOSE).encode()


def one_cell_at(reference: str, row: int) -> bytes:
    return xlsx(
        sheet_xml(
            f'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Код</t></is></c></row>'
            f'<row r="{row}"><c r="{reference}"><v>1</v></c></row></sheetData>',
            dimension=f"A1:{reference}",
        )
    )


def repeated(head: str, unit: str, times: int, tail: str, *, batch: int = 10_000) -> Iterable[bytes]:
    """`head`, `unit` × `times`, `tail` as chunks, never building the whole text."""
    yield head.encode()
    block = (unit * batch).encode()
    full, rest = divmod(times, batch)
    for _ in range(full):
        yield block
    yield (unit * rest).encode()
    yield tail.encode()


def valid_xlsx() -> bytes:
    """A small honest workbook (schools list), for checking that the scan lets real files through."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Код</t></is></c></row>'
    rows += '<row r="2"><c r="A2" t="inlineStr"><is><t>sch1</t></is></c></row>'
    return xlsx(sheet_xml(f"<sheetData>{rows}</sheetData>", dimension="A1:A2"))


def _bomb_builders() -> dict[str, tuple[str, Callable[[], bytes]]]:
    return {
        "cell_at_XFD1048576": ("bomb.xlsx", lambda: one_cell_at("XFD1048576", 1048576)),
        "cell_at_GR100000": ("bomb.xlsx", lambda: one_cell_at("GR100000", 100000)),
        "cell_at_ZZ200000": ("bomb.xlsx", lambda: one_cell_at("ZZ200000", 200000)),
        "declared_dimension_only": (
            "bomb.xlsx",
            lambda: xlsx(
                sheet_xml(
                    '<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row></sheetData>',
                    dimension="A1:XFD1048576",
                )
            ),
        ),
        "rows_without_r": (
            "bomb.xlsx",
            lambda: xlsx(
                repeated(
                    SHEET_OPEN + "<sheetData>", "<row><c><v>1</v></c></row>", 300_000, "</sheetData>" + SHEET_CLOSE
                )
            ),
        ),
        "cells_without_r_in_one_row": (
            "bomb.xlsx",
            lambda: xlsx(
                repeated(SHEET_OPEN + "<sheetData><row>", "<c><v>1</v></c>", 50_000, "</row></sheetData>" + SHEET_CLOSE)
            ),
        ),
        "row_r_1048576": (
            "bomb.xlsx",
            lambda: xlsx(sheet_xml('<sheetData><row r="1048576"><c><v>1</v></c></row></sheetData>')),
        ),
        "merged_whole_sheet": (
            "bomb.xlsx",
            lambda: xlsx(
                sheet_xml(
                    '<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'
                    '<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'
                )
            ),
        ),
        "many_sheets": (
            "bomb.xlsx",
            lambda: xlsx(sheet_xml('<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>'), sheets=5000),
        ),
        "shared_strings_bomb": (
            "bomb.xlsx",
            lambda: xlsx(
                sheet_xml('<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'),
                shared=repeated(
                    '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
                    "<si><t>Ы</t></si>",
                    3_000_000,
                    "</sst>",
                ),
            ),
        ),
        "deep_nesting": (
            "bomb.xlsx",
            lambda: xlsx(repeated(SHEET_OPEN, "<a>", 100_000, "</a>" * 100_000 + SHEET_CLOSE)),
        ),
        "zip_bomb_entry": (
            "bomb.xlsx",
            # 250 MB of spaces inside the sheet: a quarter of a megabyte on disk
            lambda: xlsx(repeated(SHEET_OPEN, " " * 1024, 250 * 1024, SHEET_CLOSE, batch=1024)),
        ),
        "lying_entry_size": (
            "bomb.xlsx",
            # the headers say 2 KB, the stream inflates to 64 MB of cells
            lambda: xlsx(
                repeated(
                    SHEET_OPEN + "<sheetData><row>", "<c/>", 16 * MIB, "</row></sheetData>" + SHEET_CLOSE, batch=65536
                ),
                declared={"xl/worksheets/sheet1.xml": 2048},
            ),
        ),
        "xlsx_that_is_csv": ("bomb.xlsx", lambda: "Код;Наименование\nsch1;Школа\n".encode()),
        "xlsx_that_is_pdf": (
            "bomb.xlsx",
            lambda: b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n",
        ),
        "csv_that_is_binary": ("bomb.csv", lambda: bytes(range(256)) * 64),
        "csv_huge_field": ("bomb.csv", lambda: b'"' + b"x" * (2 * MIB) + b'"\n'),
        "csv_many_columns": ("bomb.csv", lambda: b";" * 100_000 + b"\n"),
        "csv_many_rows": ("bomb.csv", lambda: b"1\n" * 200_000),
    }


HOSTILE = _bomb_builders()

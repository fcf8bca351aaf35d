"""Cells the portal writes into spreadsheets (xlsx, csv) for people to open in Excel or LibreOffice.

A text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is taken by a spreadsheet for a formula:
a school named `=HYPERLINK("http://…","…")` would become a live link in every export that names it. Such texts
are written with a leading apostrophe (OWASP's advice for CSV injection), which shows them as the text they
are; numbers, dates and empty cells are written unchanged.
"""

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a spreadsheet should store it: a text that would start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    """`safe_cell` for every cell of a row; cell objects (openpyxl's WriteOnlyCell) get their value made safe."""
    from openpyxl.cell.cell import Cell

    row = []
    for value in values:
        if isinstance(value, Cell):
            value.value = safe_cell(value.value)
            row.append(value)
        else:
            row.append(safe_cell(value))
    return row


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024  # a workbook larger than this is spooled to a temporary file, not kept in memory


def workbook_response(workbook, filename: str):
    """An openpyxl workbook as a download (saved into a spooled temporary file, streamed to the client)."""
    import tempfile

    from django.http import FileResponse

    file = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    workbook.save(file)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)

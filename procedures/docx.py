"""Editable Word documents (python-docx): the school's order on conducting the ВПР.

The text comes from the same model as the PDF (procedures.selectors.orders.OrderDocument), so both say the
same; the DOCX is for the school to adjust its wording before signing.
"""

import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.shared import Cm, Pt

from procedures.selectors.orders import OrderDocument, OrderTable

FONT = "Times New Roman"
TEXT_WIDTH_CM = 17.0


def _paragraph(document, text: str = "", *, bold: bool = False, align=None, size: int | None = None, indent=None):
    paragraph = document.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    if indent is not None:
        paragraph.paragraph_format.first_line_indent = indent
    return paragraph


def _table(document, table: OrderTable) -> None:
    grid = document.add_table(rows=1, cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = [Cm(TEXT_WIDTH_CM * width / 100) for width in table.widths]
    for cell, header, width in zip(grid.rows[0].cells, table.headers, widths, strict=True):
        cell.width = width
        cell.text = ""
        run = cell.paragraphs[0].add_run(header)
        run.bold = True
        run.font.size = Pt(11)
    for values in table.rows:
        cells = grid.add_row().cells
        for cell, value, width in zip(cells, values, widths, strict=True):
            cell.width = width
            cell.text = ""
            cell.paragraphs[0].add_run(value).font.size = Pt(11)
    if not table.rows:
        cells = grid.add_row().cells
        merged = cells[0].merge(cells[-1])
        merged.text = _("нет данных")


def order_docx(doc: OrderDocument) -> bytes:
    """The order as a .docx: A4, Times New Roman 14, numbered points, tables with borders, signature line."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2.0)
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(14)
    style.paragraph_format.space_after = Pt(0)
    # East Asian font mapping, so that Word does not substitute another face for Cyrillic text
    style.element.rPr.rFonts.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia", FONT)

    _paragraph(document, doc.organisation, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document)
    _paragraph(document, doc.heading, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=16)
    _paragraph(document)
    dated = _paragraph(document, f"{doc.date}\t№ {doc.number}")
    dated.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    _paragraph(document)
    _paragraph(document, doc.title, bold=True)
    _paragraph(document)
    _paragraph(document, doc.preamble, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=Cm(1.25))
    _paragraph(document)
    _paragraph(document, _("ПРИКАЗЫВАЮ:"), bold=True)
    for number, point in enumerate(doc.points, start=1):
        _paragraph(document, f"{number}. {point.text}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=Cm(1.25))
        if point.table is not None:
            _table(document, point.table)
            _paragraph(document)
    _paragraph(document)
    signature = _paragraph(document, f"{doc.signature_position}\t\t{doc.signature_name}")
    stops = signature.paragraph_format.tab_stops
    stops.add_tab_stop(Cm(9.0))
    stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    if doc.acquainted:
        _paragraph(document)
        _paragraph(document, _("С приказом ознакомлены:"))
        for name in doc.acquainted:
            line = _paragraph(document, f"{name}\t____________\t«___» __________ 20___ г.", size=12)
            line.paragraph_format.tab_stops.add_tab_stop(Cm(8.0))
            line.paragraph_format.tab_stops.add_tab_stop(Cm(TEXT_WIDTH_CM), WD_TAB_ALIGNMENT.RIGHT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

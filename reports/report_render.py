"""A `ReportDocument` written as a PDF (WeasyPrint, the printed documents' template and typeface) and as an
editable DOCX (python-docx) from the same blocks, so that the two files say the same.

The PDF is laid out in parts (the header and each top-level section on its own) and joined, as long printables
are (vpr_portal.pdf): a long report's layout cost grows faster than its length when laid out at once.
"""

import io

from django.template.loader import render_to_string
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from vpr_portal.pdf import part_pdf

from .report_doc import Bullets, Chart, Heading, PageBreak, Paragraph, ReportDocument, Table

TEMPLATE = "reports/print/report.html"
DOCX_FONT = "Times New Roman"
TEXT_WIDTH_CM = 17.0


def report_html(doc: ReportDocument) -> str:
    return render_to_string(TEMPLATE, {"doc": doc})


def report_pdf(doc: ReportDocument) -> bytes:
    """The report as one PDF (page numbers run through the whole document)."""
    return part_pdf(report_html(doc))


# DOCX ------------------------------------------------------------------------------------------------------------


def _font(run, *, size: float | None = None, bold: bool = False, italic: bool = False, grey: bool = False) -> None:
    run.font.name = DOCX_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    if size:
        run.font.size = Pt(size)
    run.bold = bold or None
    run.italic = italic or None
    if grey:
        run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)


def _paragraph(document, text: str = "", *, align=None, space_after: float = 4, **font):
    paragraph = document.add_paragraph()
    if text:
        _font(paragraph.add_run(text), **font)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) in the paragraph."""
    run = paragraph.add_run()
    _font(run, size=9)
    for tag, text in (("begin", None), (None, instruction), ("end", None)):
        if tag:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), tag)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _footer(section, title: str) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(paragraph.add_run(f"{title} · Страница "), size=9)
    _field(paragraph, "PAGE")
    _font(paragraph.add_run(" из "), size=9)
    _field(paragraph, "NUMPAGES")


def _table(document, block: Table) -> None:
    if block.caption:
        _paragraph(document, block.caption, italic=True, size=10, space_after=2)
    grid = document.add_table(rows=1, cols=len(block.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = [Cm(TEXT_WIDTH_CM * share / 100) for share in block.column_widths()]
    for cell, header, width in zip(grid.rows[0].cells, block.headers, widths, strict=True):
        cell.width = width
        _font(cell.paragraphs[0].add_run(str(header)), size=9.5, bold=True)
    for row in block.cells():
        cells = grid.add_row().cells
        for cell, (text, numeric), width in zip(cells, row, widths, strict=True):
            cell.width = width
            _font(cell.paragraphs[0].add_run(text), size=9.5)
            if numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _paragraph(document, space_after=2)


def _docx_setup(document, doc: ReportDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(2.5), Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(1.5), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name = DOCX_FONT
    normal.font.size = Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), DOCX_FONT)
    _footer(section, doc.running_title or doc.title)


def _docx_header(document, doc: ReportDocument) -> None:
    center = WD_ALIGN_PARAGRAPH.CENTER
    if doc.parent_organisation:
        _paragraph(document, doc.parent_organisation, align=center, size=11, space_after=0)
    _paragraph(document, doc.organisation, align=center, size=12, bold=True, space_after=0)
    for line in doc.details:
        _paragraph(document, line, align=center, size=10, space_after=0)
    rule = _paragraph(document, space_after=8)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(name), value)
    border.append(bottom)
    rule._p.get_or_add_pPr().append(border)
    _paragraph(document, doc.title.upper(), align=center, size=14, bold=True, space_after=2)
    if doc.subtitle:
        _paragraph(document, doc.subtitle, align=center, size=12, space_after=2)
    _paragraph(document, doc.campaign, align=center, size=12, space_after=2)
    dated = doc.date.strftime("%d.%m.%Y") + (f" · {doc.version}" if doc.version else "")
    _paragraph(document, dated, align=WD_ALIGN_PARAGRAPH.RIGHT, size=10, grey=True, space_after=10)


HEADING_SIZES = {1: 14, 2: 12.5, 3: 12}


def _docx_block(document, block) -> None:
    if isinstance(block, Heading):
        paragraph = _paragraph(document, block.text, size=HEADING_SIZES.get(block.level, 12), bold=True)
        paragraph.paragraph_format.space_before = Pt(10 if block.level == 1 else 6)
        paragraph.paragraph_format.keep_with_next = True
    elif isinstance(block, Paragraph):
        note = block.style == "note"
        paragraph = _paragraph(document, block.text, size=10 if note else 12, grey=note, italic=note)
        if not note:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    elif isinstance(block, Bullets):
        for item in block.items:
            paragraph = _paragraph(document, "", space_after=1)
            paragraph.paragraph_format.left_indent = Cm(0.6)
            paragraph.paragraph_format.first_line_indent = Cm(-0.4)
            _font(paragraph.add_run(f"– {item}"), size=12)
    elif isinstance(block, Table):
        _table(document, block)
    elif isinstance(block, Chart):
        document.add_picture(io.BytesIO(block.png), width=Cm(min(block.width_cm, 16.5)))
        document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph(document, block.caption, align=WD_ALIGN_PARAGRAPH.CENTER, size=10, italic=True)
    elif isinstance(block, PageBreak):
        document.add_page_break()


def report_docx(doc: ReportDocument) -> bytes:
    """The report as an editable Word document: the same header, blocks and signatures as the PDF."""
    document = Document()
    _docx_setup(document, doc)
    _docx_header(document, doc)
    for block in doc.blocks:
        _docx_block(document, block)
    if doc.signatures:
        _paragraph(document, space_after=12)
        for line in doc.signatures:
            _paragraph(document, f"{line} _______________ / _______________ /", space_after=14)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def docx_text(data: bytes) -> str:
    """The words of a DOCX (paragraphs, then tables' cells, in order), for tests and checks."""
    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)

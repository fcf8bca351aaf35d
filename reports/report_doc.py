"""The content of an analytical report, apart from its file format.

A report (the school's справка, the municipal report) is assembled once as a `ReportDocument`: its official
header and a list of blocks (headings, paragraphs, lists, tables, charts). `reports.report_render` writes the same
document as a PDF (WeasyPrint) and as an editable DOCX (python-docx), so the two files always say the same.
Charts carry both an SVG (for the PDF, its text stays text) and a PNG (for Word); see `reports.report_charts`.
"""

import base64
import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1: a section (an assessment), 2: a part of it, 3: a small heading
    kind: str = "heading"


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = ""  # "" | "note" (small, grey) | "warning"
    kind: str = "paragraph"


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    kind: str = "bullets"


def cell_text(value) -> str:
    """A table cell as printed: «—» for a missing or hidden figure, a decimal comma (Russian typography)."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]
    # the columns whose values are figures (aligned right)
    numeric: frozenset[int] = frozenset()
    # relative widths (they are scaled to the text width); None: equal
    widths: tuple[float, ...] | None = None
    caption: str = ""
    kind: str = "table"

    def cells(self) -> list[list[tuple[str, bool]]]:
        """The rows as (text, numeric) pairs, a missing or hidden figure shown as «—»."""
        return [[(cell_text(value), index in self.numeric) for index, value in enumerate(row)] for row in self.rows]

    def column_widths(self) -> list[float]:
        """Each column's share of the text width, in %."""
        widths = self.widths or tuple(1.0 for _header in self.headers)
        total = sum(widths) or 1.0
        return [100.0 * width / total for width in widths]


@dataclass(frozen=True)
class Chart:
    svg: str
    png: bytes
    caption: str
    width_cm: float = 16.0
    kind: str = "chart"

    @property
    def data_uri(self) -> str:
        """The SVG as the PDF's image source."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


@dataclass(frozen=True)
class PageBreak:
    kind: str = "page_break"


Block = Heading | Paragraph | Bullets | Table | Chart | PageBreak


@dataclass
class ReportDocument:
    """An official document: who issues it (the department, or the school under its department), the campaign,
    the title, the date and version, the blocks, and who signs it."""

    title: str
    organisation: str  # the school's or the department's full name
    campaign: str  # «Всероссийские проверочные работы — ВПР-2026»
    date: datetime.date
    parent_organisation: str = ""  # the department above a school
    details: tuple[str, ...] = ()  # the address, the code
    subtitle: str = ""
    version: str = ""  # «Версия 3 от 29.11.2026»
    running_title: str = ""  # the page footer's short title
    blocks: list[Block] = field(default_factory=list)
    signatures: tuple[str, ...] = ()  # «Руководитель ОО» …: a line to sign each

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)

    def text(self) -> str:
        """The document's words in order (the tests read them; the PDF and DOCX must contain the same)."""
        parts = [self.parent_organisation, self.organisation, *self.details, self.campaign, self.title, self.subtitle]
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                parts.append(block.text)
            elif isinstance(block, Bullets):
                parts.extend(block.items)
            elif isinstance(block, Table):
                parts.append(block.caption)
                parts.extend(block.headers)
                parts.extend(text for row in block.cells() for text, _numeric in row)
            elif isinstance(block, Chart):
                parts.append(block.caption)
        return "\n".join(part for part in parts if part)

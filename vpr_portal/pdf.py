"""PDF documents with WeasyPrint: one page from a template, or a long document laid out in parts (a class, a
room) and joined.

A table-heavy page costs about 0.9 s to lay out and a table split across many pages gets slower per page, so a
long document is laid out in parts of a few pages each, in parallel processes when there are many, and the
files are joined; fixed column widths (`table-layout: fixed`, in templates/print/base.html) keep the layout
cheap.
"""

import io
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import django
from django.conf import settings
from django.template.loader import render_to_string

# From this many parts on, a document is laid out in parallel processes (starting them costs about a second).
PARALLEL_MIN_PARTS = 30

logger = logging.getLogger(__name__)

_fonts = threading.local()


def part_pdf(html: str) -> bytes:
    """Lays out and writes one part. One font configuration per thread, shared by its parts: building a new
    one for each document (WeasyPrint's default) cost a third of the time of a small page."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    return HTML(string=html, base_url=".").render(font_config=_fonts.config).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    """A short document (a page or two) from one template."""
    return part_pdf(render_to_string(template_name, context))


def _merge(parts: list[bytes]) -> bytes:
    """Joins PDF files into one (pypdf: no layout is redone)."""
    from pypdf import PdfReader, PdfWriter

    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def render_processes(parts: int) -> int:
    """How many processes lay out `parts` parts: one for a short document, else one per core (at most 4;
    settings.PDF_RENDER_PROCESSES overrides, 1 turns it off)."""
    if parts < PARALLEL_MIN_PARTS:
        return 1
    configured = getattr(settings, "PDF_RENDER_PROCESSES", None)
    return max(1, configured if configured is not None else min(4, os.cpu_count() or 1))


def _in_processes(func, items: list, processes: int):
    """Yields func(item) for each item, in order, computed in `processes` spawned processes (spawned, not
    forked: the web server may have threads). Inside a Celery prefork worker, which multiprocessing refuses to
    give children, through Celery's own billiard."""
    context = {"initializer": django.setup}
    if multiprocessing.current_process().daemon:
        import billiard

        pool = billiard.get_context("spawn").Pool(processes, **context)
        try:
            yield from pool.imap(func, items)
        finally:
            pool.close()
            pool.join()
    else:
        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=spawn, **context) as pool:
            yield from pool.map(func, items)


def render_parts(
    htmls: list[str], *, progress: Callable[[int, int], None] | None = None, total: int | None = None
) -> bytes:
    """Lays out the parts (HTML for WeasyPrint, one class or room each) into one PDF: each part laid out and
    written on its own, in parallel processes for a long document, and the files joined; `progress(done,
    total)` is called after each part so a background job can report how far it is. Only HTML and PDF bytes
    cross between processes; only one laid-out document at a time is alive in each (a hundred kept alive made
    every part slower)."""
    processes = render_processes(len(htmls))
    files: list[bytes] = []

    def collect(results) -> None:
        for data in results:
            files.append(data)
            if progress is not None:
                progress(len(files), total or len(htmls))

    if processes > 1:
        try:
            collect(_in_processes(part_pdf, htmls, processes))
        except (OSError, BrokenProcessPool) as error:  # no processes to be had here: do it in this one
            logger.warning("rendering in %s processes failed (%s), rendering in one", processes, error)
            files.clear()
            processes = 1
    if processes == 1:
        collect(part_pdf(html) for html in htmls)
    return _merge(files)


def pdf_text(data: bytes) -> str:
    """The text of a PDF (tests check documents by what they say, not by being non-empty)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)

"""PDF documents with WeasyPrint: render a template per part (a class, a room) and merge the pages.

DESIGN §8: a table-heavy page costs ~0.9 s and a table split across many pages gets slower per page, so
long documents are rendered in parts of a few pages each and merged; fixed column widths
(`table-layout: fixed`, in templates/print/base.html) keep the layout cheap.
"""

from collections.abc import Callable, Iterable

from django.template.loader import render_to_string


def render_document(template_name: str, context: dict, *, base_url: str = "."):
    """One rendered WeasyPrint document (not yet written), for merging with others."""
    from weasyprint import HTML

    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=base_url).render()


def render_pdf(template_name: str, context: dict) -> bytes:
    return render_document(template_name, context).write_pdf()


def merge_documents(documents: list) -> bytes:
    """Writes the pages of several rendered documents as one PDF."""
    if not documents:
        raise ValueError("nothing to merge")
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def render_parts(
    template_name: str,
    contexts: Iterable[dict],
    *,
    progress: Callable[[int, int], None] | None = None,
    total: int | None = None,
) -> bytes:
    """Renders the template once per context (one class, one room) and merges them; `progress(done, total)`
    is called after each part so a background job can report how far it is."""
    contexts = list(contexts)
    total = total or len(contexts)
    documents = []
    for number, context in enumerate(contexts, start=1):
        documents.append(render_document(template_name, context))
        if progress is not None:
            progress(number, total)
    return merge_documents(documents)


def pdf_text(data: bytes) -> str:
    """The text of a PDF (tests check documents by what they say, not by being non-empty)."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)

"""The steps a browser test of an analytical report shares: ask for it on its page, see the progress bar while the
background job builds it, wait for the version to be ready, download both files and read their text; a picture of
the PDF's first page is kept beside the screenshots (pypdfium2)."""

import pypdfium2
from playwright.sync_api import expect

from reports.report_render import docx_text
from tests.e2e.conftest import artifacts_dir, safe_name
from vpr_portal.pdf import pdf_text

BUILD_TIMEOUT_MS = 180_000


def build_and_download(page, shot, request, *, first_shot: int) -> dict[str, tuple[str, str]]:
    """Builds the report shown on `page`; returns format → (the download's file name, the file's text on one line).
    Screenshots `first_shot`-building, then -ready, then the PDF's first page."""
    page.get_by_test_id("report-build").click()
    row = page.get_by_test_id("report-version").first
    expect(row).to_have_attribute("data-version", "1")
    expect(page.get_by_text("Отчёт формируется в фоне; ход показан на странице.")).to_be_visible()
    saw_progress = page.get_by_test_id("report-progress").count() > 0
    if saw_progress:
        shot(page, f"{first_shot}-building")
    expect(page.get_by_test_id("report-file-pdf")).to_be_visible(timeout=BUILD_TIMEOUT_MS)
    expect(page.get_by_test_id("report-file-docx")).to_be_visible()
    expect(row).to_contain_text("актуальна")
    assert saw_progress, "the version's progress bar was not shown while the report was built"
    shot(page, f"{first_shot + 1}-ready")
    files = {}
    for fmt in ("pdf", "docx"):
        with page.expect_download() as download_info:
            page.get_by_test_id(f"report-file-{fmt}").click()
        download = download_info.value
        data = open(download.path(), "rb").read()
        text = " ".join((pdf_text(data) if fmt == "pdf" else docx_text(data)).split())
        files[fmt] = (download.suggested_filename, text)
        if fmt == "pdf":
            first = pypdfium2.PdfDocument(data)[0].render(scale=1.5).to_pil()
            first.save(artifacts_dir(request.config) / f"{safe_name(request.node.name)}-{first_shot + 2}-pdf-page1.png")
    return files

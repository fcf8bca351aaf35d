import os
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from procedures.models import Campaign
from reports.exports import municipal_report_write
from vpr_portal.commands import BatchCommand
from vpr_portal.tables import InputRefused, Problem


class Command(BatchCommand):
    help = (
        "Записывает муниципальный отчёт кампании (xlsx): лист на каждую работу, строка на каждую школу с "
        "результатами и строка муниципалитета — показатели как у results_figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="код кампании, например VPR-2026")
        parser.add_argument("--output", required=True, help="куда записать файл .xlsx")

    def run(self, *, campaign, output, **options) -> str:
        found = Campaign.objects.filter(code=campaign).select_related("department").first()
        if found is None:
            raise InputRefused([Problem(_("кампания с кодом «{code}» не найдена").format(code=campaign))])
        path = Path(output)
        if not path.parent.is_dir():
            raise InputRefused([Problem(_("папка {folder} не найдена").format(folder=path.parent))])
        report = _write_atomically(found, path)
        return _(
            "{campaign}: муниципальный отчёт записан в {path}: листов {sheets}, школ с результатами {schools}."
        ).format(campaign=found.code, path=path, sheets=report.sheets, schools=len(report.school_ids))


def _write_atomically(campaign: Campaign, path: Path):
    """Writes into a temporary file beside `path`, then renames it: a failure leaves nothing half-written."""
    handle, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    partial = Path(partial)
    try:
        with os.fdopen(handle, "wb") as output:
            report = municipal_report_write(campaign, output)
        partial.replace(path)
    except OSError as error:
        raise InputRefused([Problem(_("файл {name} не записан: {error}").format(name=path, error=error))]) from None
    finally:
        partial.unlink(missing_ok=True)
    return report

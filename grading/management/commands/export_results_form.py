from pathlib import Path

from django.utils.translation import gettext as _

from grading.selectors.results import command_targets
from grading.services.results import results_form_export
from vpr_portal.commands import BatchCommand
from vpr_portal.tables import InputRefused, Problem


class Command(BatchCommand):
    help = (
        "Записывает форму сбора результатов (xlsx) работы для участников школы: коды, классы и пол заполнены, "
        "остальное пусто; с --filled — заполненная форма для ФИС ОКО."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="код кампании, например VPR-2026")
        parser.add_argument("--assessment", required=True, help="код работы, например RU-4")
        parser.add_argument("--school", required=True, help="код школы, например sch660001")
        parser.add_argument("--output", required=True, help="куда записать файл .xlsx")
        parser.add_argument(
            "--filled", action="store_true", help="с баллами, вариантами и отметками (форма для ФИС ОКО)"
        )

    def run(self, *, campaign, assessment, school, output, filled=False, **options) -> str:
        found_assessment, found_school = command_targets(campaign=campaign, assessment=assessment, school=school)
        path = Path(output)
        if not path.parent.is_dir():
            raise InputRefused([Problem(_("папка {folder} не найдена").format(folder=path.parent))])
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as handle:
                rows = results_form_export(
                    assessment=found_assessment, school=found_school, output=handle, filled=filled
                )
            partial.replace(path)
        except OSError as error:
            raise InputRefused([Problem(_("файл {name} не записан: {error}").format(name=path, error=error))]) from None
        finally:
            partial.unlink(missing_ok=True)
        return _("{school}, {assessment}: форма сбора результатов записана в {path}, строк {rows}.").format(
            school=found_school.code, assessment=found_assessment.code, path=path, rows=rows
        )

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grading.selectors.results import command_targets
from grading.services.results import ReasonRequired, results_form_read, results_import, results_summary
from vpr_portal.commands import BatchCommand
from vpr_portal.tables import read_table_file


class Command(BatchCommand):
    help = (
        "Загружает заполненную форму сбора результатов (xlsx или csv) работы школы. Всё или ничего: при любой "
        "ошибке файл не принимается целиком; повторная загрузка того же файла ничего не меняет. Баллы работ, "
        "уже сданных экспертом, меняются только с причиной (--reason)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="файл .xlsx или .csv")
        parser.add_argument("--campaign", required=True, help="код кампании, например VPR-2026")
        parser.add_argument("--assessment", required=True, help="код работы, например RU-4")
        parser.add_argument("--school", required=True, help="код школы, например sch660001")
        parser.add_argument(
            "--reason",
            default="",
            help="причина изменения баллов работ, уже сданных экспертом (сохраняется в истории баллов)",
        )

    def run(self, *, path, campaign, assessment, school, reason, **options) -> str:
        found_assessment, found_school = command_targets(campaign=campaign, assessment=assessment, school=school)
        table = read_table_file(path)
        form = results_form_read(assessment=found_assessment, school=found_school, table=table)
        try:
            plan = results_import(
                assessment=found_assessment, school=found_school, form=form, actor=None, reason=reason
            )
        except ReasonRequired as refused:
            raise ValidationError(
                _(
                    "Форма меняет баллы работ, уже сданных экспертом ({n}): {codes}. Укажите причину изменения: "
                    "--reason «…»."
                ).format(n=len(refused.codes), codes=", ".join(refused.codes))
            ) from None
        return results_summary(assessment=found_assessment, school=found_school, plan=plan)

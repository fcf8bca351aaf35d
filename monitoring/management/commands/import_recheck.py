from grading.selectors.results import command_targets
from monitoring.recheck_import import recheck_import, recheck_import_summary
from vpr_portal.commands import BatchCommand
from vpr_portal.tables import read_table_file


class Command(BatchCommand):
    help = (
        "Загружает итоговые баллы комиссии по перепроверке (форма сбора результатов, только перепроверенные "
        "работы). Всё или ничего; повторная загрузка того же файла ничего не меняет; исходные результаты не "
        "меняются."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="файл .xlsx или .csv")
        parser.add_argument("--campaign", required=True, help="код кампании, например VPR-2026")
        parser.add_argument("--assessment", required=True, help="код работы, например RU-4")
        parser.add_argument("--school", required=True, help="код школы, например sch660001")

    def run(self, *, path, campaign, assessment, school, **options) -> str:
        found_assessment, found_school = command_targets(campaign=campaign, assessment=assessment, school=school)
        table = read_table_file(path)
        result = recheck_import(assessment=found_assessment, school=found_school, table=table, actor=None)
        return recheck_import_summary(assessment=found_assessment, school=found_school, result=result)

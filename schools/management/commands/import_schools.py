from django.utils.translation import gettext as _

from schools.importers import parse_schools
from schools.services import default_department, schools_import
from vpr_portal.commands import BatchCommand
from vpr_portal.tables import read_table_file


class Command(BatchCommand):
    help = (
        "Добавляет или обновляет школы из .xlsx или .csv "
        "(столбцы: Код, Наименование, Краткое наименование, Часовой пояс)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="файл .xlsx или .csv")

    def run(self, *, path, **options) -> str:
        records = parse_schools(read_table_file(path))
        summary = schools_import(records=records, department=default_department(), actor=None)
        return _("Школы: добавлено {created}, обновлено {updated}, без изменений {unchanged}.").format(
            created=summary.created, updated=summary.updated, unchanged=summary.unchanged
        )

from django.utils.translation import gettext as _

from schools.importers import parse_pupils
from schools.models import School
from schools.services import pupils_import
from vpr_portal.commands import BatchCommand
from vpr_portal.tables import InputRefused, Problem, read_table_file


class Command(BatchCommand):
    help = (
        "Добавляет или обновляет обучающихся школы и создаёт их классы "
        "(столбцы: Фамилия, Имя, Отчество, Класс, Пол, ОВЗ)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="файл .xlsx или .csv")
        parser.add_argument("--school", required=True, help="код школы, например sch660001")
        parser.add_argument("--year", type=int, help="год начала учебного года (по умолчанию текущий)")

    def run(self, *, path, school, year=None, **options) -> str:
        found = School.objects.filter(code=school).first()
        if found is None:
            raise InputRefused([Problem(_("школа с кодом «{code}» не найдена").format(code=school))])
        records = parse_pupils(read_table_file(path))
        summary = pupils_import(school=found, records=records, actor=None, academic_year=year)
        return _("{school}: обучающихся добавлено {created}, обновлено {updated}, без изменений {unchanged}.").format(
            school=found.code, created=summary.created, updated=summary.updated, unchanged=summary.unchanged
        )

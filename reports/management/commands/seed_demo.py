from django.utils.translation import gettext as _

from reports.demo.build import build_demo
from schools.models import School
from vpr_portal.commands import BatchCommand


class Command(BatchCommand):
    help = (
        "Создаёт демонстрационный муниципалитет (вымышленные школы, обучающиеся, сотрудники, пользователи "
        "с паролем vpr-demo-2026), три завершённые кампании ВПР с результатами, кампанию в подготовке и "
        "апробацию, идущую сегодня. Повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="ничего не делать, если в базе уже есть хотя бы одна школа"
        )

    def run(self, *, if_empty=False, verbosity=1, **options) -> str:
        if if_empty and School.objects.exists():
            return _("В базе уже есть школы: демонстрационные данные не создавались.")
        return build_demo(stdout=self.stdout if verbosity >= 2 else None).line

import argparse

from django.utils.translation import gettext as _

from reports.demo.build import build_demo
from reports.demo.region import DEFAULT_SCHOOLS, build_region
from schools.models import School
from vpr_portal.commands import BatchCommand


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(_("нужно целое число больше нуля"))
    return number


class Command(BatchCommand):
    help = (
        "Создаёт демонстрационный муниципалитет (вымышленные школы, обучающиеся, сотрудники, пользователи "
        "с паролем vpr-demo-2026), три завершённые кампании ВПР с результатами, кампанию в подготовке и "
        "апробацию, идущую сегодня. С --scale region — большой регион для замеров производительности "
        "(по умолчанию 600 школ, около 5 миллионов баллов за задания в нескольких кампаниях). Повторный запуск "
        "ничего не меняет."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="ничего не делать, если в базе уже есть хотя бы одна школа"
        )
        parser.add_argument(
            "--scale",
            choices=["demo", "region"],
            default="demo",
            help="demo — демонстрационный муниципалитет; region — большой регион для замеров",
        )
        parser.add_argument(
            "--schools",
            type=positive,
            default=None,
            help=f"число школ региона (только с --scale region; по умолчанию {DEFAULT_SCHOOLS})",
        )

    def run(self, *, if_empty=False, scale="demo", schools=None, verbosity=1, **options) -> str:
        if schools is not None and scale != "region":
            self.stderr.write(_("--schools задаётся только вместе с --scale region."))
            raise SystemExit(2)
        stdout = self.stdout if verbosity >= 2 else None
        if scale == "region":
            return build_region(schools=schools or DEFAULT_SCHOOLS, stdout=stdout).line
        if if_empty and School.objects.exists():
            return _("В базе уже есть школы: демонстрационные данные не создавались.")
        return build_demo(stdout=stdout).line

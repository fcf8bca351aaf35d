from django.utils.translation import gettext as _

from procedures.demo import seed_demo_campaign
from schools.demo import DEPARTMENT, seed_demo, summary
from schools.models import Department, School
from vpr_portal.commands import BatchCommand


class Command(BatchCommand):
    help = (
        "Создаёт демонстрационный муниципалитет (вымышленные школы, обучающиеся, сотрудники, пользователи "
        "с паролем vpr-demo-2026). Повторный запуск ничего не меняет."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="ничего не делать, если в базе уже есть хотя бы одна школа"
        )

    def run(self, *, if_empty=False, verbosity=1, **options) -> str:
        if if_empty and School.objects.exists():
            return _("В базе уже есть школы: демонстрационные данные не создавались.")
        counts = seed_demo(stdout=self.stdout if verbosity >= 2 else None)
        campaign = seed_demo_campaign(department=Department.objects.get(code=DEPARTMENT["code"]))
        return "{people} {campaign}".format(
            people=summary(counts),
            campaign=_("Кампания {title}: работ {n}, этапов плана-графика {stages}.").format(
                title=campaign.title, n=campaign.assessments.count(), stages=campaign.stages.count()
            ),
        )

from django.utils.translation import gettext as _

from procedures.models import Campaign
from procedures.services.participants import awaiting_decision_message, codes_issue
from schools.models import School
from vpr_portal.commands import BatchCommand
from vpr_portal.tables import InputRefused, Problem


class Command(BatchCommand):
    help = (
        "Выдаёт коды участников (пять цифр, один на все работы кампании) всем обучающимся школы, которые пишут "
        "работы кампании. У кого код уже есть, сохраняет его. Обучающимся с ОВЗ без записанного решения родителей "
        "код не выдаётся (Регламент 2.4): команда сообщает, скольким."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="код кампании, например VPR-2026")
        parser.add_argument("--school", required=True, help="код школы, например sch660001")

    def run(self, *, campaign, school, **options) -> str:
        found_campaign = Campaign.objects.filter(code=campaign).first()
        found_school = School.objects.filter(code=school).first()
        problems = []
        if found_campaign is None:
            problems.append(Problem(_("кампания с кодом «{code}» не найдена").format(code=campaign)))
        if found_school is None:
            problems.append(Problem(_("школа с кодом «{code}» не найдена").format(code=school)))
        if problems:
            raise InputRefused(problems)
        summary = codes_issue(campaign=found_campaign, school=found_school, actor=None)
        values = {
            "school": found_school.code,
            "campaign": found_campaign.code,
            "issued": summary.issued,
            "kept": summary.kept,
            "pupils": summary.pupils,
            "participations": summary.participations,
            "elsewhere": summary.elsewhere,
        }
        result = self.summary_text(summary, values)
        if summary.awaiting_decision:
            result += " " + awaiting_decision_message(summary.awaiting_decision)
        return result

    def summary_text(self, summary, values) -> str:
        if summary.elsewhere:
            return _(
                "{school}, {campaign}: выдано кодов {issued}, сохранено прежних {kept}; участников с кодом {pupils}, "
                "участий в работах {participations}; без кода, потому что код выдан в другой школе: {elsewhere}."
            ).format(**values)
        return _(
            "{school}, {campaign}: выдано кодов {issued}, сохранено прежних {kept}; участников с кодом {pupils}, "
            "участий в работах {participations}."
        ).format(**values)

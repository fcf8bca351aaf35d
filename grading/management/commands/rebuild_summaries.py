from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from grading.summaries import PARTICIPATION, RESULTS, TASKS, summaries_check, summaries_rebuild
from procedures.models import Assessment, Campaign
from schools.models import School
from vpr_portal.commands import BatchCommand


def part_names() -> dict[str, str]:
    return {PARTICIPATION: _("участие"), RESULTS: _("результаты"), TASKS: _("задания")}


class Command(BatchCommand):
    help = (
        "Пересчитывает сводные строки показателей (участие, результаты, задания по школе, работе и классу), которые "
        "читают страницы результатов, по записанным баллам: всё или одну кампанию. С --check ничего не пишет, а "
        "сравнивает сводные строки с баллами и называет каждую школу и работу, где они расходятся (код 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="код кампании, например VPR-2026 (по умолчанию — все)")
        parser.add_argument(
            "--check", action="store_true", help="только сравнить сводные строки с баллами, ничего не меняя"
        )

    def run(self, *, campaign, check, **options) -> str:
        found = None
        if campaign is not None:
            found = Campaign.objects.filter(code=campaign).first()
            if found is None:
                raise ValidationError(_("кампания с кодом «{code}» не найдена").format(code=campaign))
        scope = _(" кампании {code}").format(code=found.code) if found is not None else ""
        if check:
            return self.check(found, scope)
        counts = summaries_rebuild(campaign=found)
        return _(
            "Сводные строки{scope} пересчитаны: участие — {participation}, результаты — {results}, задания — {tasks}."
        ).format(scope=scope, participation=counts.participation, results=counts.results, tasks=counts.tasks)

    def check(self, campaign: Campaign | None, scope: str) -> str:
        mismatches = summaries_check(campaign=campaign)
        if not mismatches:
            return _("Сводные строки{scope} совпадают с баллами.").format(scope=scope)
        schools = dict(School.objects.filter(pk__in={m.school_id for m in mismatches}).values_list("pk", "code"))
        assessments = {
            pk: (code, campaign_code)
            for pk, code, campaign_code in Assessment.objects.filter(
                pk__in={m.assessment_id for m in mismatches}
            ).values_list("pk", "code", "campaign__code")
        }
        names = part_names()
        lines = [
            _("{school}, {assessment} ({campaign}): сводные строки расходятся с баллами — {parts}").format(
                school=schools.get(m.school_id, m.school_id),
                assessment=assessments.get(m.assessment_id, (m.assessment_id, ""))[0],
                campaign=assessments.get(m.assessment_id, ("", ""))[1],
                parts=", ".join(names[part] for part in m.parts),
            )
            for m in mismatches
        ]
        lines.append(
            _("Расхождений (школа и работа): {n}. Пересчитайте: rebuild_summaries{option}.").format(
                n=len(mismatches), option=f" --campaign {campaign.code}" if campaign is not None else ""
            )
        )
        raise ValidationError(lines)

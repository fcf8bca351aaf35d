import json

from django.utils.translation import gettext as _

from grading.figures import assessment_figures, figures_json
from grading.selectors.results import command_targets
from monitoring.signals import assessment_signals
from vpr_portal.commands import BatchCommand


class Command(BatchCommand):
    help = (
        "Показатели работы: по школе с --school, иначе по муниципалитету. С --json — JSON в формате docs/commands.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, help="код кампании, например VPR-2026")
        parser.add_argument("--assessment", required=True, help="код работы, например RU-4")
        parser.add_argument("--school", help="код школы, например sch660001 (без него — муниципалитет)")
        parser.add_argument("--json", action="store_true", help="вывести JSON")

    def run(self, *, campaign, assessment, school=None, json=False, **options) -> str:
        found_assessment, found_school = command_targets(campaign=campaign, assessment=assessment, school=school)
        figures = assessment_figures(assessment=found_assessment, school=found_school)
        data = figures_json(
            figures,
            campaign=found_assessment.campaign.code,
            assessment=found_assessment.code,
            school=found_school.code if found_school else None,
            signals=[signal.as_json() for signal in assessment_signals(found_assessment, school=found_school)],
        )
        if json:
            return _dumps(data)
        return _text(data)


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


def _text(data: dict) -> str:
    where = data["school"] or _("муниципалитет")
    marks = ", ".join(f"«{mark}» {data['mark_counts'][mark]} ({data['marks'][mark]}%)" for mark in data["marks"])
    return _(
        "{where}, {assessment}: участников {n}, отсутствовало {absent}; {marks}; средний первичный балл {mean}."
    ).format(
        where=where,
        assessment=data["assessment"],
        n=data["participants"],
        absent=data["absent"],
        marks=marks,
        mean=data["mean_score"],
    )

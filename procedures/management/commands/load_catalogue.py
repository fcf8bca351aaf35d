from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.catalogue import parse_catalogue, read_catalogue_file
from procedures.services.campaigns import catalogue_load
from schools.services import default_department
from vpr_portal.commands import BatchCommand


class Command(BatchCommand):
    help = "Создаёт или обновляет кампанию и её проверочные работы из файла каталога (.json, .yaml)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="файл каталога .json или .yaml")

    def run(self, *, path, **options) -> str:
        spec = parse_catalogue(read_catalogue_file(path), default_tz=timezone.get_default_timezone())
        summary = catalogue_load(spec=spec, department=default_department(), actor=None)
        if not summary.changed:
            return _("Кампания {code}: без изменений, работ {n}.").format(code=spec.code, n=summary.unchanged)
        line = _(
            "Кампания {code} {state}: работ добавлено {created}, обновлено {updated}, без изменений {unchanged}."
        ).format(
            code=spec.code,
            state=_("создана") if summary.campaign_created else _("обновлена"),
            created=summary.created,
            updated=summary.updated,
            unchanged=summary.unchanged,
        )
        if summary.recomputed:
            line += " " + _("Пересчитаны первичные баллы и отметки: {n}.").format(n=summary.recomputed)
        return line

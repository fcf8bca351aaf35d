"""`signal_cases`: opens the cases of the objectivity signals flagged now (docs/signal-cases.md) — what the
periodic check does, at once: for the assessments whose results or thresholds changed since their last check,
or for every assessment of one campaign with `--campaign` (checked again even if unchanged)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from monitoring.cases import CasesOpened, cases_check_due, cases_open
from procedures.models import Campaign


class Command(BaseCommand):
    help = "Opens the cases of the objectivity signals flagged now."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", help="the campaign's code: check each of its assessments again")

    def handle(self, *args, campaign=None, **options):
        if campaign:
            found = Campaign.objects.filter(code=campaign).first()
            if found is None:
                raise CommandError(_("Кампания {code} не найдена.").format(code=campaign))
            done = CasesOpened()
            for assessment in found.assessments.select_related("campaign").order_by("code"):
                done += cases_open(assessment=assessment)
        else:
            done = cases_check_due()
        for label, rows in (
            (_("открыт"), done.opened),
            (_("не выявляется"), done.vanished),
            (_("снова"), done.returned),
        ):
            for school, assessment, kind in rows:
                self.stdout.write(f"{label}\t{school}\t{assessment}\t{kind}")
        self.stdout.write(
            _("Открыто разборов: {o}; признак больше не выявляется: {v}; выявляется снова: {r}.").format(
                o=len(done.opened), v=len(done.vanished), r=len(done.returned)
            )
        )

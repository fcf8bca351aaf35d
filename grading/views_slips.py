"""Parents' results slips (Регламент 3.1.6): the school's coordinator and director print a class's slips (names: the
school only, R11) and mark which pupils' slips were handed out.

- parent-slips/<school>/: the school's campaigns with participants;
- parent-slips/<school>/<campaign>/: per assessment each class, its print button, how many slips are handed out,
  and the log of prints;
- …/<assessment>/<class id>/: the class's handout list (tick who got the slip, on which day) and its prints;
- …/<assessment>/<class id>/print/: the class's slips as PDF, rendered in the request; every print is logged
  and audited.

Without PRINT_PARENT_SLIPS (the department included): 403; a school, campaign, assessment or class out of reach: 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from grading import slips as selectors
from grading.forms_slips import SlipHandoutForm
from grading.services import slips as services
from procedures.access import SchoolCampaignMixin
from procedures.models import Participant
from procedures.selectors.campaigns import campaigns_visible_to
from procedures.views.documents import content_disposition
from schools.access import Capability as C
from schools.access import SchoolMixin


class SlipsSchoolView(SchoolMixin, TemplateView):
    """The school's campaigns that have participants, each a link to its slips."""

    capability = C.PRINT_PARENT_SLIPS
    template_name = "grading/slips/school.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        with_participants = Participant.objects.filter(school=self.school).values("campaign_id")
        context["campaigns"] = (
            campaigns_visible_to(self.viewer)
            .filter(department_id=self.school.department_id, pk__in=with_participants)
            .order_by("-window_start", "code")
        )
        return context


class SlipsCampaignMixin(SchoolCampaignMixin):
    def url(self, name: str, **extra) -> str:
        return reverse(
            f"grading:{name}", kwargs={"school_code": self.school.code, "campaign_code": self.campaign.code, **extra}
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(campaign=self.campaign, school=self.school)
        return context


class SlipsCampaignView(SlipsCampaignMixin, TemplateView):
    """Per assessment each class with its print button and handout count, and the log of the campaign's prints."""

    capability = C.PRINT_PARENT_SLIPS
    template_name = "grading/slips/campaign.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            overview=selectors.slip_overview(campaign=self.campaign, school=self.school),
            prints=selectors.slip_print_log(campaign=self.campaign, school=self.school)[:100],
        )
        return context


class SlipsClassMixin(SlipsCampaignMixin):
    """The campaign's `assessment_code` and the school's `class_id` (a class with participants of it), else 404."""

    def resolve(self, **kwargs) -> None:
        self.assessment = (
            self.campaign.assessments.select_related("subject", "campaign")
            .filter(code=kwargs["assessment_code"])
            .first()
        )
        if self.assessment is None:
            raise Http404
        self.school_class = selectors.slip_class(
            school=self.school, class_id=kwargs["class_id"], assessment=self.assessment
        )
        if self.school_class is None:
            raise Http404

    def class_url(self, name: str) -> str:
        return self.url(name, assessment_code=self.assessment.code, class_id=self.school_class.pk)


class SlipsClassView(SlipsClassMixin, TemplateView):
    """The class's handout list: who has been handed the slip (when, recorded by whom); ticking more records them."""

    capability = C.PRINT_PARENT_SLIPS
    template_name = "grading/slips/class.html"

    def lines(self):
        return selectors.handout_list(assessment=self.assessment, school_class=self.school_class)

    def form(self, lines, data=None) -> SlipHandoutForm:
        choices = [(line.participant_id, line.name or line.code) for line in lines if line.handout is None]
        today = timezone.localdate(timezone.now(), self.school.tzinfo)
        return SlipHandoutForm(data, choices=choices, initial={"handed_on": today})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = kwargs.get("lines") or self.lines()
        context.update(
            assessment=self.assessment,
            school_class=self.school_class,
            lines=lines,
            handed=sum(1 for line in lines if line.handout is not None),
            form=kwargs.get("form") or self.form(lines),
            prints=selectors.slip_print_log(
                campaign=self.campaign,
                school=self.school,
                assessment=self.assessment,
                class_name=self.school_class.name,
            ),
            print_url=self.class_url("slips_print"),
            cancel_url=self.class_url("slips_handout_cancel"),
        )
        return context

    def post(self, request, **kwargs):
        lines = self.lines()
        form = self.form(lines, request.POST)
        if form.is_valid():
            try:
                marked = services.slip_handouts_mark(
                    assessment=self.assessment,
                    school_class=self.school_class,
                    participant_ids=form.cleaned_data["participants"],
                    handed_on=form.cleaned_data["handed_on"],
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error("handed_on", error)
            else:
                messages.success(request, _("Отмечено выданных листов результатов: {n}.").format(n=marked))
                return redirect(self.class_url("slips_class"))
        return self.render_to_response(self.get_context_data(lines=lines, form=form), status=400)


class SlipsHandoutCancelView(SlipsClassMixin, View):
    """Removes one pupil's handout mark (set by mistake); the page asks to confirm first. POST only."""

    capability = C.PRINT_PARENT_SLIPS
    http_method_names = ["post"]

    def post(self, request, **kwargs):
        try:
            participant_id = int(request.POST.get("participant", ""))
        except ValueError:
            raise Http404 from None
        if not services.slip_handout_cancel(
            assessment=self.assessment,
            school_class=self.school_class,
            participant_id=participant_id,
            actor=request.user,
        ):
            raise Http404
        messages.success(request, _("Отметка о выдаче снята."))
        return redirect(self.class_url("slips_class"))


class SlipsPrintView(SlipsClassMixin, View):
    """The class's slips as PDF (two to an A4 page), rendered in the request; every print is logged and audited."""

    capability = C.PRINT_PARENT_SLIPS

    def get(self, request, **kwargs):
        slips = selectors.class_slips(assessment=self.assessment, school_class=self.school_class)
        content = selectors.class_slips_pdf(slips)
        services.slips_print_record(slips=slips, actor=request.user)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition(
            selectors.slips_filename(slips), fallback=f"slips-{self.assessment.code}-{self.school_class.pk}.pdf"
        )
        return response


SCHOOL = "parent-slips/<str:school_code>/"
CAMPAIGN = SCHOOL + "<str:campaign_code>/"
CLASS = CAMPAIGN + "<str:assessment_code>/<int:class_id>/"

urlpatterns = [
    path(SCHOOL, SlipsSchoolView.as_view(), name="slips_school"),
    path(CAMPAIGN, SlipsCampaignView.as_view(), name="slips_campaign"),
    path(CLASS, SlipsClassView.as_view(), name="slips_class"),
    path(CLASS + "print/", SlipsPrintView.as_view(), name="slips_print"),
    path(CLASS + "cancel/", SlipsHandoutCancelView.as_view(), name="slips_handout_cancel"),
]

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from vpr_portal.access import get_scoped_or_404
from vpr_portal.params import id_param, text_param
from vpr_portal.tables import read_table
from vpr_portal.uploads import ImportView

from . import audit_labels, selectors, services
from .access import Capability as C
from .access import CapabilityMixin, SchoolMixin, roles_with, schools_with
from .forms import PupilForm, RelativeForm, RoleGrantForm, SchoolForm, StaffForm
from .importers import parse_pupils, parse_schools
from .models import Department, Pupil, Staff


class SchoolListView(CapabilityMixin, ListView):
    capability = C.VIEW_SCHOOL
    template_name = "schools/school_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return selectors.school_list_for(self.request.user, search=text_param(self.request.GET, "q"))


class SchoolDetailView(SchoolMixin, TemplateView):
    capability = C.VIEW_SCHOOL
    template_name = "schools/school_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["classes"] = selectors.classes_of(school=self.school)
        context["may_edit"] = self.can(C.EDIT_SCHOOL, self.school)
        context["may_read_names"] = self.can(C.READ_PUPILS, self.school)
        return context


class SchoolEditView(SchoolMixin, View):
    capability = C.EDIT_SCHOOL

    def get(self, request, school_code):
        return self.show(SchoolForm(instance=self.school))

    def post(self, request, school_code):
        # ModelForm validation writes the submitted values into its instance: give it a copy, so that
        # self.school stays as stored (the heading of a refused form) and the service sees what changed
        form = SchoolForm(request.POST, instance=copy.copy(self.school))
        if not form.is_valid():
            return self.show(form)
        services.school_update(school=self.school, data=form.cleaned_data, actor=request.user)
        messages.success(request, _("Сведения о школе сохранены."))
        return redirect("schools:school_detail", school_code=self.school.code)

    def show(self, form):
        return render(self.request, "schools/school_form.html", {"form": form, "school": self.school})


class ClassListView(SchoolMixin, TemplateView):
    capability = C.VIEW_SCHOOL
    template_name = "schools/class_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["classes"] = selectors.classes_of(school=self.school)
        return context


class PupilListView(SchoolMixin, ListView):
    """The list of pupils' names: only inside the school (R11); every opening is recorded."""

    capability = C.READ_PUPILS
    template_name = "schools/pupil_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.search = text_param(self.request.GET, "q")
        self.class_id = id_param(self.request.GET, "class")
        return selectors.pupil_list(
            user=self.request.user, school=self.school, search=self.search, class_id=self.class_id
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            search=self.search,
            class_id=self.class_id,
            classes=selectors.classes_of(school=self.school),
            may_edit=self.can(C.EDIT_PUPILS, self.school),
        )
        services.pupil_list_viewed(
            school=self.school, actor=self.request.user, search=self.search, page=context["page_obj"].number
        )
        return context


class PupilDetailView(SchoolMixin, TemplateView):
    capability = C.READ_PUPILS
    template_name = "schools/pupil_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pupil = get_scoped_or_404(
            selectors.pupils_visible_to(self.request.user).filter(school=self.school).select_related("school_class"),
            pk=self.kwargs["pk"],
        )
        services.audit_record(
            actor=self.request.user, action="pupil.viewed", target=pupil, target_label=pupil.anonymous_label
        )
        context.update(
            pupil=pupil,
            may_edit=self.can(C.EDIT_PUPILS, self.school),
            relatives=pupil.relatives_on_staff.select_related("staff"),
        )
        return context


class PupilEditView(SchoolMixin, View):
    capability = C.EDIT_PUPILS

    def get_pupil(self):
        if "pk" not in self.kwargs:
            return Pupil(school=self.school)
        return get_scoped_or_404(
            selectors.pupils_visible_to(self.request.user).filter(school=self.school), pk=self.kwargs["pk"]
        )

    def get(self, request, school_code, pk=None):
        return self.show(PupilForm(instance=self.get_pupil(), school=self.school))

    def post(self, request, school_code, pk=None):
        form = PupilForm(request.POST, instance=self.get_pupil(), school=self.school)
        if not form.is_valid():
            return self.show(form)
        try:
            pupil = services.pupil_save(pupil=form.instance, actor=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form)
        messages.success(request, _("Сведения об обучающемся сохранены."))
        return redirect("schools:pupil_detail", school_code=self.school.code, pk=pupil.pk)

    def show(self, form):
        return render(self.request, "schools/pupil_form.html", {"form": form, "school": self.school})


class SchoolImportView(CapabilityMixin, ImportView):
    capability = C.IMPORT_SCHOOLS
    purpose = "schools"

    def department(self):
        ids = self.user.department_ids_with_role(*roles_with(self.capability))
        department = Department.objects.filter(pk__in=ids).order_by("pk").first()
        if department is None:
            raise PermissionDenied
        return department

    def parse(self, name, data):
        return parse_schools(read_table(data, name))

    def preview(self, records):
        return services.schools_import_preview(records=records, department=self.department())

    def apply(self, records):
        return services.schools_import(records=records, department=self.department(), actor=self.user)

    def done_url(self):
        return reverse("schools:school_list")


class PupilImportView(SchoolMixin, ImportView):
    capability = C.IMPORT_PUPILS
    purpose = "pupils"

    def import_context(self):
        return {"school": self.school.code}

    def restore(self, context):
        self.school = schools_with(self.user, self.capability).get(code=context["school"])

    def parse(self, name, data):
        return parse_pupils(read_table(data, name))

    def preview(self, records):
        return services.pupils_import_preview(school=self.school, records=records)

    def apply(self, records):
        return services.pupils_import(school=self.school, records=records, actor=self.user)

    def done_url(self):
        return reverse("schools:pupil_list", kwargs={"school_code": self.school.code})


class StaffListView(SchoolMixin, ListView):
    capability = C.VIEW_STAFF
    template_name = "schools/staff_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.search = text_param(self.request.GET, "q")
        return selectors.staff_list(user=self.request.user, school=self.school, search=self.search)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["search"] = self.search
        context["may_edit"] = self.can(C.EDIT_STAFF, self.school)
        return context


class StaffEditView(SchoolMixin, View):
    capability = C.EDIT_STAFF

    def get_staff(self):
        if "pk" not in self.kwargs:
            return Staff(school=self.school)
        return get_scoped_or_404(
            selectors.staff_visible_to(self.request.user).filter(school=self.school), pk=self.kwargs["pk"]
        )

    def get(self, request, school_code, pk=None):
        staff = self.get_staff()
        return self.show(StaffForm(instance=staff, school=self.school), staff)

    def post(self, request, school_code, pk=None):
        staff = self.get_staff()
        form = StaffForm(request.POST, instance=staff, school=self.school)
        if not form.is_valid():
            return self.show(form, staff)
        subject = form.cleaned_data.get("load_subject")
        try:
            services.staff_save(
                staff=form.instance,
                actor=request.user,
                subjects=form.cleaned_data["subjects"],
                loads=[(c, subject) for c in form.cleaned_data["loads"]],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.show(form, staff)
        messages.success(request, _("Сведения о сотруднике сохранены."))
        return redirect("schools:staff_list", school_code=self.school.code)

    def show(self, form, staff):
        relatives = staff.relatives.select_related("pupil__school_class") if staff.pk else []
        relative_form = (
            RelativeForm(
                pupils=selectors.pupils_visible_to(self.request.user).filter(school=self.school, is_active=True)
            )
            if staff.pk
            else None
        )
        return render(
            self.request,
            "schools/staff_form.html",
            {
                "form": form,
                "school": self.school,
                "staff": staff,
                "relatives": relatives,
                "relative_form": relative_form,
            },
        )


class RelativeView(SchoolMixin, View):
    """Declaring and removing a staff member's close relatives among the pupils (R5)."""

    capability = C.EDIT_STAFF

    def post(self, request, school_code, pk):
        staff = get_scoped_or_404(selectors.staff_visible_to(request.user).filter(school=self.school), pk=pk)
        back = redirect("schools:staff_edit", school_code=self.school.code, pk=staff.pk)
        if "remove" in request.POST:
            relative = get_scoped_or_404(staff.relatives.all(), pk=request.POST["remove"])
            services.relative_remove(relative=relative, actor=request.user)
            messages.success(request, _("Родство удалено."))
            return back
        form = RelativeForm(request.POST, pupils=selectors.pupils_visible_to(request.user).filter(school=self.school))
        if not form.is_valid():
            messages.error(request, _("Выберите обучающегося и степень родства."))
            return back
        try:
            services.relative_declare(
                staff=staff,
                pupil=form.cleaned_data["pupil"],
                relation=form.cleaned_data["relation"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return back
        messages.success(request, _("Родство записано."))
        return back


class AuditListView(CapabilityMixin, ListView):
    capability = C.VIEW_AUDIT
    template_name = "schools/audit_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.visible = selectors.audit_visible_to(self.request.user)
        self.filters = {name: text_param(self.request.GET, name) for name in ("kind", "action", "type", "target")}
        self.school_code = text_param(self.request.GET, "school")
        entries = selectors.audit_filtered(
            self.visible,
            user=self.request.user,
            kind=self.filters["kind"],
            action=self.filters["action"],
            target_type=self.filters["type"],
            target=self.filters["target"],
        )
        if self.school_code:
            entries = entries.filter(school__code=self.school_code)
        return entries

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Rows are rendered for their reader: the department never gets text a school typed (R11).
        context["rows"] = [selectors.audit_row(entry, user=self.request.user) for entry in context["page_obj"]]
        context.update(
            filters=self.filters,
            school_code=self.school_code,
            action_groups=audit_labels.ACTION_GROUPS,
            target_types=selectors.audit_target_types(self.visible),
        )
        return context


class NotificationListView(CapabilityMixin, ListView):
    """The user's own notices; opening the list marks them read."""

    capability = C.READ_NOTIFICATIONS
    template_name = "schools/notification_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return selectors.notifications_of(self.request.user)

    def post(self, request):
        services.notifications_mark_read(user=request.user)
        messages.success(request, _("Все уведомления отмечены прочитанными."))
        return redirect("schools:notification_list")


class PeopleListView(CapabilityMixin, ListView):
    """Who holds which role: the department's whole municipality, a school's managers their school."""

    capability = C.MANAGE_PEOPLE
    template_name = "schools/people_list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.search = text_param(self.request.GET, "q")
        return selectors.people_list(user=self.request.user, search=self.search)

    def get_context_data(self, **kwargs):
        may_reset = self.can(C.RESET_SECOND_FACTOR)
        return super().get_context_data(search=self.search, may_reset_second_factor=may_reset, **kwargs)

    def post(self, request):
        membership = get_scoped_or_404(
            selectors.memberships_manageable_by(request.user), pk=request.POST.get("withdraw")
        )
        try:
            services.role_withdraw(actor=request.user, membership=membership)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Роль снята."))
        return redirect("schools:people_list")


class RoleGrantView(CapabilityMixin, View):
    capability = C.MANAGE_PEOPLE

    def form(self, data=None):
        roles, schools = selectors.grantable_choices(self.request.user)
        return RoleGrantForm(data, roles=roles, schools=schools)

    def get(self, request):
        return render(request, "schools/role_grant.html", {"form": self.form()})

    def post(self, request):
        from django.contrib.auth.forms import PasswordResetForm

        form = self.form(request.POST)
        if not form.is_valid():
            return render(request, "schools/role_grant.html", {"form": form})
        data = form.cleaned_data
        department_ids = request.user.department_ids_with_role(*roles_with(self.capability))
        department = (
            Department.objects.filter(pk__in=department_ids).order_by("pk").first() if not data["school"] else None
        )
        try:
            user, created = services.role_grant(
                actor=request.user,
                role=data["role"],
                school=data["school"],
                department=department,
                username=data["username"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                email=data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "schools/role_grant.html", {"form": form})
        if created and user.email:
            reset = PasswordResetForm({"email": user.email})
            if reset.is_valid():
                reset.save(
                    request=request,
                    use_https=request.is_secure(),
                    email_template_name="registration/password_reset_email.html",
                    subject_template_name="registration/password_reset_subject.txt",
                )
        messages.success(
            request,
            _("Роль назначена: {name}.").format(name=user.full_name or user.username)
            + (
                " " + _("Ссылка для установки пароля отправлена на {email}.").format(email=user.email)
                if created and user.email
                else ""
            ),
        )
        return redirect("schools:people_list")

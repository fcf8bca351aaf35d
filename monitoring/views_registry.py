"""The department's registry of public observers and representatives (MANAGE_OBSERVERS)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from monitoring import registry
from monitoring.assignments import persons_managed_by
from monitoring.forms_registry import PersonCreateForm, PersonForm, RelativeForm
from monitoring.models import Person
from schools.access import Capability as C
from schools.access import CapabilityMixin
from schools.models import School
from vpr_portal.access import get_scoped_or_404
from vpr_portal.params import id_param, text_param


class RegistryListView(CapabilityMixin, ListView):
    """The registry: search by name or organisation, filter by kind and state, a page at a time."""

    capability = C.MANAGE_OBSERVERS
    template_name = "monitoring/registry/list.html"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        self.filters = registry.RegistryFilters(
            search=text_param(self.request.GET, "q"),
            kind=text_param(self.request.GET, "kind"),
            active=text_param(self.request.GET, "active"),
        )
        return registry.registry_of(self.request.user, self.filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filters=self.filters, kinds=Person.Kind.choices, **kwargs)


def _send_password_link(request, user) -> None:
    reset = PasswordResetForm({"email": user.email})
    if reset.is_valid():
        reset.save(
            request=request,
            use_https=request.is_secure(),
            email_template_name="registration/password_reset_email.html",
            subject_template_name="registration/password_reset_subject.txt",
        )


class PersonCreateView(CapabilityMixin, View):
    """A new entry of the registry with its account."""

    capability = C.MANAGE_OBSERVERS

    def department(self):
        return registry.registry_departments(self.request.user).first()

    def form(self, data=None):
        department = self.department()
        schools = School.objects.filter(department=department).order_by("code")
        return PersonCreateForm(data, schools=schools)

    def get(self, request):
        return render(request, "monitoring/registry/create.html", {"form": self.form()})

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return render(request, "monitoring/registry/create.html", {"form": form})
        try:
            person, created = registry.person_create(
                department=self.department(), actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return render(request, "monitoring/registry/create.html", {"form": form})
        if created and person.user.email:
            _send_password_link(request, person.user)
        messages.success(
            request,
            _("{name} внесен(а) в реестр.").format(name=person.user.full_name)
            + (
                " " + _("Ссылка для установки пароля отправлена на {email}.").format(email=person.user.email)
                if created and person.user.email
                else ""
            ),
        )
        return redirect("monitoring:person", person.pk)


class PersonMixin(CapabilityMixin):
    """A page about one registry entry of the user's municipality (another's: 404)."""

    capability = C.MANAGE_OBSERVERS

    def resolve(self, **kwargs) -> None:
        self.person = get_scoped_or_404(
            persons_managed_by(self.viewer).select_related("user", "department", "workplace_school"), pk=kwargs["pk"]
        )

    def schools(self):
        return School.objects.filter(department_id=self.person.department_id).order_by("code")

    def page(self, request, *, form=None, relative_form=None, status=200):
        person = self.person
        if form is None:
            initial = {
                "last_name": person.user.last_name,
                "first_name": person.user.first_name,
                "middle_name": person.user.middle_name,
                "email": person.user.email,
                "kind": person.kind,
                "identity_document": person.identity_document,
                "organisation": person.organisation,
                "phone": person.phone,
                "workplace_school": person.workplace_school,
            }
            form = PersonForm(initial=initial, schools=self.schools())
        context = {
            "person": person,
            "form": form,
            "relative_form": relative_form or RelativeForm(schools=self.schools()),
            "relatives": registry.relatives_of(person),
            "instruction": registry.registry_of(request.user).filter(pk=person.pk).first(),
            "assignments": person.assignments.select_related("sitting__school", "sitting__assessment").order_by(
                "-sitting__date", "sitting__lesson", "pk"
            )[:20],
        }
        return render(request, "monitoring/registry/person.html", context, status=status)


class PersonView(PersonMixin, View):
    """One entry: its data to edit, its declared relatives, its assignments, deactivation."""

    def get(self, request, pk):
        return self.page(request)

    def post(self, request, pk):
        form = PersonForm(request.POST, schools=self.schools())
        if not form.is_valid():
            return self.page(request, form=form, status=400)
        try:
            registry.person_update(person=self.person, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.page(request, form=form, status=400)
        messages.success(request, _("Изменения сохранены."))
        return redirect("monitoring:person", self.person.pk)


class PersonRelativeAddView(PersonMixin, View):
    """Declares a relative among a school's pupils (R5): school, class, relation — never a name."""

    def post(self, request, pk):
        form = RelativeForm(request.POST, schools=self.schools())
        if not form.is_valid():
            return self.page(request, relative_form=form, status=400)
        try:
            registry.person_relative_declare(
                person=self.person,
                school=form.cleaned_data["school"],
                school_class=form.cleaned_data["school_class"],
                relation=form.cleaned_data["relation"],
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.page(request, relative_form=form, status=400)
        messages.success(request, _("Родство записано."))
        return redirect("monitoring:person", self.person.pk)


class PersonRelativeRemoveView(PersonMixin, View):
    def post(self, request, pk):
        relative = get_scoped_or_404(self.person.relatives.all(), pk=id_param(request.POST, "relative"))
        registry.person_relative_remove(relative=relative, actor=request.user)
        messages.success(request, _("Родство снято."))
        return redirect("monitoring:person", self.person.pk)


class PersonDeactivateView(PersonMixin, View):
    """Deactivation asks to confirm first; reactivation restores the entry and its role."""

    def get(self, request, pk):
        return render(request, "monitoring/registry/deactivate.html", {"person": self.person})

    def post(self, request, pk):
        try:
            if request.POST.get("action") == "reactivate":
                registry.person_reactivate(person=self.person, actor=request.user)
                messages.success(request, _("Запись снова действует."))
            else:
                registry.person_deactivate(person=self.person, actor=request.user)
                messages.success(request, _("Запись деактивирована: вход в разделы наблюдения закрыт."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("monitoring:person", self.person.pk)

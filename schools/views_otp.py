"""Pages of the second factor: enrolment, verification after log-in, recovery codes, the department's reset."""

from base64 import b32encode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_otp import login as otp_login

from . import otp
from .access import Capability, CapabilityMixin
from .forms_otp import EnrolCodeForm, SecondFactorCodeForm


def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return "/"


class OtpEnrolView(View):
    """Set up an authenticator app: the QR code and the secret as text, confirmed by a code from the app.
    The ten recovery codes are shown once, right after."""

    template_name = "schools/otp/enrol.html"

    def page(self, request, form):
        device = otp.totp_device_pending(user=request.user)
        context = {
            "form": form,
            "qr_svg": otp.qr_svg(device.config_url),
            "secret": b32encode(device.bin_key).decode(),
            "next": _next_url(request),
            "replacing": otp.has_second_factor(request.user),
        }
        return render(request, self.template_name, context)

    def get(self, request):
        return self.page(request, EnrolCodeForm())

    def post(self, request):
        form = EnrolCodeForm(request.POST)
        if not form.is_valid():
            return self.page(request, form)
        device = otp.totp_device_pending(user=request.user)
        codes = otp.totp_device_confirm(device=device, token=form.cleaned_data["token"])
        if codes is None:
            form.add_error("token", _("Код не подошёл. Проверьте время на телефоне и введите новый код."))
            return self.page(request, form)
        otp_login(request, device)
        messages.success(request, _("Второй фактор подключён."))
        return render(request, "schools/otp/recovery_codes.html", {"codes": codes, "next": _next_url(request)})


class OtpVerifyView(View):
    """The code after the password: from the app, or a recovery code (each works once)."""

    template_name = "schools/otp/verify.html"

    def get(self, request):
        if not otp.has_second_factor(request.user):
            return redirect("otp_enrol")
        return render(request, self.template_name, {"form": SecondFactorCodeForm(), "next": _next_url(request)})

    def post(self, request):
        form = SecondFactorCodeForm(request.POST)
        if form.is_valid():
            device = otp.verify_second_factor(user=request.user, token=form.cleaned_data["token"])
            if device is not None:
                otp_login(request, device)
                if device.name == otp.RECOVERY_NAME:
                    messages.warning(request, _("Вход по коду восстановления: этот код больше не действует."))
                return redirect(_next_url(request))
            form.add_error("token", _("Код не подошёл."))
        return render(request, self.template_name, {"form": form, "next": _next_url(request)})


class RecoveryCodesView(View):
    """New recovery codes on request (the old ones stop working); shown once."""

    def get(self, request):
        return render(request, "schools/otp/recovery_codes.html", {"codes": None})

    def post(self, request):
        if not otp.has_second_factor(request.user):
            return redirect("otp_enrol")
        codes = otp.recovery_codes_generate(user=request.user)
        return render(request, "schools/otp/recovery_codes.html", {"codes": codes, "next": "/"})


class OtpResetView(CapabilityMixin, View):
    """The department removes a person's second factor (a lost phone); they enrol again at next log-in."""

    capability = Capability.RESET_SECOND_FACTOR

    def get(self, request, user_id):
        person = get_object_or_404(otp.users_resettable_by(request.user), pk=user_id)
        return render(
            request, "schools/otp/reset.html", {"person": person, "has_device": otp.has_second_factor(person)}
        )

    def post(self, request, user_id):
        person = get_object_or_404(otp.users_resettable_by(request.user), pk=user_id)
        otp.second_factor_reset(user=person, actor=request.user)
        messages.success(request, _("Второй фактор пользователя {name} сброшен.").format(name=person.username))
        return redirect("schools:people_list")

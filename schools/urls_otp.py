"""The second factor's own pages, under /accounts/otp/ beside log-in (names without a namespace, like login)."""

from django.urls import path

from . import views_otp

urlpatterns = [
    path("setup/", views_otp.OtpEnrolView.as_view(), name="otp_enrol"),
    path("verify/", views_otp.OtpVerifyView.as_view(), name="otp_verify"),
    path("recovery-codes/", views_otp.RecoveryCodesView.as_view(), name="otp_recovery_codes"),
]

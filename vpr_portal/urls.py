from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", include("schools.urls_home")),  # each role lands on its own start page
    path("health/", views.health, name="health"),
    path("no-role/", views.no_role, name="no_role"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", include("schools.urls_otp")),  # second factor: enrol, verify, recovery codes
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("schools/", include("schools.urls")),
    path("procedures/", include("procedures.urls")),
    path("grading/", include("grading.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("reports/", include("reports.urls")),
]

handler403 = "vpr_portal.views.permission_denied"
handler404 = "vpr_portal.views.page_not_found"
handler500 = "vpr_portal.views.server_error"

from django.urls import path

from . import views, views_otp

app_name = "schools"

urlpatterns = [
    path("", views.SchoolListView.as_view(), name="school_list"),
    path("import/", views.SchoolImportView.as_view(), name="school_import"),
    path("audit/", views.AuditListView.as_view(), name="audit_list"),
    path("people/", views.PeopleListView.as_view(), name="people_list"),
    path("people/grant/", views.RoleGrantView.as_view(), name="role_grant"),
    path("people/<int:user_id>/second-factor/reset/", views_otp.OtpResetView.as_view(), name="otp_reset"),
    path("notifications/", views.NotificationListView.as_view(), name="notification_list"),
    path("<str:school_code>/", views.SchoolDetailView.as_view(), name="school_detail"),
    path("<str:school_code>/edit/", views.SchoolEditView.as_view(), name="school_edit"),
    path("<str:school_code>/classes/", views.ClassListView.as_view(), name="class_list"),
    path("<str:school_code>/pupils/", views.PupilListView.as_view(), name="pupil_list"),
    path("<str:school_code>/pupils/new/", views.PupilEditView.as_view(), name="pupil_create"),
    path("<str:school_code>/pupils/import/", views.PupilImportView.as_view(), name="pupil_import"),
    path("<str:school_code>/pupils/<int:pk>/", views.PupilDetailView.as_view(), name="pupil_detail"),
    path("<str:school_code>/pupils/<int:pk>/edit/", views.PupilEditView.as_view(), name="pupil_edit"),
    path("<str:school_code>/staff/", views.StaffListView.as_view(), name="staff_list"),
    path("<str:school_code>/staff/new/", views.StaffEditView.as_view(), name="staff_create"),
    path("<str:school_code>/staff/<int:pk>/", views.StaffEditView.as_view(), name="staff_edit"),
    path("<str:school_code>/staff/<int:pk>/relatives/", views.RelativeView.as_view(), name="staff_relatives"),
]

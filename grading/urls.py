from django.urls import path

from . import views

app_name = "grading"

urlpatterns = [
    path("works/", views.MyWorksView.as_view(), name="my_works"),
]

from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
]

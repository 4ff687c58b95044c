from django.urls import path

from core import apis

urlpatterns = [
    path("jobs/<int:pk>/", apis.JobDetailApi.as_view(), name="api-job-detail"),
]

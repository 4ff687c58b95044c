from django.urls import include, path

from core import apis

urlpatterns = [
    path("jobs/<int:pk>/", apis.JobDetailApi.as_view(), name="api-job-detail"),
    path("", include("core.apis_webhooks")),
]

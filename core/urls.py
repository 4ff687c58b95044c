from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set-language"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path(
        "webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/redeliver/",
        views.webhook_redeliver_page,
        name="webhook-redeliver",
    ),
]

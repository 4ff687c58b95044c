from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.generics import RetrieveAPIView

from core.models import Job


class JobSerializer(serializers.ModelSerializer[Job]):
    percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "description",
            "status",
            "total",
            "processed",
            "succeeded",
            "failed",
            "percent",
            "result",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
        ]


class JobDetailApi(RetrieveAPIView[Job]):
    """Progress of a background job (imports, batch pick creation)."""

    serializer_class = JobSerializer

    def get_queryset(self) -> QuerySet[Job]:
        jobs = Job.objects.all()
        user = self.request.user
        if not user.is_superuser:
            jobs = jobs.filter(created_by_id=user.pk)
        return jobs

"""The activity log over the API: supervisors read who changed what, per document or per user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from core.models import ActivityEntry
from core.openapi import PROBLEM
from picking.selectors.activity import activity_entries


class ActivityEntrySerializer(serializers.ModelSerializer[ActivityEntry]):
    class Meta:
        model = ActivityEntry
        fields = [
            "id",
            "at",
            "username",
            "action",
            "operation",
            "object_type",
            "object_id",
            "object_repr",
            "document_type",
            "document_id",
            "document_no",
            "before",
            "after",
        ]


class ActivityListApi(ListAPIView[ActivityEntry]):
    """Who created, changed, posted or deleted which pick, line or item tracking line, with what before and
    after; newest first; only at your locations. Supervisors."""

    serializer_class = ActivityEntrySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[ActivityEntry]:
        params = self.request.query_params
        document_id = params.get("document_id", "")
        return activity_entries(
            user=self.request.user,
            document=params.get("document", ""),
            document_type=params.get("document_type", ""),
            document_id=int(document_id) if document_id.isdigit() else None,
            username=params.get("user", ""),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("document", str, description="Number of the document (IPI000001, SO-1001)."),
            OpenApiParameter(
                "document_type", str, description="pick, warehouse_shipment or source_document."
            ),
            OpenApiParameter("document_id", int, description="Id of the document."),
            OpenApiParameter("user", str, description="Username of who made the changes."),
        ],
        responses={200: ActivityEntrySerializer(many=True), 403: PROBLEM},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


urlpatterns = [path("activity/", ActivityListApi.as_view(), name="api-activity-list")]

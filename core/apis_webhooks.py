"""REST API of events for ERPs (docs/api.md, "Events and webhooks"): the cursor feed, webhook subscriptions
(the secret is answered once, on creation), ping, the delivery log and redelivery.

Views only parse, call one service or selector, and render.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import idempotent, refuse_read_only_fields, valid_input
from core.events import FEED_DEFAULT_LIMIT, FEED_TYPES, event_feed
from core.models import Event, WebhookDelivery, WebhookSubscription
from core.openapi import IDEMPOTENCY_KEY, PROBLEM
from core.permissions import ModelPermsForMethod, require_perms
from core.webhooks import (
    deliveries_list,
    event_json,
    webhook_ping,
    webhook_redeliver,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_get,
    webhook_subscription_update,
)

FEED_MAX_LIMIT = 1000

# --- Output --------------------------------------------------------------------------------------------


class EventSerializer(serializers.ModelSerializer[Event]):
    """An event as the feed lists it (and as a webhook receives it: `core.webhooks.event_json`)."""

    class Meta:
        model = Event
        fields = ["id", "type", "occurred_at", "data"]
        read_only_fields = fields


class WebhookSubscriptionSerializer(serializers.ModelSerializer[WebhookSubscription]):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=FEED_TYPES), required=False)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "event_types", "active", "description", "created_at"]
        read_only_fields = ["id", "created_at"]


class WebhookSubscriptionCreatedSerializer(WebhookSubscriptionSerializer):
    """The subscription as created: with its `secret`, answered this once."""

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSubscriptionSerializer.Meta.read_only_fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    event_type = serializers.CharField(source="event.type", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "event_type",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


# --- Input ---------------------------------------------------------------------------------------------


class WebhookSubscriptionInputSerializer(serializers.Serializer[Any]):
    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=FEED_TYPES), required=False, max_length=len(FEED_TYPES)
    )
    active = serializers.BooleanField(required=False, default=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=200)


class WebhookSubscriptionPatchSerializer(WebhookSubscriptionInputSerializer):
    url = serializers.URLField(max_length=2000, required=False)
    active = serializers.BooleanField(required=False)


# --- The feed ------------------------------------------------------------------------------------------


class EventFeedApi(APIView):
    """The event feed, oldest first (commit order): pass `next_cursor` back as `after` to continue."""

    permission_classes = [require_perms("core.view_event")]

    @extend_schema(
        parameters=[
            OpenApiParameter("after", str, description="The `next_cursor` of an earlier answer (opaque)."),
            OpenApiParameter(
                "type", str, description=f"Event types, comma-separated: {', '.join(FEED_TYPES)}."
            ),
            OpenApiParameter(
                "limit",
                int,
                description=f"At most this many events (default {FEED_DEFAULT_LIMIT}, "
                f"at most {FEED_MAX_LIMIT}).",
            ),
        ],
        responses={
            200: inline_serializer(
                "EventFeedPage",
                fields={"results": EventSerializer(many=True), "next_cursor": serializers.CharField()},
            ),
            400: PROBLEM,
        },
    )
    def get(self, request: Request) -> Response:
        params = valid_input(_FeedParamsSerializer, request.query_params)
        page = event_feed(
            after=params.get("after", ""),
            types=[t for t in params.get("type", "").split(",") if t],
            limit=params.get("limit", FEED_DEFAULT_LIMIT),
        )
        return Response({"results": [event_json(e) for e in page.events], "next_cursor": page.next_cursor})


class _FeedParamsSerializer(serializers.Serializer[Any]):
    after = serializers.CharField(required=False, allow_blank=True, max_length=200)
    type = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=FEED_MAX_LIMIT)


# --- Subscriptions -------------------------------------------------------------------------------------


class WebhookListCreateApi(ListAPIView[WebhookSubscription]):
    """Webhook subscriptions; POST creates one and answers its `secret` (shown this once)."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "core.webhooksubscription"
    serializer_class = WebhookSubscriptionSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return WebhookSubscription.objects.order_by("pk")

    @extend_schema(
        request=WebhookSubscriptionInputSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: WebhookSubscriptionCreatedSerializer, 400: PROBLEM, 422: PROBLEM},
    )
    def post(self, request: Request) -> Response:
        def create() -> Response:
            data = valid_input(WebhookSubscriptionInputSerializer, request.data)
            subscription = webhook_subscription_create(user=request.user, **data)
            return Response(
                WebhookSubscriptionCreatedSerializer(subscription).data,
                status=status.HTTP_201_CREATED,
                headers={"Location": reverse("api-webhook-detail", args=[subscription.pk])},
            )

        return idempotent(request, create)


class WebhookDetailApi(APIView):
    """One subscription (without its secret); PATCH changes url, event_types, active, description."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "core.webhooksubscription"

    @extend_schema(responses={200: WebhookSubscriptionSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        return Response(WebhookSubscriptionSerializer(webhook_subscription_get(subscription_id=pk)).data)

    @extend_schema(
        request=WebhookSubscriptionPatchSerializer,
        responses={200: WebhookSubscriptionSerializer, 400: PROBLEM, 404: PROBLEM},
    )
    def patch(self, request: Request, pk: int) -> Response:
        refuse_read_only_fields(
            request.data,
            writable=WebhookSubscriptionPatchSerializer().fields,
            known=[*WebhookSubscriptionCreatedSerializer.Meta.fields],
        )
        data = valid_input(WebhookSubscriptionPatchSerializer, request.data)
        subscription = webhook_subscription_update(subscription_id=pk, user=request.user, **data)
        return Response(WebhookSubscriptionSerializer(subscription).data)

    @extend_schema(responses={204: None, 404: PROBLEM})
    def delete(self, request: Request, pk: int) -> Response:
        webhook_subscription_delete(subscription_id=pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookPingApi(APIView):
    """Send a `ping` event to the subscription now (one attempt): 202 and the delivery."""

    permission_classes = [require_perms("core.change_webhooksubscription")]

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, 404: PROBLEM})
    def post(self, request: Request, pk: int) -> Response:
        delivery = webhook_ping(subscription_id=pk, user=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListApi(ListAPIView[WebhookDelivery]):
    """The deliveries of a subscription, newest first; `?status=` filters."""

    permission_classes = [require_perms("core.view_webhookdelivery")]
    serializer_class = WebhookDeliverySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        params = valid_input(_DeliveryParamsSerializer, self.request.query_params)
        deliveries: QuerySet[WebhookDelivery] = deliveries_list(
            subscription_id=self.kwargs["pk"], status=params.get("status", "")
        )
        return deliveries

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=WebhookDelivery.Status.values)],
        responses={200: WebhookDeliverySerializer(many=True), 404: PROBLEM},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class _DeliveryParamsSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False, allow_blank=True)


class WebhookRedeliverApi(APIView):
    """Send a delivery again (202): it is queued at its event's position with a new 24-hour window."""

    permission_classes = [require_perms("core.change_webhooksubscription")]

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, 404: PROBLEM, 409: PROBLEM})
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        delivery = webhook_redeliver(subscription_id=pk, delivery_id=delivery_id, user=request.user)
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


urlpatterns = [
    path("events/", EventFeedApi.as_view(), name="api-event-feed"),
    path("webhooks/", WebhookListCreateApi.as_view(), name="api-webhook-list"),
    path("webhooks/<int:pk>/", WebhookDetailApi.as_view(), name="api-webhook-detail"),
    path("webhooks/<int:pk>/ping/", WebhookPingApi.as_view(), name="api-webhook-ping"),
    path("webhooks/<int:pk>/deliveries/", WebhookDeliveryListApi.as_view(), name="api-webhook-deliveries"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/",
        WebhookRedeliverApi.as_view(),
        name="api-webhook-redeliver",
    ),
]

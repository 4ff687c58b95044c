"""REST API for picks, posted picks and registered picks (docs/api.md, "Endpoints"; docs/picks.md,
docs/warehouse-shipments.md).

Views parse input, call one service or selector, and render. Services check everything (visibility,
permissions, quantities, numbers) and raise DomainErrors, which core.api renders as problem details.
Permissions per method: reading needs `view_pick`; handling lines `change_pickline` (workers); creating
`add_pick`; posting `post_pick`; deleting picks or lines and post-and-delete-rest are for supervisors.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.db.models import QuerySet
from django.urls import path, reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import idempotent, lines_answer, lines_created, refuse_read_only_fields, valid_input
from core.apis import JobSerializer
from core.exceptions import ErrorCode, NotFoundError
from core.fields import CodeField, QuantityField
from core.openapi import IDEMPOTENCY_KEY, PREFER_MINIMAL, PROBLEM
from core.permissions import ModelPermsForMethod, require_perms
from picking.apis.rows import pick_line_rows, posted_pick_line_rows, registered_pick_line_rows
from picking.models import Pick, PickLine, PostedPick, PostedPickLine, RegisteredPick, RegisteredPickLine
from picking.selectors.pick_lines import pick_line_available_tracking
from picking.selectors.picks import pick_detail, pick_list, posted_pick_detail, posted_pick_list
from picking.selectors.shipments import registered_pick_detail, registered_pick_list
from picking.services.pick_assign import pick_assign, pick_take_next
from picking.services.pick_create import pick_create_from_source
from picking.services.pick_create_batch import picks_create_batch
from picking.services.pick_delete import pick_delete, pick_line_delete
from picking.services.pick_line_assign import pick_line_assign_lot_no, pick_line_assign_serial_nos
from picking.services.pick_line_split import pick_line_split
from picking.services.pick_line_update import UNSET, pick_line_update
from picking.services.pick_post import pick_post, pick_post_and_delete_rest
from picking.services.pick_qty_to_handle import pick_autofill_qty_to_handle, pick_delete_qty_to_handle
from picking.services.pick_register import pick_register, pick_register_and_delete_rest
from picking.services.pick_scan import ScanKind, ScanResult, pick_scan
from picking.services.warehouse_pick_create import warehouse_pick_create

# --- Output -------------------------------------------------------------------------------------


class PickLineSerializer(serializers.ModelSerializer[PickLine]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    quantity = QuantityField(read_only=True)
    qty_handled = QuantityField(read_only=True)
    qty_outstanding = QuantityField(read_only=True)
    qty_to_handle = QuantityField(read_only=True)
    source_line_no = serializers.IntegerField(source="source_line.line_no", read_only=True)
    pair = serializers.IntegerField(
        source="pair_id",
        read_only=True,
        allow_null=True,
        help_text="Warehouse picks: the other line of the pair.",
    )
    shipment_line = serializers.IntegerField(
        source="shipment_line_id",
        read_only=True,
        allow_null=True,
        help_text="Warehouse picks: the shipment line the line picks for.",
    )

    class Meta:
        model = PickLine
        fields = [
            "id",
            "line_no",
            "action",
            "item",
            "bin",
            "quantity",
            "qty_handled",
            "qty_outstanding",
            "qty_to_handle",
            "serial_no",
            "lot_no",
            "expiration_date",
            "tracking_locked",
            "source_line_no",
            "pair",
            "shipment_line",
        ]
        read_only_fields = fields


class PickSummarySerializer(serializers.ModelSerializer[Pick]):
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    assigned_to: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    source_document_no = serializers.CharField(source="source_document.no", read_only=True, allow_null=True)

    class Meta:
        model = Pick
        fields = [
            "id",
            "no",
            "type",
            "location",
            "source_document",
            "source_document_no",
            "status",
            "assigned_to",
            "created_at",
        ]
        read_only_fields = fields


class PickSerializer(PickSummarySerializer):
    lines = PickLineSerializer(many=True, read_only=True)

    class Meta(PickSummarySerializer.Meta):
        fields = [*PickSummarySerializer.Meta.fields, "lines"]
        read_only_fields = fields


class NotPickedSerializer(serializers.Serializer[Any]):
    line_no = serializers.IntegerField()
    item = serializers.CharField(source="item_no")
    quantity = QuantityField()
    reason = serializers.CharField()
    shipment = serializers.CharField(
        source="shipment_no", help_text="Warehouse picks: the shipment of the line (empty otherwise)."
    )


class PickCreatedSerializer(PickSerializer):
    not_picked = serializers.SerializerMethodField()

    class Meta(PickSerializer.Meta):
        fields = [*PickSerializer.Meta.fields, "not_picked"]
        read_only_fields = fields

    @extend_schema(responses=NotPickedSerializer(many=True))
    def get_not_picked(self, pick: Pick) -> list[dict[str, Any]]:
        return list(NotPickedSerializer(self.context.get("not_picked", []), many=True).data)


LINES_HELP = "Every line; left out when the request said `Prefer: return=minimal`."
LINE_COUNT_HELP = "Only with `Prefer: return=minimal`: the number of lines, instead of the lines."


class PickAnswerSerializer(PickSummarySerializer):
    """What an operation on many lines of a pick answers (schema only): the pick with every line, or with
    `Prefer: return=minimal` the number of its lines (`core.api.lines_answer`)."""

    lines = PickLineSerializer(many=True, required=False, help_text=LINES_HELP)
    line_count = serializers.IntegerField(required=False, help_text=LINE_COUNT_HELP)

    class Meta(PickSummarySerializer.Meta):
        fields = [*PickSummarySerializer.Meta.fields, "lines", "line_count"]


class PickCreatedAnswerSerializer(PickAnswerSerializer):
    not_picked = NotPickedSerializer(many=True, read_only=True)

    class Meta(PickAnswerSerializer.Meta):
        fields = [*PickAnswerSerializer.Meta.fields, "not_picked"]


class PostedPickLineSerializer(serializers.ModelSerializer[PostedPickLine]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True
    )
    quantity = QuantityField(read_only=True)
    source_line_no = serializers.IntegerField(source="source_line.line_no", read_only=True)

    class Meta:
        model = PostedPickLine
        fields = [
            "line_no",
            "pick_line_no",
            "item",
            "bin",
            "quantity",
            "serial_no",
            "lot_no",
            "expiration_date",
            "source_line_no",
        ]
        read_only_fields = fields


class PostedPickHeaderSerializer(serializers.ModelSerializer[PostedPick]):
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    posted_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PostedPick
        fields = [
            "id",
            "no",
            "pick_no",
            "location",
            "source_document",
            "posting_date",
            "posted_at",
            "posted_by",
        ]
        read_only_fields = fields


class PostedPickSerializer(PostedPickHeaderSerializer):
    lines = PostedPickLineSerializer(many=True, read_only=True)

    class Meta(PostedPickHeaderSerializer.Meta):
        fields = [*PostedPickHeaderSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class PostedPickAnswerSerializer(PostedPickHeaderSerializer):
    """What posting answers (schema only): the posted pick with every line, or their number."""

    lines = PostedPickLineSerializer(many=True, required=False, help_text=LINES_HELP)
    line_count = serializers.IntegerField(required=False, help_text=LINE_COUNT_HELP)

    class Meta(PostedPickHeaderSerializer.Meta):
        fields = [*PostedPickHeaderSerializer.Meta.fields, "lines", "line_count"]


class RegisteredPickLineSerializer(serializers.ModelSerializer[RegisteredPickLine]):
    item: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="no", read_only=True)
    bin: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="code", read_only=True)
    quantity = QuantityField(read_only=True)
    shipment_line = serializers.IntegerField(source="shipment_line_id", read_only=True, allow_null=True)
    source_line_no = serializers.IntegerField(source="source_line.line_no", read_only=True)

    class Meta:
        model = RegisteredPickLine
        fields = [
            "line_no",
            "pick_line_no",
            "action",
            "item",
            "bin",
            "quantity",
            "serial_no",
            "lot_no",
            "expiration_date",
            "shipment_line",
            "shipment_no",
            "source_line_no",
        ]
        read_only_fields = fields


class RegisteredPickHeaderSerializer(serializers.ModelSerializer[RegisteredPick]):
    location: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    registered_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = RegisteredPick
        fields = [
            "id",
            "no",
            "pick_no",
            "location",
            "posting_date",
            "registered_at",
            "registered_by",
        ]
        read_only_fields = fields


class RegisteredPickSerializer(RegisteredPickHeaderSerializer):
    lines = RegisteredPickLineSerializer(many=True, read_only=True)

    class Meta(RegisteredPickHeaderSerializer.Meta):
        fields = [*RegisteredPickHeaderSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class RegisteredPickAnswerSerializer(RegisteredPickHeaderSerializer):
    """What registering answers (schema only): the registered pick with every line, or their number."""

    lines = RegisteredPickLineSerializer(many=True, required=False, help_text=LINES_HELP)
    line_count = serializers.IntegerField(required=False, help_text=LINE_COUNT_HELP)

    class Meta(RegisteredPickHeaderSerializer.Meta):
        fields = [*RegisteredPickHeaderSerializer.Meta.fields, "lines", "line_count"]


class AvailableNumberSerializer(serializers.Serializer[Any]):
    lot_no = serializers.CharField()
    serial_no = serializers.CharField()
    expiration_date = serializers.DateField(allow_null=True)
    quantity = QuantityField()


# --- Input --------------------------------------------------------------------------------------


def _assignee_field(what: str) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=150,
        help_text=f"Username of a warehouse employee of the location to assign {what} to.",
    )


class PickCreateInputSerializer(serializers.Serializer[Any]):
    source_document = serializers.IntegerField(
        min_value=1, required=False, help_text="Source document id: its inventory pick."
    )
    warehouse_shipments = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=1000,
        help_text="Warehouse shipment ids: one warehouse pick for them all (a wave pick).",
    )

    assigned_to = _assignee_field("the pick")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("source_document" in attrs) == ("warehouse_shipments" in attrs):
            raise serializers.ValidationError(
                {
                    "source_document": serializers.ErrorDetail(
                        _("Give either source_document or warehouse_shipments."), code=ErrorCode.REQUIRED
                    )
                }
            )
        return attrs


class PickBatchInputSerializer(serializers.Serializer[Any]):
    location = CodeField(max_length=10, help_text="Location code.")
    document_type = serializers.CharField(required=False, allow_blank=True, max_length=30)
    no_from = CodeField(required=False, allow_blank=True, max_length=30)
    no_to = CodeField(required=False, allow_blank=True, max_length=30)
    assigned_to = _assignee_field("every pick made")


class PickNextInputSerializer(serializers.Serializer[Any]):
    location = CodeField(
        required=False, allow_blank=True, max_length=10, help_text="Location code (default: any of yours)."
    )


class PickUpdateInputSerializer(serializers.Serializer[Any]):
    assigned_to = serializers.CharField(allow_blank=True, allow_null=True, help_text="Username, or empty.")


class PickLineUpdateInputSerializer(serializers.Serializer[Any]):
    qty_to_handle = QuantityField(required=False)
    serial_no = CodeField(required=False, allow_blank=True, max_length=50)
    lot_no = CodeField(required=False, allow_blank=True, max_length=50)
    bin = CodeField(required=False, allow_blank=True, max_length=20, help_text="Bin code.")


class QuantityInputSerializer(serializers.Serializer[Any]):
    quantity = QuantityField()


class OptionalQuantityInputSerializer(serializers.Serializer[Any]):
    quantity = QuantityField(required=False, allow_null=True)


def pick_data(pick: Pick, **context: Any) -> dict[str, Any]:
    """What `PickSerializer` (with `not_picked` in the context: `PickCreatedSerializer`) answers for the
    pick: the header from the instance, the lines from plain rows (`picking.apis.rows`)."""
    data = dict(PickSummarySerializer(pick).data)
    data["lines"] = pick_line_rows(pick_id=pick.pk)
    if "not_picked" in context:
        data["not_picked"] = list(NotPickedSerializer(context["not_picked"], many=True).data)
    return data


def posted_pick_data(posted: PostedPick) -> dict[str, Any]:
    """What `PostedPickSerializer` answers, the lines from plain rows."""
    data = dict(PostedPickHeaderSerializer(posted).data)
    data["lines"] = posted_pick_line_rows(posted_pick_id=posted.pk)
    return data


def registered_pick_data(registered: RegisteredPick) -> dict[str, Any]:
    """What `RegisteredPickSerializer` answers, the lines from plain rows."""
    data = dict(RegisteredPickHeaderSerializer(registered).data)
    data["lines"] = registered_pick_line_rows(registered_pick_id=registered.pk)
    return data


def pick_response(
    pick_id: int, user: Any, status_code: int = 200, *, request: Request | None = None, **context: Any
) -> Response:
    """The pick as `PickSerializer` answers it (`PickCreatedSerializer` with `not_picked`); with `request`,
    honouring its `Prefer: return=minimal` (`core.api.lines_answer`: the number of lines instead)."""
    pick = pick_detail(pick_id=pick_id, user=user, with_lines=False)
    headers = {}
    if status_code == status.HTTP_201_CREATED or "not_picked" in context:
        headers["Location"] = reverse("api-pick-detail", args=[pick.pk])
        context.setdefault("not_picked", [])
    if request is None:
        return Response(pick_data(pick, **context), status=status_code, headers=headers)
    data, extra = lines_answer(
        request,
        dict(PickSummarySerializer(pick).data),
        rows=partial(pick_line_rows, pick_id=pick.pk),
        count=PickLine.objects.filter(pick_id=pick.pk).count,
    )
    if "not_picked" in context:
        data["not_picked"] = list(NotPickedSerializer(context["not_picked"], many=True).data)
    return Response(data, status=status_code, headers={**headers, **extra})


def _posted_response(posted_pick_id: int, request: Request) -> Response:
    posted = posted_pick_detail(posted_pick_id=posted_pick_id, user=request.user, with_lines=False)
    return lines_created(
        request,
        dict(PostedPickHeaderSerializer(posted).data),
        location=reverse("api-posted-pick-detail", args=[posted.pk]),
        rows=partial(posted_pick_line_rows, posted_pick_id=posted.pk),
        count=PostedPickLine.objects.filter(posted_pick_id=posted.pk).count,
    )


def registeredpick_response(registered_pick_id: int, request: Request) -> Response:
    registered = registered_pick_detail(
        registered_pick_id=registered_pick_id, user=request.user, with_lines=False
    )
    return lines_created(
        request,
        dict(RegisteredPickHeaderSerializer(registered).data),
        location=reverse("api-registered-pick-detail", args=[registered.pk]),
        rows=partial(registered_pick_line_rows, registered_pick_id=registered.pk),
        count=RegisteredPickLine.objects.filter(registered_pick_id=registered.pk).count,
    )


def _check_line_of_pick(pk: int, line_id: int, user: Any) -> None:
    """404 unless the line belongs to the pick (visibility is checked by the service)."""
    if not PickLine.objects.filter(pk=line_id, pick_id=pk).exists():
        raise NotFoundError(_("Pick #%(pick)s has no line #%(line)s.") % {"pick": pk, "line": line_id})


# --- Picks --------------------------------------------------------------------------------------

LIST_PARAMETERS = [
    OpenApiParameter("location", str, description="Location code."),
    OpenApiParameter(
        "status", str, enum=[*Pick.Status.values, "active"], description="`active`: not completed."
    ),
    OpenApiParameter("source_document", int, description="Source document id."),
    OpenApiParameter("assigned_to", str, description="Username; `me` for yourself, `none` for unassigned."),
]


class PickListCreateApi(ListAPIView[Pick]):
    """List picks at your locations, or create the inventory pick of a source document."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.pick"
    serializer_class = PickSummarySerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Pick]:
        params = self.request.query_params
        return pick_list(
            user=self.request.user,
            location=params.get("location") or None,
            status=params.get("status") or None,
            assigned_to=params.get("assigned_to") or None,
            source_document=params.get("source_document") or None,
        )

    @extend_schema(parameters=LIST_PARAMETERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=PickCreateInputSerializer,
        parameters=[IDEMPOTENCY_KEY, PREFER_MINIMAL],
        responses={
            201: PickCreatedAnswerSerializer,
            200: OpenApiResponse(PickCreatedAnswerSerializer, description="Lines added to the open pick."),
            400: PROBLEM,
            404: PROBLEM,
            409: PROBLEM,
            422: PROBLEM,
        },
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        def create() -> Response:
            data = valid_input(PickCreateInputSerializer, request.data)
            assigned_to = data.get("assigned_to") or None
            if "warehouse_shipments" in data:
                result = warehouse_pick_create(
                    shipment_ids=data["warehouse_shipments"], user=request.user, assigned_to=assigned_to
                )
            else:
                result = pick_create_from_source(
                    source_document_id=data["source_document"], user=request.user, assigned_to=assigned_to
                )
            assert result.pick is not None
            return pick_response(
                result.pick.pk,
                request.user,
                status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
                request=request,
                not_picked=result.not_picked,
            )

        return idempotent(request, create)


class PickBatchApi(APIView):
    """ "Create Inventory Picks" for many source documents, as a background job (202 + the job)."""

    permission_classes = [require_perms("picking.add_pick")]

    @extend_schema(
        request=PickBatchInputSerializer, responses={202: JobSerializer, 400: PROBLEM, 404: PROBLEM}
    )
    def post(self, request: Request) -> Response:
        data = valid_input(PickBatchInputSerializer, request.data)
        job = picks_create_batch(
            location_code=data["location"],
            document_type=data.get("document_type") or None,
            no_from=data.get("no_from") or None,
            no_to=data.get("no_to") or None,
            assigned_to=data.get("assigned_to") or None,
            user=request.user,
        )
        job.refresh_from_db()
        return Response(
            JobSerializer(job).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("api-job-detail", args=[job.pk])},
        )


class PickNextApi(APIView):
    """ "Next pick": the oldest open pick nobody is assigned to at your locations, now assigned to you;
    409 `no_pick_waiting` when there is none. Two workers asking at once get different picks."""

    permission_classes = [require_perms("picking.change_pickline")]

    @extend_schema(
        request=PickNextInputSerializer, responses={200: PickSerializer, 403: PROBLEM, 409: PROBLEM}
    )
    def post(self, request: Request) -> Response:
        data = valid_input(PickNextInputSerializer, request.data)
        pick = pick_take_next(user=request.user, location_code=data.get("location") or None)
        return pick_response(pick.pk, request.user)


class PickDetailApi(APIView):
    """One pick with its lines; PATCH assigns it; DELETE (supervisors) deletes it."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.pick"

    @extend_schema(responses={200: PickSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        return pick_response(pk, request.user)

    @extend_schema(
        request=PickUpdateInputSerializer, responses={200: PickSerializer, 400: PROBLEM, 404: PROBLEM}
    )
    def patch(self, request: Request, pk: int) -> Response:
        refuse_read_only_fields(request.data, writable=["assigned_to"], known=PickSerializer.Meta.fields)
        data = valid_input(PickUpdateInputSerializer, request.data)
        pick_assign(pick_id=pk, assigned_to_username=data.get("assigned_to") or None, user=request.user)
        return pick_response(pk, request.user)

    @extend_schema(responses={204: None, 403: PROBLEM, 404: PROBLEM})
    def delete(self, request: Request, pk: int) -> Response:
        pick_delete(pick_id=pk, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PickLineApi(APIView):
    """PATCH: Qty. to Handle, serial or lot number, bin (409 `tracking_locked` on locked lines); DELETE
    (supervisors): the outstanding quantity returns to the source line."""

    permission_classes = [ModelPermsForMethod]
    perm_model = "picking.pickline"

    @extend_schema(
        request=PickLineUpdateInputSerializer,
        responses={200: PickSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def patch(self, request: Request, pk: int, line_id: int) -> Response:
        _check_line_of_pick(pk, line_id, request.user)
        refuse_read_only_fields(
            request.data,
            writable=PickLineUpdateInputSerializer().fields,
            known=PickLineSerializer.Meta.fields,
        )
        data = valid_input(PickLineUpdateInputSerializer, request.data)
        pick_line_update(
            pick_line_id=line_id,
            user=request.user,
            serial_no=data.get("serial_no", UNSET),
            lot_no=data.get("lot_no", UNSET),
            bin_code=data.get("bin", UNSET),
            qty_to_handle=data.get("qty_to_handle", UNSET),
        )
        return pick_response(pk, request.user)

    @extend_schema(responses={204: None, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM})
    def delete(self, request: Request, pk: int, line_id: int) -> Response:
        _check_line_of_pick(pk, line_id, request.user)
        pick_line_delete(pick_line_id=line_id, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PickLineSplitApi(APIView):
    """Split Line: a new line takes `quantity` of the outstanding quantity. Answers the new line."""

    permission_classes = [require_perms("picking.change_pickline")]

    @extend_schema(
        request=QuantityInputSerializer,
        responses={201: PickLineSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int, line_id: int) -> Response:
        _check_line_of_pick(pk, line_id, request.user)
        data = valid_input(QuantityInputSerializer, request.data)
        new = pick_line_split(pick_line_id=line_id, quantity=data["quantity"], user=request.user)
        line = PickLine.objects.select_related("item", "bin", "source_line").get(pk=new.pk)
        return Response(
            PickLineSerializer(line).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api-pick-detail", args=[pk])},
        )


class _PickLineAssignApi(APIView):
    """Case 2: `service` assigns new numbers from the item's series to the line; answers the pick."""

    permission_classes = [require_perms("picking.change_pickline")]
    service: Callable[..., object]

    @extend_schema(
        request=OptionalQuantityInputSerializer,
        responses={200: PickSerializer, 400: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int, line_id: int) -> Response:
        _check_line_of_pick(pk, line_id, request.user)
        data = valid_input(OptionalQuantityInputSerializer, request.data)
        type(self).service(pick_line_id=line_id, quantity=data.get("quantity"), user=request.user)
        return pick_response(pk, request.user)


class PickLineAssignSerialNosApi(_PickLineAssignApi):
    """Case 2: new serial numbers from the item's series; the line becomes one-unit lines."""

    service = staticmethod(pick_line_assign_serial_nos)


class PickLineAssignLotNoApi(_PickLineAssignApi):
    """Case 2: a new lot number from the item's series for the line (or `quantity` of it)."""

    service = staticmethod(pick_line_assign_lot_no)


class PickLineAvailableTrackingApi(APIView):
    """Case 3: the numbers available in the line's bin, with quantity and expiration date."""

    permission_classes = [require_perms("picking.view_pickline")]

    @extend_schema(responses={200: AvailableNumberSerializer(many=True), 404: PROBLEM})
    def get(self, request: Request, pk: int, line_id: int) -> Response:
        _check_line_of_pick(pk, line_id, request.user)
        numbers = pick_line_available_tracking(pick_line_id=line_id, user=request.user)
        return Response(AvailableNumberSerializer(numbers, many=True).data)


class _PickQtyToHandleApi(APIView):
    """Set Qty. to Handle on every line with `service`; answers the pick."""

    permission_classes = [require_perms("picking.change_pickline")]
    service: Callable[..., object]

    @extend_schema(
        request=None, parameters=[PREFER_MINIMAL], responses={200: PickAnswerSerializer, 404: PROBLEM}
    )
    def post(self, request: Request, pk: int) -> Response:
        type(self).service(pick_id=pk, user=request.user)
        return pick_response(pk, request.user, request=request)


class PickAutofillApi(_PickQtyToHandleApi):
    """Autofill Qty. to Handle on every line."""

    service = staticmethod(pick_autofill_qty_to_handle)


class PickDeleteQtyToHandleApi(_PickQtyToHandleApi):
    """Delete Qty. to Handle on every line."""

    service = staticmethod(pick_delete_qty_to_handle)


class PickRegisterApi(APIView):
    """Warehouse picks: register the pairs with Qty. to Handle (the goods move to the shipping bin): 201
    the registered pick; 409 with per-line errors, nothing registered."""

    permission_classes = [require_perms("picking.register_pick")]

    @extend_schema(
        request=None,
        parameters=[PREFER_MINIMAL],
        responses={201: RegisteredPickAnswerSerializer, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        registered = pick_register(pick_id=pk, user=request.user)
        return registeredpick_response(registered.pk, request)


class PickRegisterAndDeleteRestApi(APIView):
    """Supervisors: register what was handled, then delete the rest of the warehouse pick (201 the
    registered pick, or 204 when nothing had a Qty. to Handle and the rest was only deleted)."""

    permission_classes = [require_perms("picking.register_pick", "picking.delete_pick")]

    @extend_schema(
        request=None,
        parameters=[PREFER_MINIMAL],
        responses={201: RegisteredPickAnswerSerializer, 204: None, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        registered = pick_register_and_delete_rest(pick_id=pk, user=request.user)
        if registered is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return registeredpick_response(registered.pk, request)


class PickPostApi(APIView):
    """Post the lines with Qty. to Handle: 201 the posted pick; 409 with per-line errors, nothing posted."""

    permission_classes = [require_perms("picking.post_pick")]

    @extend_schema(
        request=None,
        parameters=[PREFER_MINIMAL],
        responses={201: PostedPickAnswerSerializer, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        posted = pick_post(pick_id=pk, user=request.user)
        return _posted_response(posted.pk, request)


class PickPostAndDeleteRestApi(APIView):
    """Supervisors: post what was handled, then delete the rest of the pick (201 the posted pick, or 204
    when nothing had a Qty. to Handle and the pick was only deleted)."""

    permission_classes = [require_perms("picking.post_pick", "picking.delete_pick")]

    @extend_schema(
        request=None,
        parameters=[PREFER_MINIMAL],
        responses={201: PostedPickAnswerSerializer, 204: None, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        posted = pick_post_and_delete_rest(pick_id=pk, user=request.user)
        if posted is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return _posted_response(posted.pk, request)


# --- Scanning ------------------------------------------------------------------------------------


class PickScanInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        max_length=500,
        help_text="What was scanned: a serial or lot number, a GS1 element string (with the group separator "
        "ASCII 29, or in the human-readable form with parentheses) or Digital Link URI, a GTIN, an item no. "
        "or a bin code.",
    )
    quantity = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=30,
        help_text="Units of a lot (default 1).",
    )
    line_id = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The line chosen after `choose_line`."
    )


class ScanParsedSerializer(serializers.Serializer[Any]):
    gtin = serializers.CharField(required=False)
    lot_no = serializers.CharField(required=False)
    serial_no = serializers.CharField(required=False)
    expiration_date = serializers.DateField(required=False)
    quantity = QuantityField(required=False)
    bin = serializers.CharField(required=False)


class ScanResultSerializer(serializers.Serializer[Any]):
    result = serializers.ChoiceField(choices=[k.value for k in ScanKind], source="kind")
    line = PickLineSerializer(allow_null=True)
    lines = PickLineSerializer(many=True)
    parsed = serializers.SerializerMethodField()
    detail = serializers.CharField(source="message")

    @extend_schema_field(ScanParsedSerializer)
    def get_parsed(self, result: ScanResult) -> dict[str, Any]:
        return dict(ScanParsedSerializer(result.parsed.as_dict()).data)


class PickScanApi(APIView):
    """Read a scan on the pick (the same service as the pick page's scan box): 200 with what it did
    (`line_updated`, `bin_confirmed`, `choose_line`: send the code again with `line_id`); 409 with the
    reason and nothing changed."""

    permission_classes = [require_perms("picking.change_pickline")]
    # a GS1 element string separates its variable-length fields with the group separator (ASCII 29)
    json_control_characters_allowed = "\x1d"

    @extend_schema(
        request=PickScanInputSerializer,
        responses={200: ScanResultSerializer, 400: PROBLEM, 403: PROBLEM, 404: PROBLEM, 409: PROBLEM},
    )
    def post(self, request: Request, pk: int) -> Response:
        data = valid_input(PickScanInputSerializer, request.data)
        result = pick_scan(
            pick_id=pk,
            code=data["code"],
            quantity=data.get("quantity"),
            line_id=data.get("line_id"),
            user=request.user,
        )
        return Response(ScanResultSerializer(result).data)


# --- Posted picks -------------------------------------------------------------------------------


class PostedPickListApi(ListAPIView[PostedPick]):
    permission_classes = [require_perms("picking.view_postedpick")]
    serializer_class = PostedPickSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[PostedPick]:
        params = self.request.query_params
        return posted_pick_list(
            user=self.request.user,
            source_document=params.get("source_document") or None,
            pick_no=params.get("pick_no") or None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("source_document", int, description="Source document id."),
            OpenApiParameter("pick_no", str, description="Number of the pick that was posted."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PostedPickDetailApi(APIView):
    permission_classes = [require_perms("picking.view_postedpick")]

    @extend_schema(responses={200: PostedPickSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        posted = posted_pick_detail(posted_pick_id=pk, user=request.user, with_lines=False)
        return Response(posted_pick_data(posted))


# --- Registered picks ---------------------------------------------------------------------------


class RegisteredPickListApi(ListAPIView[RegisteredPick]):
    """Registered warehouse picks at your locations, newest first."""

    permission_classes = [require_perms("picking.view_registeredpick")]
    serializer_class = RegisteredPickSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[RegisteredPick]:
        params = self.request.query_params
        return registered_pick_list(
            user=self.request.user,
            pick_no=params.get("pick_no") or None,
            shipment=params.get("shipment") or None,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("pick_no", str, description="Number of the warehouse pick that was registered."),
            OpenApiParameter("shipment", int, description="Warehouse shipment id."),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class RegisteredPickDetailApi(APIView):
    permission_classes = [require_perms("picking.view_registeredpick")]

    @extend_schema(responses={200: RegisteredPickSerializer, 404: PROBLEM})
    def get(self, request: Request, pk: int) -> Response:
        registered = registered_pick_detail(registered_pick_id=pk, user=request.user, with_lines=False)
        return Response(registered_pick_data(registered))


urlpatterns = [
    path("picks/", PickListCreateApi.as_view(), name="api-pick-list"),
    path("picks/batch/", PickBatchApi.as_view(), name="api-pick-batch"),
    path("picks/next/", PickNextApi.as_view(), name="api-pick-next"),
    path("picks/<int:pk>/", PickDetailApi.as_view(), name="api-pick-detail"),
    path("picks/<int:pk>/autofill-qty-to-handle/", PickAutofillApi.as_view(), name="api-pick-autofill"),
    path(
        "picks/<int:pk>/delete-qty-to-handle/",
        PickDeleteQtyToHandleApi.as_view(),
        name="api-pick-delete-qty-to-handle",
    ),
    path("picks/<int:pk>/post/", PickPostApi.as_view(), name="api-pick-post"),
    path(
        "picks/<int:pk>/post-and-delete-rest/",
        PickPostAndDeleteRestApi.as_view(),
        name="api-pick-post-and-delete-rest",
    ),
    path("picks/<int:pk>/register/", PickRegisterApi.as_view(), name="api-pick-register"),
    path(
        "picks/<int:pk>/register-and-delete-rest/",
        PickRegisterAndDeleteRestApi.as_view(),
        name="api-pick-register-and-delete-rest",
    ),
    path("picks/<int:pk>/lines/<int:line_id>/", PickLineApi.as_view(), name="api-pick-line"),
    path("picks/<int:pk>/lines/<int:line_id>/split/", PickLineSplitApi.as_view(), name="api-pick-line-split"),
    path(
        "picks/<int:pk>/lines/<int:line_id>/assign-serial-nos/",
        PickLineAssignSerialNosApi.as_view(),
        name="api-pick-line-assign-serial-nos",
    ),
    path(
        "picks/<int:pk>/lines/<int:line_id>/assign-lot-no/",
        PickLineAssignLotNoApi.as_view(),
        name="api-pick-line-assign-lot-no",
    ),
    path(
        "picks/<int:pk>/lines/<int:line_id>/available-tracking/",
        PickLineAvailableTrackingApi.as_view(),
        name="api-pick-line-available-tracking",
    ),
    path("picks/<int:pk>/scan/", PickScanApi.as_view(), name="api-pick-scan"),
    path("registered-picks/", RegisteredPickListApi.as_view(), name="api-registered-pick-list"),
    path("registered-picks/<int:pk>/", RegisteredPickDetailApi.as_view(), name="api-registered-pick-detail"),
    path("posted-picks/", PostedPickListApi.as_view(), name="api-posted-pick-list"),
    path("posted-picks/<int:pk>/", PostedPickDetailApi.as_view(), name="api-posted-pick-detail"),
]

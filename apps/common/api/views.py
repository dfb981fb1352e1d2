"""The base every resource viewset inherits, and the API root.

A resource viewset is a declaration (``queryset``, ``serializer_class``, ``filterset_class``);
this base adds what every resource shares: natural-key detail URLs, selecting and
prefetching what the serializer shows, hiding drafts from everyone but editors and
reviewers (a draft is a 404, not a 403), ETags with ``If-Match`` required on every change and
delete, the bookkeeping and history user of every write, and CSV output.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from django.urls import URLResolver, get_resolver
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from apps.common.api.compiled import CompiledPage, detail_key, list_key, read_page
from apps.common.api.parsers import JSONParser
from apps.common.api.renderers import CSVRenderer, ORJSONRenderer
from apps.common.api.rows import plan_for
from apps.common.api.serializers import ChangesSerializer
from apps.common.changes import changes_since
from apps.common.compiled import PLACEHOLDERS, CompiledRead, kept
from apps.common.conflicts import run_in_transaction
from apps.common.meta import BOOKKEEPING
from apps.common.roles import refresh_sees_drafts, sees_drafts

MAX_ID = 2**63 - 1

EXPAND_PARAMETER = OpenApiParameter(
    "expand",
    OpenApiTypes.STR,
    description="Comma-separated relation fields to show as the related record instead of its natural key.",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description=(
        "The ETag of the record as the client last read it (the ETag header of a GET). Required: "
        "without it the answer is 428; a stale one gets 412. `*` writes whatever the record now is."
    ),
)


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it; fetch it again and reapply your change."
    default_code = "precondition_failed"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        "If-Match required: send the ETag you read (the ETag header of a GET of this record) as If-Match, "
        "so that a change made since is not overwritten."
    )
    default_code = "precondition_required"


class RecordInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Other records refer to this one; delete them or point them elsewhere first."
    default_code = "record_in_use"


def etag_for(instance):
    """A strong validator that changes whenever the record is saved (``version`` goes up)."""
    return etag_of(instance.pk, instance.version)


def etag_of(pk, version):
    return f'"{pk}-{version}"'


def _matches(header, instance):
    return _matches_etag(header, etag_for(instance))


def _matches_etag(header, etag):
    tags = {tag.strip() for tag in header.split(",")}
    return "*" in tags or etag in tags


class RequestScopedAnswers:
    """Answers kept on the user for one request (may they see drafts?) are worked out anew
    at the start of each request."""

    def initial(self, request, *args, **kwargs):
        refresh_sees_drafts(request.user)
        super().initial(request, *args, **kwargs)


class BaseAPIView(RequestScopedAnswers, APIView):
    """The base of the API views that answer a question rather than serve a resource."""


class BaseViewSet(RequestScopedAnswers, viewsets.ModelViewSet):
    renderer_classes = [ORJSONRenderer, CSVRenderer]
    # JSON bodies read at any depth, so that a value nested too deep is refused by its field.
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        serializer_class = cls.__dict__.get("serializer_class")
        if serializer_class is None:
            return
        cls.lookup_field = serializer_class.Meta.lookup_field
        cls.lookup_value_regex = r"\d+" if cls.lookup_field == "pk" else r"[^/]+"
        model = serializer_class.Meta.model
        if "ordering_fields" not in cls.__dict__:
            cls.ordering_fields = [
                field.name
                for field in model._meta.concrete_fields
                if not field.is_relation
                and (field.name not in BOOKKEEPING or field.name.endswith("_at"))
                and field.name not in getattr(model, "EDITORS_ONLY", ())
            ]

    # --- who sees what -------------------------------------------------------------------

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        user = self.request.user if self.request else None
        return self.get_serializer_class().optimize(queryset.visible_to(user), user=user)

    def lookup_key(self):
        """The record's key as the URL gives it, normalised; 404 when it cannot be one."""
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if "\x00" in value:
            raise Http404
        if self.lookup_field == "pk":
            if not value.isdigit() or int(value) > MAX_ID:
                raise Http404
            return int(value)
        return self.get_serializer_class().Meta.model.normalize_natural_key((value,))[0]

    def get_object(self):
        key = self.lookup_key()
        model = self.get_serializer_class().Meta.model
        queryset = self.get_queryset()
        if self.request.method not in ("GET", "HEAD", "OPTIONS"):
            # Lock the row while the If-Match check and the write happen.
            queryset = queryset.select_for_update(of=("self",))
        try:
            instance = queryset.get(**{self.lookup_field: key})
        except model.DoesNotExist as error:
            raise Http404 from error
        self.check_object_permissions(self.request, instance)
        return instance

    # --- reads ---------------------------------------------------------------------------

    @extend_schema(parameters=[EXPAND_PARAMETER])
    def list(self, request, *args, **kwargs):
        """A page of records read with ``values()`` (``rows``), its statement compiled once
        for its address (``compiled``); the serializer's path for ``?expand=`` and for any
        serializer the plan cannot read."""
        plan = plan_for(self, request)
        if plan is None:
            return super().list(request, *args, **kwargs)
        number = self.paginator.plain_page_number(request) if self.paginator else None
        if number is not None:
            page_size = self.paginator.get_page_size(request)
            answer = read_page(
                list_key(self, request, page_size),
                lambda: CompiledPage(
                    plan.values(self.filter_queryset(self.get_queryset()), counted=False), number, page_size
                ),
            )
            if answer is not None:
                rows, count, exact = answer
                page = self.paginator.page_of(request, rows, number, page_size, count, exact)
                return self.get_paginated_response(plan.rows(page))
        queryset = plan.values(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(queryset)
        if page is None:
            return Response(plan.rows(queryset))
        return self.get_paginated_response(plan.rows(page))

    @extend_schema(parameters=[EXPAND_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        """One record, read as a list's rows are when the plan can (its statement compiled
        once for every record of the resource), else through the serializer."""
        plan = plan_for(self, request)
        key = self.lookup_key()
        compiled = self._compiled_detail(plan, type(key)) if plan is not None else None
        if compiled is not None:
            rows = compiled.run(key=key)
            if not rows:
                raise Http404
            return self._detail_response(lambda: plan.rows(rows)[0], etag_of(rows[0]["pk"], rows[0]["version"]))
        instance = self.get_object()
        return self._detail_response(lambda: self.get_serializer(instance).data, etag_for(instance))

    def _compiled_detail(self, plan, key_type):
        """The kept statement of this resource's details, or None (no version column to make
        the ETag of, or a key of a type it cannot stand in for)."""
        stand_in = PLACEHOLDERS.get(key_type)
        if stand_in is None or "version" not in plan.columns:
            return None
        return kept(
            detail_key(self, self.request, key_type),
            lambda: CompiledRead(
                plan.values(self.get_queryset(), counted=False).filter(**{self.lookup_field: stand_in})[:1],
                {"key": stand_in},
            ),
        )

    def _detail_response(self, data, etag):
        """``data()`` with its ETag, or 304 when the client's ``If-None-Match`` holds it."""
        if_none_match = self.request.headers.get("If-None-Match")
        if if_none_match and _matches_etag(if_none_match, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        response = Response(data())
        response["ETag"] = etag
        return response

    # --- writes --------------------------------------------------------------------------

    def check_if_match(self, instance):
        """A change or delete must name the version it was based on (``API_REQUIRE_IF_MATCH``,
        on unless a deployment turns it off): without If-Match 428, with a stale one 412."""
        header = self.request.headers.get("If-Match")
        if not header:
            if settings.API_REQUIRE_IF_MATCH:
                raise PreconditionRequired()
            return
        if not _matches(header, instance):
            raise PreconditionFailed()

    # Every write is one transaction, run again when it deadlocks or fails serialization with
    # another (apps.common.conflicts); past the last attempt the answer is 503, nothing written.

    def create(self, request, *args, **kwargs):
        response = run_in_transaction(lambda: super(BaseViewSet, self).create(request, *args, **kwargs))
        response["ETag"] = etag_for(self._saved)
        return response

    @extend_schema(parameters=[IF_MATCH_PARAMETER])
    def update(self, request, *args, **kwargs):
        response = run_in_transaction(lambda: super(BaseViewSet, self).update(request, *args, **kwargs))
        response["ETag"] = etag_for(self._saved)
        return response

    @extend_schema(parameters=[IF_MATCH_PARAMETER])
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(parameters=[IF_MATCH_PARAMETER])
    def destroy(self, request, *args, **kwargs):
        return run_in_transaction(lambda: super(BaseViewSet, self).destroy(request, *args, **kwargs))

    def perform_create(self, serializer):
        user = self.request.user
        self._saved = serializer.save(created_by=user, updated_by=user)

    def perform_update(self, serializer):
        self.check_if_match(serializer.instance)
        # ``_history_user`` names the user in the history row whatever authenticated them.
        serializer.instance._history_user = self.request.user
        self._saved = serializer.save(updated_by=self.request.user)

    def perform_destroy(self, instance):
        self.check_if_match(instance)
        instance._history_user = self.request.user
        try:
            instance.delete()
        except (ProtectedError, RestrictedError) as error:
            kinds = sorted({str(other._meta.verbose_name_plural) for other in error.args[1]})
            raise RecordInUse(f"{RecordInUse.default_detail} Referred to by: {', '.join(kinds)}.") from error


def api_routes(patterns):
    """``(name, URL name)`` of every resource list and question in the API's URL patterns, in
    their order: a resource by its router prefix (``"countries"``), a question by its own
    URL name (``"graph"``). The URL patterns are the one route table; nothing lists them again."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns)
        elif pattern.name and pattern.name.endswith("-list"):
            yield str(pattern.pattern).strip("^$/"), pattern.name
        elif pattern.name and "<" not in str(pattern.pattern) and str(pattern.pattern):
            yield pattern.name, pattern.name


class APIRootView(APIView):
    """Every resource and question of the API, by name."""

    schema = None

    def get(self, request, format=None):
        namespace = request.resolver_match.namespace
        patterns = get_resolver().namespace_dict[namespace][1].url_patterns
        data = {name: reverse(f"{namespace}:{url_name}", request=request) for name, url_name in api_routes(patterns)}
        data["schema"] = reverse("schema", request=request)
        data["docs"] = reverse("api-docs", request=request)
        return Response(data)


class ChangesQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="ISO 8601 timestamp; changes strictly after it are returned.")
    after = serializers.RegexField(
        r"^[a-z_]+\.[a-z_]+:\d{1,18}$",
        required=False,
        help_text='Resume inside a tie at ``since``: "<model>:<history_id>" of the last change seen.',
    )
    limit = serializers.IntegerField(min_value=1, required=False)

    def validate_limit(self, value):
        return min(value, settings.API_MAX_PAGE_SIZE)


class ChangesView(BaseAPIView):
    """Every create, update and delete after ``since``, oldest first, so that a client
    syncs deltas. Follow ``next`` until it is null, then keep the last ``time`` (and
    ``model:history_id`` as ``after``) for the next sync."""

    @extend_schema(parameters=[ChangesQuerySerializer], responses=ChangesSerializer)
    def get(self, request):
        query = ChangesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        since = query.validated_data["since"]
        after = query.validated_data.get("after")
        if after:
            label, _, history_id = after.partition(":")
            after = (label, int(history_id))
        limit = query.validated_data.get("limit", settings.API_PAGE_SIZE)
        changes, has_more = changes_since(since, after=after, limit=limit, user=request.user)
        if not sees_drafts(request.user):
            # Who made a change is shown to editors and reviewers only, as on the records.
            for change in changes:
                change["user"] = None
        next_url = None
        if has_more:
            last = changes[-1]
            params = {
                "since": last["time"].isoformat(),
                "after": f"{last['model']}:{last['history_id']}",
                "limit": limit,
            }
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
        return Response(ChangesSerializer({"next": next_url, "results": changes}).data)

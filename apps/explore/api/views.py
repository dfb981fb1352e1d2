"""The API views of the cross-app questions: a country's profile and the graph of countries."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.common.api.renderers import CSVRenderer, ORJSONRenderer
from apps.common.api.views import BaseAPIView
from apps.common.cache import cached_answer
from apps.common.roles import sees_drafts
from apps.explore.api.serializers import CountryProfileSerializer, GraphSerializer
from apps.explore.graph import graph_parts, graph_reads
from apps.explore.graph_json import graph_json, tally_graph_json
from apps.explore.selectors import cached_country_profile
from apps.geo.models import Country
from apps.sanctions.choices import TransferCategory


class GraphQuerySerializer(serializers.Serializer):
    # ``from`` is a keyword; the fields are renamed in get_fields.
    category = serializers.MultipleChoiceField(choices=TransferCategory.choices, required=False)

    def get_fields(self):
        return {
            "from": serializers.DateField(
                required=False, help_text="Start of the period (transfers, regimes in force)."
            ),
            "to": serializers.DateField(required=False, help_text="End of the period."),
            **super().get_fields(),
        }

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": "to must not be before from."})
        return attrs


class GraphView(BaseAPIView):
    """Countries as nodes; transfers, sanctions (authority → target country) and
    relationships as edges, optionally limited to a period and transfer categories."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE),
            OpenApiParameter("to", OpenApiTypes.DATE),
            OpenApiParameter(
                "category",
                {"type": "array", "items": {"type": "string", "enum": TransferCategory.values}},
                explode=True,
            ),
        ],
        responses=GraphSerializer,
    )
    def get(self, request):
        query = GraphQuerySerializer(
            data={**request.query_params.dict(), "category": request.query_params.getlist("category")}
        )
        query.is_valid(raise_exception=True)
        start, end = query.validated_data.get("from"), query.validated_data.get("to")
        categories = sorted(query.validated_data.get("category", ()))
        today = timezone.localdate()
        transfers = request.build_absolute_uri(reverse("api:transfer-list"))

        def answer():
            # The whole graph off the tallies, rebuilt for the suppliers that changed; not one of
            # a few categories, which a client chooses freely: its suppliers' edges would be
            # kept beside the whole graph's for every choice.
            if start is None and end is None and not categories:
                return tally_graph_json(categories, user=request.user, transfers=transfers)
            parts = graph_parts(start=start, end=end, categories=categories, user=request.user, today=today)
            return graph_json(parts, transfers)

        # The JSON itself is cached until the next write (apps.common.cache), per question, per
        # audience and per address the links are built on: a graph of a million transfers has
        # tens of thousands of edges, which a cache hit neither rebuilds nor serialises again.
        # It is kept until a table it is made of changes (``graph_reads``), not any write.
        body = cached_answer(
            "graph",
            [start, end, categories, sees_drafts(request.user), today, transfers],
            answer,
            reads=graph_reads(start, end),
        )
        return HttpResponse(body, content_type="application/json")


class CountryProfileView(BaseAPIView):
    """A country's profile: the mirror of the contraventions view (docs/data-model.md, "A
    country's view")."""

    renderer_classes = [ORJSONRenderer, CSVRenderer]

    @extend_schema(responses=CountryProfileSerializer, filters=False)
    def get(self, request, iso2):
        """Regimes targeting the country and imposed by its authorities, its votes and vetoes,
        its transfers in and out by category and status, its relationships, designations, and
        the resolutions it voted for that transfers it is party to are alleged to contravene."""
        if "\x00" in iso2:
            raise Http404
        iso2 = Country.normalize_natural_key((iso2,))[0]
        today = timezone.localdate()

        def find_country():
            try:
                return Country.objects.get_by_natural_key(iso2)
            except Country.DoesNotExist as error:
                raise Http404 from error

        answer = cached_country_profile(iso2, find_country, user=request.user, today=today)
        return Response(CountryProfileSerializer(answer).data)

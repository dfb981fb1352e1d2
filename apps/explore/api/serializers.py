"""The shapes of the cross-app answers: a country's profile and the graph of countries."""

from rest_framework import serializers


class RegimeSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    authority = serializers.CharField()
    target_country = serializers.CharField(allow_null=True)
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class CountryVoteSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    voted_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    position = serializers.CharField()
    veto = serializers.BooleanField()


class FlowCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_category = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.DictField(child=serializers.IntegerField())


class CountryRelationshipSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)

    def get_fields(self):
        # ``with`` (the other country) is a Python keyword, so it is added here.
        return {**super().get_fields(), "with": serializers.CharField(help_text="The other country.")}


class ExceededCapSerializer(serializers.Serializer):
    measure = serializers.ListField(child=serializers.CharField(), help_text="[regime code, measure code]")
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    total_low = serializers.DecimalField(max_digits=24, decimal_places=3)
    quantity = serializers.DecimalField(max_digits=20, decimal_places=3)
    unit = serializers.CharField()


class ContravenedResolutionSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    voted_on = serializers.DateField(allow_null=True)
    transfers = serializers.ListField(
        child=serializers.CharField(),
        help_text="References of the 20 most recent transfers (by start, undated last) alleged to contravene it; "
        "all of them are counted in transfers_count.",
    )
    transfers_count = serializers.IntegerField(
        help_text="How many transfers the country is party to are alleged to contravene it (exact)."
    )
    measures = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="[regime code, measure code] pairs, ordered by regime and measure code",
    )
    exceeded_caps = ExceededCapSerializer(many=True, help_text="Each trade cap exceeded, once per cap period.")


class FindingObligingSerializer(serializers.Serializer):
    measure = serializers.ListField(child=serializers.CharField(), help_text="[regime code, measure code]")
    kind = serializers.CharField()
    transfers_count = serializers.IntegerField()


class CountryProfileSerializer(serializers.Serializer):
    """What the database says about one country: the mirror of the contraventions view."""

    country = serializers.CharField()
    name = serializers.CharField()
    sc_permanent_member = serializers.BooleanField()
    regimes_targeting = RegimeSummarySerializer(many=True)
    regimes_imposed = RegimeSummarySerializer(many=True)
    votes = CountryVoteSerializer(many=True)
    vetoes = serializers.ListField(child=serializers.CharField())
    transfers_out = FlowCountsSerializer()
    transfers_in = FlowCountsSerializer()
    relationships = CountryRelationshipSerializer(many=True)
    designations_count = serializers.IntegerField(help_text="Designations of actors of this country.")
    designations_under_regimes_targeting_count = serializers.IntegerField()
    contravened_resolutions_voted_for = ContravenedResolutionSerializer(many=True)
    findings_obliging = FindingObligingSerializer(
        many=True, help_text="Contravening findings that oblige this country's state, whatever it voted."
    )
    findings_being_recomputed = serializers.IntegerField(
        help_text="Transfers whose stored findings are being written again after a change: while it is not "
        "0, the contravened resolutions may be about to change."
    )


class GraphNodeSerializer(serializers.Serializer):
    id = serializers.CharField(help_text='ISO alpha-2 for a country, "authority:<code>" for an authority without one.')
    kind = serializers.ChoiceField(["country", "authority"])
    name = serializers.CharField()


class GraphEdgeSerializer(serializers.Serializer):
    """A transfer edge stands for every transfer of one supplier, recipient, category and status
    in the period asked; a sanctions edge is one regime, a relationship edge one relationship."""

    kind = serializers.ChoiceField(["transfer", "sanctions", "relationship"])
    source = serializers.CharField(help_text="The supplier, the sanctioning authority, or the first country.")
    target = serializers.CharField()
    reference = serializers.CharField(
        allow_null=True, help_text="Relationship reference or regime code; null on a transfer edge (see list)."
    )
    category = serializers.CharField(allow_null=True, help_text="Transfer category or relationship kind.")
    status = serializers.CharField(allow_null=True, help_text="The transfers' status (transfer edges).")
    count = serializers.IntegerField(allow_null=True, help_text="How many transfers the edge stands for.")
    started_on = serializers.DateField(
        allow_null=True, help_text="The earliest start among the edge's transfers; the regime's or relationship's."
    )
    ended_on = serializers.DateField(
        allow_null=True, help_text="The latest recorded end among the edge's transfers; the regime's or relationship's."
    )
    ongoing = serializers.BooleanField(
        allow_null=True, help_text="Whether one of the edge's transfers has no end (runs to today)."
    )
    list = serializers.URLField(
        allow_null=True, help_text="The transfer list filtered to the edge's transfers (transfer edges)."
    )


class GraphSerializer(serializers.Serializer):
    nodes = GraphNodeSerializer(many=True)
    edges = GraphEdgeSerializer(many=True)

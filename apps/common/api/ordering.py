"""``?ordering=``: DRF's ordering filter, standing aside while ``q`` searches, so that the
matches come by relevance (``apps.common.search.ranked``) unless the client asks for an order."""

from rest_framework.filters import OrderingFilter


class RelevanceOrderingFilter(OrderingFilter):
    def get_default_ordering(self, view):
        request = getattr(view, "request", None)
        if request is not None and request.query_params.get("q", "").strip():
            return None
        return super().get_default_ordering(view)

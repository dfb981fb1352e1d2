"""The OpenAPI schema's answers besides success, so that the documented API names every status
code a client can get (DRF's error bodies: ``{"detail": ...}``, or the errors by field name for
a 400), not only 200, 201 and 204."""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

DETAIL = inline_serializer("Error", {"detail": serializers.CharField()})
VALIDATION = OpenApiResponse(
    {
        "type": "object",
        "additionalProperties": {},
        "description": (
            "The errors by field or query parameter name (``non_field_errors`` for the record as a "
            "whole), or ``detail`` for a request that could not be read."
        ),
    },
    description="Invalid request: a value, a filter or the body.",
)


WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _detail(description):
    return OpenApiResponse(DETAIL, description=description)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema with the error answers of each operation added."""

    def error_responses(self):
        method = self.method.upper()
        errors = {}
        if method != "DELETE":
            errors["400"] = VALIDATION
        # Wrong or inactive credentials are refused on every operation, reads included.
        errors["401"] = _detail("Wrong or inactive credentials, or none for a write.")
        if method in WRITES:
            errors["403"] = OpenApiResponse(
                {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "``detail``, or the field whose value the role may not set (``review_status``).",
                },
                description="The user's role may not do this (or a session without its CSRF token).",
            )
        if "{" in self.path or self._is_list_view() or len(self.view.get_renderers()) > 1:
            errors["404"] = _detail(
                "No such record (a draft is not found for who may not see it), no such page, or no such ``format``."
            )
        if method == "DELETE":
            errors["409"] = _detail("Other records refer to this one (the detail says which kinds).")
        if method in {"POST", "PUT", "PATCH"}:
            # A body in no media type the API reads, or a multipart body whose parts name none.
            errors["415"] = _detail("The body's media type is not JSON, form data or multipart form data.")
        if method in {"PUT", "PATCH", "DELETE"}:
            errors["412"] = _detail("If-Match does not match the record's current ETag.")
            errors["428"] = _detail("If-Match is missing.")
        if self.view.get_throttles():
            errors["429"] = _detail("Too many requests, or too many failed authentications, from this address.")
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, error in self.error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses

"""The OpenAPI schema's error answers, for every operation at once.

drf-spectacular documents the success answer only; a client (and schemathesis, in
tests/security/test_api_schema_holds_for_every_role.py) must also know what a refusal looks like.
DRF answers every refusal the same way, so it is described here once rather than per view: 401
(no or a bad token) and 403 (the role may not) everywhere, 404 where the path names an object or
the list is paginated ("Invalid page."), 400 where the caller sends a body or query parameters.
An answer a view documents itself (a 409, a 400 with its own description) keeps its description.
"""

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import PolymorphicProxySerializer

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
# DRF's validation errors: a list of messages per field (nested for nested serializers), or a list.
FIELD_ERRORS = {"oneOf": [{"type": "object", "additionalProperties": {}}, {"type": "array", "items": {}}]}


def _answer(description, schema):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class AutoSchema(SpectacularAutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = {"401": _answer("No token, or an invalid, expired or revoked one.", DETAIL),
                  "403": _answer("The caller's role may not do this.", DETAIL)}
        if "{" in self.path or self._is_list_view():
            errors["404"] = _answer("No such object visible to the caller, or no such page.", DETAIL)
        takes_input = self.method in ("POST", "PUT", "PATCH") or self._get_filter_parameters() or (
            self.get_override_parameters())
        if takes_input:
            errors["400"] = _answer("Errors per field.", FIELD_ERRORS)
        for code, answer in errors.items():
            documented = responses.setdefault(code, answer)
            documented.setdefault("content", answer["content"])
        return dict(sorted(responses.items()))


LAYERED = set()


def at_callers_layer(component_name, serializers, **kwargs):
    """An answer whose form depends on the caller's layer (incidents: the full record or the
    de-identified one; referrals: the referrer's form or the focal point's). Each form holds the
    fields of the smaller one, so a full body matches both schemas: documented as anyOf (by
    any_of_for_layers), since oneOf would refuse a body that fits two forms."""
    LAYERED.add(component_name)
    return PolymorphicProxySerializer(component_name=component_name, serializers=serializers,
                                      resource_type_field_name=None, **kwargs)


def any_of_for_layers(result, generator, request, public):
    """Postprocessing hook: the at_callers_layer components as anyOf (see there)."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name in LAYERED and "oneOf" in schema:
            schema["anyOf"] = schema.pop("oneOf")
    return result

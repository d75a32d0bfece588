"""OpenAPI post-processing: every API operation documents the JSON errors it can give."""

ERRORS = {
    "400": "Bad input: `{detail}`, plus field errors where a form was sent.",
    "401": "Not signed in (no or a wrong token).",
    "403": "Signed in, but not allowed.",
    "404": "Not found, or outside what the caller may see.",
}
ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}


def add_error_responses(result, generator, request, public):
    """Adds the standard error responses to operations that do not list them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ApiError", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/ApiError"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result

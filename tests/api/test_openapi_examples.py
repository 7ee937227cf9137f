"""The OpenAPI schema carries a complete, valid example for every request body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

from tests.factories import openapi_without_database


def _bodies() -> list[tuple[str, str, str]]:
    found = []
    for path, operations in openapi_without_database()["paths"].items():
        for method, operation in operations.items():
            for media_type in operation.get("requestBody", {}).get("content", {}):
                found.append((path, method, media_type))
    return found


def _example(content: dict[str, Any], components: dict[str, Any]) -> Any:
    if "example" in content:
        return content["example"]
    schema = content["schema"]
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    examples = schema.get("examples") or []
    return examples[0] if examples else None


@pytest.mark.parametrize(("path", "method", "media_type"), _bodies())
def test_every_request_body_has_an_example_that_fits_its_schema(
    path: str, method: str, media_type: str, client: TestClient
) -> None:
    openapi = client.get("/openapi.json").json()
    components = openapi["components"]["schemas"]
    content = openapi["paths"][path][method]["requestBody"]["content"][media_type]
    example = _example(content, components)
    assert example, f"{method.upper()} {path} ({media_type}) has no example"
    # Point the schema's references at a local $defs so the validator can resolve them.
    schema_text = json.dumps({**content["schema"], "$defs": components})
    validator = Draft202012Validator(
        json.loads(schema_text.replace("#/components/schemas/", "#/$defs/"))
    )
    errors = [e.message for e in validator.iter_errors(example)]
    assert not errors, f"{method.upper()} {path}: example does not fit: {errors}"

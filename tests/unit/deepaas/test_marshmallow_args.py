"""marshmallow fields of DEEPaaS modules: specs, legacy kwargs, validation, accept, schema."""

from __future__ import annotations

import pytest
from marshmallow import Schema, fields, validate

from seascope.deepaas.accept import AcceptSpec
from seascope.deepaas.arguments import ArgumentError, Location
from seascope.deepaas.marshmallow_args import ArgumentSchema
from seascope.deepaas.marshmallow_fields import field_property, spec_from_field
from seascope.deepaas.response_schema import ResponseSchema
from seascope.errors import ManifestInvalid, ModuleFailed

pytestmark = pytest.mark.filterwarnings("ignore::marshmallow.warnings.Marshmallow4Warning")

ACCEPT = fields.Str(
    validate=validate.OneOf(["application/json", "text/plain", "image/png"]),
    metadata={"location": "headers", "description": "Result type"},
)


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        (fields.Int(), {"type": "integer", "format": "int32"}),
        (fields.Float(), {"type": "number", "format": "float"}),
        (fields.Bool(), {"type": "boolean"}),
        (fields.Str(), {"type": "string"}),
        (fields.UUID(), {"type": "string", "format": "uuid"}),
        (fields.Date(), {"type": "string", "format": "date"}),
        (fields.DateTime(), {"type": "string", "format": "date-time"}),
        (fields.Dict(), {"type": "object"}),
        (
            fields.List(fields.Int()),
            {"type": "array", "items": {"type": "integer", "format": "int32"}},
        ),
        (fields.Raw(), {}),
        (
            fields.Int(validate=validate.Range(min=1, max=9)),
            {"type": "integer", "format": "int32", "minimum": 1, "maximum": 9},
        ),
        (fields.Str(validate=validate.Length(max=3)), {"type": "string", "maxLength": 3}),
        (fields.Str(validate=validate.OneOf(["a", "b"])), {"type": "string", "enum": ["a", "b"]}),
    ],
)
def test_field_property_types(field: fields.Field, expected: dict[str, object]) -> None:
    assert field_property(field) == expected


def test_legacy_keyword_arguments_are_read_like_metadata() -> None:
    legacy = fields.Str(missing="b", enum=["a", "b"], description="Pick one", location="form")
    modern = fields.Str(
        load_default="b",
        metadata={"enum": ["a", "b"], "description": "Pick one", "location": "form"},
    )
    assert spec_from_field("choice", legacy) == spec_from_field("choice", modern)
    spec = spec_from_field("choice", legacy)
    assert spec.location is Location.FORM
    assert (spec.default, spec.description, dict(spec.schema)) == (
        "b",
        "Pick one",
        {"enum": ["a", "b"]},
    )


def test_file_fields_and_data_key() -> None:
    legacy_file = spec_from_field(
        "image", fields.Field(required=True, type="file", location="form")
    )
    assert (legacy_file.kind, legacy_file.required, legacy_file.location) == (
        "file",
        True,
        Location.FORM,
    )
    zipped = spec_from_field(
        "zip",
        fields.Field(
            load_default=None, data_key="zip_data", metadata={"type": "file", "location": "form"}
        ),
    )
    assert (zipped.name, zipped.key, zipped.kind) == ("zip", "zip_data", "file")
    many = spec_from_field("files", fields.List(fields.Field(metadata={"type": "file"})))
    assert (many.kind, many.multiple, dict(many.schema)) == ("file", True, {})


def test_lists_are_multiple_with_collection_format() -> None:
    spec = spec_from_field("nums", fields.List(fields.Float()))
    assert spec.multiple
    assert spec.schema["collectionFormat"] == "multi"


def test_metadata_format_overrides_and_custom_fields_resolve_by_class() -> None:
    class ModelName(fields.String):
        def _deserialize(self, value, attr, data, **kwargs):  # type: ignore[no-untyped-def]
            return super()._deserialize(value, attr, data, **kwargs).upper()

    spec = spec_from_field("model", ModelName(metadata={"format": "password"}))
    assert (spec.kind, spec.schema["format"]) == ("string", "password")
    schema = ArgumentSchema({"model": ModelName()}, name="custom")
    assert schema.load({"model": "yolo"}) == {"model": "YOLO"}


def test_argument_schema_loads_from_every_declaration_style() -> None:
    class Args(Schema):
        class Meta:
            ordered = True

        second = fields.Int(load_default=2)
        first = fields.Str(required=True)

    for declared in (Args().fields, Args, Args()):
        schema = ArgumentSchema(declared, name="args")
        assert [spec.name for spec in schema.specs()] == ["second", "first"]
        assert schema.load({"first": "x", "unknown": 1}) == {"second": 2, "first": "x"}


def test_argument_schema_errors_have_deepaas_shape() -> None:
    schema = ArgumentSchema(
        {
            "n": fields.Int(required=True),
            "nums": fields.List(fields.Int()),
            "z": fields.Str(data_key="zz"),
        },
        name="args",
    )
    with pytest.raises(ArgumentError) as caught:
        schema.load({"nums": ["1", "x"], "zz": 3})
    assert caught.value.body == {
        "n": ["Missing data for required field."],
        "nums": {"1": ["Not a valid integer."]},
        "zz": ["Not a valid string."],
    }
    assert caught.value.fields["nums.1"] == ["Not a valid integer."]


def test_arguments_must_be_marshmallow_fields() -> None:
    with pytest.raises(ManifestInvalid, match="not a marshmallow field"):
        ArgumentSchema({"x": 3}, name="bad")
    with pytest.raises(ManifestInvalid, match="dict of marshmallow fields"):
        ArgumentSchema(["x"], name="bad")


def test_accept_is_taken_out_of_the_schema() -> None:
    schema = ArgumentSchema({"n": fields.Int(), "accept": ACCEPT}, name="args")
    assert list(schema.fields) == ["n"]
    assert schema.accept is not None
    assert [spec.name for spec in schema.specs()] == ["n", "accept"]
    assert [spec.name for spec in schema.specs(with_accept=False)] == ["n"]


def test_accept_semantics_match_deepaas() -> None:
    accept = AcceptSpec.from_field(ACCEPT)
    assert accept.resolve(None) == "application/json"  # first choice
    assert accept.resolve("*/*") == "*/*"
    assert accept.resolve("image/png") == "image/png"
    assert accept.produces == ["application/json", "text/plain", "image/png", "*/*"]
    for header in ("image/png, */*", "text/html", "IMAGE/PNG", ""):
        with pytest.raises(ArgumentError) as caught:
            accept.resolve(header)
        # DEEPaaS appends */* after building the message: the message lists the choices only.
        assert caught.value.body == {
            "accept": ["Must be one of: application/json, text/plain, image/png."]
        }


def test_accept_default_declared_by_the_module_wins() -> None:
    field = fields.Str(
        load_default="image/png", validate=validate.OneOf(["application/json", "image/png"])
    )
    accept = AcceptSpec.from_field(field)
    assert accept.resolve(None) == "image/png"
    assert accept.spec().default == "image/png"
    assert accept.spec().schema["enum"] == ["application/json", "image/png", "*/*"]


def test_accept_without_choices_serves_json() -> None:
    assert AcceptSpec.from_field(fields.Str()).choices == ("application/json",)
    assert AcceptSpec.from_field(fields.Str(enum=["text/plain"])).choices == ("text/plain",)


def test_response_schema_definition_and_validation() -> None:
    schema = ResponseSchema(
        {
            "status": fields.Str(required=True),
            "labels": fields.List(fields.Str(), metadata={"description": "Labels"}),
        }
    )
    definition = schema.definition()
    assert definition["required"] == ["status"]
    assert definition["properties"] == {
        "status": {"type": "string"},
        "labels": {"type": "array", "items": {"type": "string"}, "description": "Labels"},
    }
    schema.validate({"status": "OK", "labels": ["a"], "undeclared": 1})  # lenient
    with pytest.raises(ModuleFailed) as caught:
        schema.validate({"status": 5})
    assert caught.value.error_type == "ResponseValidationError"


def test_response_schema_accepts_schema_classes_only() -> None:
    class Out(Schema):
        value = fields.Int()

    assert ResponseSchema(Out).definition()["properties"] == {
        "value": {"type": "integer", "format": "int32"}
    }
    with pytest.raises(ManifestInvalid):
        ResponseSchema("not a schema")

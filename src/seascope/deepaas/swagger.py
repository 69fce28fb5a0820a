"""The Swagger 2.0 document DEEPaaS serves at ``/swagger.json``, in DEEPaaS's layout.

The Gradio ``deepaas_ui`` and other clients read this exact shape: the first path ending
in ``predict/``, its ``post.parameters`` (``in``, ``name``, ``type``, ``format``, ``enum``,
``default``, ``required``, ``description``), ``post.produces`` (one UI tab per type) and
``definitions.ModelPredictionResponse.properties``. Paths already carry the base path;
there is no ``basePath``. Disabled predict/train routes are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from seascope.deepaas.arguments import ArgumentSpec, Location
from seascope.deepaas.served import ServedModel
from seascope.types import JsonValue

__all__ = ["SwaggerOptions", "TITLE", "swagger_document", "swagger_parameter"]

TITLE = "DEEP as a Service API endpoint"
RESPONSE_DEFINITION = "ModelPredictionResponse"
COMPATIBLE_DEEPAAS = "2.6.0"


@dataclass(frozen=True, slots=True)
class SwaggerOptions:
    """What the document covers.

    Attributes:
        base_path: URL prefix ("" or "/something").
        version: ``info.version``.
        predict_endpoint / train_endpoint / debug_endpoint: Which routes are enabled.
    """

    base_path: str = ""
    version: str = "0"
    predict_endpoint: bool = True
    train_endpoint: bool = True
    debug_endpoint: bool = False


def swagger_parameter(spec: ArgumentSpec) -> dict[str, JsonValue]:
    """One Swagger 2.0 parameter, with DEEPaaS's key order."""
    parameter: dict[str, JsonValue] = {
        "in": _location(spec),
        "name": spec.key,
        "required": spec.required,
    }
    if spec.kind is not None:
        parameter["type"] = spec.kind
    parameter.update(spec.schema)
    if spec.has_default:
        parameter["default"] = spec.default
    if spec.description:
        parameter["description"] = spec.description
    return parameter


def _location(spec: ArgumentSpec) -> str:
    if spec.is_file or spec.location is Location.FORM:
        return "formData"
    if spec.location in (Location.HEADERS, Location.COOKIES):
        return "header"
    # DEEPaaS documents every other argument as a query parameter, although form fields
    # and JSON bodies work too.
    return "query"


def swagger_document(
    models: Sequence[ServedModel], options: SwaggerOptions
) -> dict[str, JsonValue]:
    """The whole document for ``models`` (in the order they are listed)."""
    base = options.base_path
    paths: dict[str, JsonValue] = {
        base or "/": {
            "get": {
                "tags": ["versions"],
                "summary": "Get available API versions",
                "produces": ["application/json"],
                "responses": {"200": _ref("Versions", "Available API versions")},
            }
        },
        f"{base}/v2/": {
            "get": {
                "tags": ["v2"],
                "summary": "Get V2 API information",
                "produces": ["application/json"],
                "responses": {"200": _ref("Version", "V2 API information")},
            }
        },
        f"{base}/v2/models/": {
            "get": {
                "tags": ["models"],
                "summary": "Return loaded models and its information",
                "produces": ["application/json"],
                "responses": {"200": {"description": "Loaded models"}},
            }
        },
    }
    if options.debug_endpoint:
        paths[f"{base}/v2/debug/"] = {
            "get": {
                "tags": ["debug"],
                "summary": "Return debug information if enabled by API",
                "produces": ["text/plain"],
                "responses": {"200": {"description": "Captured log lines"}},
            }
        }
    definitions = _static_definitions()
    for index, model in enumerate(models):
        prefix = f"{base}/v2/models/{model.name}"
        paths[f"{prefix}/"] = {
            "get": {
                "tags": ["models"],
                "summary": "Return model's metadata",
                "produces": ["application/json"],
                "responses": {"200": _ref("ModelMeta", "Model metadata")},
            }
        }
        if options.predict_endpoint:
            response_name = "Prediction"
            definition = model.response_definition()
            if definition is not None:
                response_name = _free_name(definitions, RESPONSE_DEFINITION, index)
                definitions[response_name] = definition
            paths[f"{prefix}/predict/"] = {"post": _predict_operation(model, response_name)}
        if options.train_endpoint:
            paths[f"{prefix}/train/"] = _train_operations(model)
            paths[f"{prefix}/train/{{uuid}}"] = _training_operations()
    return {
        "swagger": "2.0",
        "info": {
            "title": TITLE,
            "version": options.version,
            "description": (
                f"DEEPaaS v2 API served by seascope (compatible with DEEPaaS {COMPATIBLE_DEEPAAS})."
            ),
        },
        "paths": paths,
        "definitions": definitions,
    }


def _predict_operation(model: ServedModel, response_name: str) -> dict[str, JsonValue]:
    parameters = [swagger_parameter(spec) for spec in model.predict_arguments()]
    operation: dict[str, JsonValue] = {
        "tags": ["models"],
        "summary": "Make a prediction given the input data",
    }
    produces = model.produces()
    if produces is not None:
        operation["produces"] = list(produces)
    if any(p["in"] == "formData" for p in parameters):
        operation["consumes"] = ["multipart/form-data", "application/x-www-form-urlencoded"]
    operation["parameters"] = list(parameters)
    operation["responses"] = {
        "200": _ref(response_name, "Prediction result"),
        "400": _ref("Failure", "Failure"),
    }
    return operation


def _train_operations(model: ServedModel) -> dict[str, JsonValue]:
    parameters = [swagger_parameter(spec) for spec in model.train_arguments()]
    post: dict[str, JsonValue] = {
        "tags": ["models"],
        "summary": "Retrain model with available data",
        "produces": ["application/json"],
    }
    if any(p["in"] == "formData" for p in parameters):
        post["consumes"] = ["multipart/form-data", "application/x-www-form-urlencoded"]
    post["parameters"] = list(parameters)
    post["responses"] = {"200": _ref("Training", "Training started")}
    return {
        "post": post,
        "get": {
            "tags": ["models"],
            "summary": "Get a list of trainings (running or completed)",
            "produces": ["application/json"],
            "responses": {"200": _ref("TrainingList", "Trainings")},
        },
    }


def _training_operations() -> dict[str, JsonValue]:
    uuid_parameter: dict[str, JsonValue] = {
        "in": "path",
        "name": "uuid",
        "required": True,
        "type": "string",
    }
    return {
        "get": {
            "tags": ["models"],
            "summary": "Get status of a training",
            "produces": ["application/json"],
            "parameters": [uuid_parameter],
            "responses": {"200": _ref("Training", "Training")},
        },
        "delete": {
            "tags": ["models"],
            "summary": "Cancel a running training",
            "produces": ["application/json"],
            "parameters": [uuid_parameter],
            "responses": {"200": _ref("Training", "Training")},
        },
    }


def _ref(name: str, description: str) -> dict[str, JsonValue]:
    return {"description": description, "schema": {"$ref": f"#/definitions/{name}"}}


def _free_name(definitions: dict[str, JsonValue], name: str, index: int) -> str:
    if name not in definitions:
        return name
    candidate = index
    while f"{name}{candidate}" in definitions:
        candidate += 1
    return f"{name}{candidate}"


def _string(description: str = "", **extra: JsonValue) -> dict[str, JsonValue]:
    prop: dict[str, JsonValue] = {"type": "string", **extra}
    if description:
        prop["description"] = description
    return prop


def _static_definitions() -> dict[str, JsonValue]:
    """DEEPaaS's documented response schemas (``deepaas/api/v2/responses.py``)."""
    location: dict[str, JsonValue] = {
        "type": "object",
        "required": ["href", "rel", "type"],
        "properties": {"rel": _string(), "href": _string(format="url"), "type": _string()},
    }
    version: dict[str, JsonValue] = {
        "type": "object",
        "required": ["id", "version"],
        "properties": {
            "version": _string(),
            "id": _string(),
            "links": {"$ref": "#/definitions/Location"},
            "type": _string(),
        },
    }
    training: dict[str, JsonValue] = {
        "type": "object",
        "required": ["date", "status", "uuid"],
        "properties": {
            "uuid": _string("Training identifier", format="uuid"),
            "date": _string("Training start time", format="date-time"),
            "status": _string("Training status", enum=["running", "error", "done", "cancelled"]),
            "message": _string("Optional message explaining status"),
        },
    }
    return {
        "Location": location,
        "Version": version,
        "Versions": {
            "type": "object",
            "properties": {
                "versions": {"type": "array", "items": {"$ref": "#/definitions/Version"}}
            },
        },
        "Failure": {
            "type": "object",
            "required": ["message"],
            "properties": {"message": _string("Failure message")},
        },
        "Prediction": {
            "type": "object",
            "required": ["predictions", "status"],
            "properties": {
                "status": _string("Response status message"),
                "predictions": _string("String containing predictions"),
            },
        },
        "ModelMeta": {
            "type": "object",
            "required": ["description", "id", "name"],
            "properties": {
                "id": _string("Model identifier"),
                "name": _string("Model name"),
                "description": _string("Model description"),
                "license": _string("Model license"),
                "author": _string("Model author"),
                "version": _string("Model version"),
                "url": _string("Model url"),
                "links": {"type": "array", "items": {"$ref": "#/definitions/Location"}},
            },
        },
        "Training": training,
        "TrainingList": {
            "type": "object",
            "properties": {
                "trainings": {"type": "array", "items": {"$ref": "#/definitions/Training"}}
            },
        },
    }

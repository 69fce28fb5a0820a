"""The Swagger 2.0 document in DEEPaaS's layout."""

from __future__ import annotations

import pytest

from seascope.deepaas.loading import load_deepaas_models
from seascope.deepaas.served import ServedModel
from seascope.deepaas.served_deepaas import ServedDeepaasModel
from seascope.deepaas.served_seascope import ServedSeascopeModule
from seascope.deepaas.swagger import SwaggerOptions, swagger_document
from seascope.inference import ModuleHost
from seascope.modules import ModuleRegistry

pytestmark = pytest.mark.filterwarnings("ignore::marshmallow.warnings.Marshmallow4Warning")


def _models() -> list[ServedModel]:
    legacy = load_deepaas_models(["fakemod", "fakeschema"])
    host = ModuleHost(ModuleRegistry.from_entry_points().only(["reference"]))
    served: list[ServedModel] = [ServedDeepaasModel(model) for model in legacy]
    served.append(ServedSeascopeModule(host, "reference"))
    return served


def test_document_layout() -> None:
    spec = swagger_document(_models(), SwaggerOptions(version="9.9"))
    assert spec["swagger"] == "2.0"
    assert spec["info"]["title"] == "DEEP as a Service API endpoint"  # type: ignore[index]
    assert spec["info"]["version"] == "9.9"  # type: ignore[index]
    paths = spec["paths"]
    assert isinstance(paths, dict)
    assert list(paths)[:3] == ["/", "/v2/", "/v2/models/"]
    predict = paths["/v2/models/fakemod/predict/"]["post"]
    assert predict["summary"] == "Make a prediction given the input data"
    assert predict["produces"][-1] == "*/*"
    assert predict["consumes"][0] == "multipart/form-data"
    assert predict["responses"]["200"]["schema"] == {"$ref": "#/definitions/Prediction"}
    schema_predict = paths["/v2/models/fakeschema/predict/"]["post"]
    assert schema_predict["responses"]["200"]["schema"] == {
        "$ref": "#/definitions/ModelPredictionResponse"
    }
    # no accept argument: JSON is documented so that deepaas_ui still gets a tab
    assert schema_predict["produces"] == ["application/json", "*/*"]
    definitions = spec["definitions"]
    assert isinstance(definitions, dict)
    assert {"Failure", "Prediction", "ModelMeta", "Training", "TrainingList", "Versions"} <= set(
        definitions
    )
    reference = paths["/v2/models/reference/predict/"]["post"]
    data = reference["parameters"][0]
    assert (data["name"], data["in"], data["type"], data["required"]) == (
        "data",
        "formData",
        "file",
        True,
    )
    assert "image" in data["description"].lower()  # deepaas_ui picks an image widget


def test_base_path_and_disabled_endpoints() -> None:
    spec = swagger_document(
        _models(),
        SwaggerOptions(
            base_path="/x", predict_endpoint=False, train_endpoint=False, debug_endpoint=True
        ),
    )
    paths = spec["paths"]
    assert isinstance(paths, dict)
    assert "/x" in paths
    assert "/x/v2/debug/" in paths
    assert not [p for p in paths if "predict" in p or "train" in p]
    assert all(p.startswith("/x") for p in paths)


def test_two_response_schemas_get_distinct_names() -> None:
    legacy = load_deepaas_models(["fakeschema"])
    model = ServedDeepaasModel(legacy.get("fakeschema"))
    spec = swagger_document([model, model], SwaggerOptions())
    definitions = spec["definitions"]
    assert isinstance(definitions, dict)
    assert "ModelPredictionResponse" in definitions
    assert "ModelPredictionResponse1" in definitions

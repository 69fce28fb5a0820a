"""DEEPaaS arguments generated from seascope modules' pydantic parameters."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field

from seascope.deepaas.arguments import Location
from seascope.deepaas.pydantic_args import specs_from_model
from seascope.deepaas.swagger import swagger_parameter


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


class Params(BaseModel):
    top_k: int = Field(default=5, ge=1, le=100, description="Classes per image.")
    temperature: float = Field(default=1.0, gt=0.0, description="Softmax temperature.")
    mode: Literal["fast", "slow"] = "fast"
    colour: Colour = Colour.RED
    flag: bool = False
    tags: list[str] = Field(default_factory=list)
    threshold: float | None = Field(default=None, lt=1.0)
    name: str = Field(description="Required name.", min_length=1)
    count: Literal[1, 2, 3] = 1


def test_specs_follow_the_model() -> None:
    specs = {spec.name: spec for spec in specs_from_model(Params)}
    assert list(specs) == list(Params.model_fields)
    assert all(spec.location is Location.ANY for spec in specs.values())
    assert swagger_parameter(specs["top_k"]) == {
        "in": "query",
        "name": "top_k",
        "required": False,
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 5,
        "description": "Classes per image.",
    }
    assert dict(specs["temperature"].schema) == {
        "format": "float",
        "minimum": 0.0,
        "exclusiveMinimum": True,
    }
    assert (specs["mode"].kind, specs["mode"].schema["enum"]) == ("string", ["fast", "slow"])
    assert (specs["colour"].kind, specs["colour"].default) == ("string", "red")
    assert specs["colour"].schema["enum"] == ["red", "blue"]
    assert specs["flag"].kind == "boolean"
    assert specs["tags"].multiple
    assert specs["tags"].schema["items"] == {"type": "string"}
    assert specs["threshold"].kind == "number"
    assert specs["threshold"].schema["exclusiveMaximum"] is True
    assert (specs["name"].required, specs["name"].has_default) == (True, False)
    assert specs["name"].schema["minLength"] == 1
    assert (specs["count"].kind, specs["count"].schema["enum"]) == ("integer", [1, 2, 3])


def test_reference_module_parameters() -> None:
    from seascope.zoo.reference.module import PredictParams, TrainParams

    assert [s.name for s in specs_from_model(PredictParams)] == ["top_k", "temperature"]
    dataset = specs_from_model(TrainParams)[0]
    assert (dataset.name, dataset.required, dataset.kind) == ("dataset", True, "string")

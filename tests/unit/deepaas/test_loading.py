"""Discovery of ``deepaas.v2.model`` entry points (fixture dist-info on sys.path)."""

from __future__ import annotations

import pytest

from seascope.deepaas.loading import load_deepaas_models
from seascope.errors import ModuleFailed, ModuleLoadFailed, ModuleNotFound


def test_every_installed_model_loads_and_broken_ones_are_problems() -> None:
    models = load_deepaas_models()
    assert models.names() == ["fakeclass", "fakemod", "fakeschema", "fakestatic"]
    assert [(p.name, p.source.split()[0]) for p in models.problems] == [
        ("fakebroken", "fakedeepaas.does_not_exist")
    ]
    assert "No module named" in models.problems[0].message


def test_class_entry_points_are_instantiated_or_served_as_the_class() -> None:
    models = load_deepaas_models(["fakeclass", "fakestatic"])
    instance = models.get("fakeclass").target
    assert not isinstance(instance, type)
    assert models.get("fakeclass").call("predict", {"text": "x"}) == {"echo": "hello x"}
    assert isinstance(models.get("fakestatic").target, type)
    assert models.get("fakestatic").call("predict", {}) == "static"


def test_selected_names_only() -> None:
    models = load_deepaas_models(["fakemod"])
    assert models.names() == ["fakemod"]
    assert "fakemod" in models
    assert "fakeclass" not in models
    assert len(models) == 1


def test_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(
        ModuleNotFound, match=r"no DEEPaaS model named 'fakemd'.*did you mean 'fakemod'"
    ):
        load_deepaas_models(["fakemd"])
    with pytest.raises(ModuleNotFound):
        load_deepaas_models().get("nope")


def test_requested_broken_model_fails_loudly() -> None:
    with pytest.raises(ModuleLoadFailed, match="fakebroken"):
        load_deepaas_models(["fakebroken"])


def test_metadata_fallback_and_warm() -> None:
    models = load_deepaas_models(["fakeschema", "fakemod"])
    assert models.get("fakeschema").get_metadata()["id"] == "0"
    assert models.warm() == {}
    import fakedeepaas.api  # type: ignore[import-not-found]

    assert fakedeepaas.api.WARM_CALLS


def test_missing_methods_are_501_and_base_model_placeholders_do_not_count() -> None:
    models = load_deepaas_models(["fakeclass", "fakeschema"])
    assert not models.get("fakeclass").has("train")
    with pytest.raises(ModuleFailed) as caught:
        models.get("fakeschema").call("train", {})
    assert caught.value.status == 501
    assert caught.value.message == "Not implemented by underlying model (loaded 'fakeschema')"


def test_module_exceptions_keep_message_and_status() -> None:
    fakemod = load_deepaas_models(["fakemod"]).get("fakemod")
    with pytest.raises(ModuleFailed) as http:
        fakemod.call("predict", {"mode": "http"})
    assert (http.value.status, http.value.message, http.value.error_type) == (
        400,
        "invalid image provided",
        "HTTPBadRequest",
    )
    with pytest.raises(ModuleFailed) as value:
        fakemod.call("predict", {"mode": "value"})
    assert (value.value.status, value.value.error_type) == (None, "ValueError")

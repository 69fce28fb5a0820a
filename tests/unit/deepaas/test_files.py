"""``UploadedFile`` / ``BaseModel`` and the ``deepaas`` import shim."""

from __future__ import annotations

import subprocess
import sys

import pytest

from seascope.deepaas.files import BaseModel, UploadedFile


def test_uploaded_file_is_a_four_field_namedtuple_with_none_defaults() -> None:
    assert UploadedFile._fields == ("name", "filename", "content_type", "original_filename")
    assert UploadedFile() == (None, None, None, None)
    assert UploadedFile(filename="/tmp/x").name is None


def test_base_model_requires_only_get_metadata() -> None:
    class Incomplete(BaseModel):
        pass

    with pytest.raises(TypeError):
        Incomplete()  # type: ignore[abstract]

    class Minimal(BaseModel):
        def get_metadata(self) -> dict[str, str]:
            return {"name": "m"}

    model = Minimal()
    assert model.get_predict_args() == {}
    assert model.get_train_args() == {}
    with pytest.raises(NotImplementedError):
        model.predict()


def test_deepaas_shim_reexports_the_same_objects() -> None:
    from deepaas.model.v2.base import BaseModel as ShimBase
    from deepaas.model.v2.wrapper import UploadedFile as ShimFile

    assert ShimFile is UploadedFile
    assert ShimBase is BaseModel


def test_importing_the_package_stays_cheap() -> None:
    code = (
        "import sys, seascope.deepaas, deepaas.model.v2.wrapper;"
        "heavy = {'marshmallow', 'fastapi', 'starlette'} & set(sys.modules);"
        "print(sorted(heavy))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_lazy_package_exports() -> None:
    import seascope.deepaas as package
    from seascope.deepaas.routes import build_deepaas_router

    assert package.build_deepaas_router is build_deepaas_router
    assert set(package.__all__) >= {"UploadedFile", "load_deepaas_models", "run_cli"}
    for name in package.__all__:
        assert getattr(package, name) is not None
    with pytest.raises(AttributeError):
        package.nothing_here  # noqa: B018

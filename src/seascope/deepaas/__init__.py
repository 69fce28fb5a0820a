"""Everything DEEPaaS-specific: the v2 API, hosting unmodified DEEPaaS modules, ``deepaas-cli``.

Importing this package is cheap (only :mod:`seascope.deepaas.files` is imported, which
DEEPaaS modules import through the ``deepaas`` shim); the other names load on first use.

* :func:`load_deepaas_models` finds ``deepaas.v2.model`` entry points.
* :func:`build_deepaas_router` builds the v2 routes for seascope and DEEPaaS modules.
* :func:`run_cli` is ``deepaas-cli``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from seascope.deepaas.files import BaseModel, UploadedFile

if TYPE_CHECKING:
    from seascope.deepaas.cli import run_cli
    from seascope.deepaas.debug import DebugLog
    from seascope.deepaas.loading import (
        DEEPAAS_ENTRY_POINT_GROUP,
        DeepaasModels,
        DeepaasProblem,
        load_deepaas_models,
    )
    from seascope.deepaas.models import DeepaasModel
    from seascope.deepaas.routes import DeepaasRouteOptions, build_deepaas_router
    from seascope.deepaas.runner import DEEPAAS_TRAIN_RUNNER

__all__ = [
    "DEEPAAS_ENTRY_POINT_GROUP",
    "DEEPAAS_TRAIN_RUNNER",
    "BaseModel",
    "DebugLog",
    "DeepaasModel",
    "DeepaasModels",
    "DeepaasProblem",
    "DeepaasRouteOptions",
    "UploadedFile",
    "build_deepaas_router",
    "load_deepaas_models",
    "run_cli",
]

_LAZY = {
    "run_cli": "seascope.deepaas.cli",
    "DebugLog": "seascope.deepaas.debug",
    "DEEPAAS_ENTRY_POINT_GROUP": "seascope.deepaas.loading",
    "DeepaasModels": "seascope.deepaas.loading",
    "DeepaasProblem": "seascope.deepaas.loading",
    "load_deepaas_models": "seascope.deepaas.loading",
    "DeepaasModel": "seascope.deepaas.models",
    "DeepaasRouteOptions": "seascope.deepaas.routes",
    "build_deepaas_router": "seascope.deepaas.routes",
    "DEEPAAS_TRAIN_RUNNER": "seascope.deepaas.runner",
}


def __getattr__(name: str) -> Any:
    """Import the heavier parts (marshmallow, FastAPI) only when they are used."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'seascope.deepaas' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

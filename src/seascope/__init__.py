"""seascope: an open platform for AI image analysis in aquatic science.

Importing seascope is cheap: it loads neither torch, mlflow nor fastapi.
"""

from seascope._version import __version__
from seascope.errors import SeascopeError
from seascope.modules import ModelModule, ModuleManifest, ModuleRegistry, SetupContext
from seascope.types import Box, ClassScore, ImageInput, Prediction

__all__ = [
    "Box",
    "ClassScore",
    "ImageInput",
    "ModelModule",
    "ModuleManifest",
    "ModuleRegistry",
    "Prediction",
    "SeascopeError",
    "SetupContext",
    "__version__",
]

"""The plug-in point: the model-module contract, manifests and the registry."""

from seascope.modules.contract import (
    ModelModule,
    NoParams,
    SetupContext,
    TrainingContext,
    TrainResult,
)
from seascope.modules.manifest import Capability, ModuleManifest, Task
from seascope.modules.registry import ENTRY_POINT_GROUP, ModuleProblem, ModuleRegistry

__all__ = [
    "ENTRY_POINT_GROUP",
    "Capability",
    "ModelModule",
    "ModuleManifest",
    "ModuleProblem",
    "ModuleRegistry",
    "NoParams",
    "SetupContext",
    "Task",
    "TrainResult",
    "TrainingContext",
]

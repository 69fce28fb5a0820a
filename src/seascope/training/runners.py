"""Built-in job runners: functions a worker process calls by their ``module:function`` name."""

from __future__ import annotations

from seascope.modules import ModuleRegistry, SetupContext
from seascope.modules.params import parse_params
from seascope.training.context import JobContext
from seascope.types import JsonValue

__all__ = ["TRAIN_MODULE", "train_module"]

TRAIN_MODULE = "seascope.training.runners:train_module"
"""The runner name of :func:`train_module`."""


def train_module(ctx: JobContext, module: str, args: dict[str, JsonValue]) -> JsonValue:
    """Train the seascope module ``module`` with ``args`` (its ``train_params`` as JSON).

    The parameters as the module sees them (defaults filled in) and the module's version
    go to the job's tracking run.
    """
    instance = ModuleRegistry.from_entry_points().create(module, SetupContext(device=ctx.device))
    params = parse_params(instance.train_params, args, what="training parameters")
    ctx.tracking.set_tags(
        {
            "seascope.module_version": instance.manifest.version,
            "seascope.task": instance.manifest.task,
        }
    )
    ctx.tracking.log_params(params.model_dump(mode="json"))
    result = instance.train(params, ctx)
    return result.model_dump(mode="json")

"""The model-module contract: what a module implements and what the platform gives it.

A module subclasses :class:`ModelModule`, declares its parameters as pydantic models and
implements ``predict`` (and optionally ``train`` and ``embed``). The platform builds the
REST API, the DEEPaaS arguments and the CLI options from those parameter models.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from seascope.errors import CapabilityNotSupported
from seascope.types import ImageInput, JsonValue, Prediction

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from seascope.modules.manifest import ModuleManifest

__all__ = [
    "ModelModule",
    "NoParams",
    "SetupContext",
    "TrainResult",
    "TrainingContext",
]


class NoParams(BaseModel):
    """Parameter model of a module that takes no parameters."""

    model_config = ConfigDict(extra="forbid")


PredictParamsT = TypeVar("PredictParamsT", bound=BaseModel)
TrainParamsT = TypeVar("TrainParamsT", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class SetupContext:
    """What ``setup`` is given.

    Attributes:
        device: ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
        weights: A model package or weights file chosen by the user, or ``None`` for the
            module's default.
        cache_dir: A folder the module may use for caches (downloaded weights ...).
        threads: CPU threads one ``predict`` call should use; 0 means every core. A
            server calls the module from one worker thread per core at once and sets
            this to the cores each worker has (1 by default), so that the calls do not
            fight over the cores (for example ONNX Runtime's ``intra_op_num_threads``).
    """

    device: str = "cpu"
    weights: Path | None = None
    cache_dir: Path | None = None
    threads: int = 0


class TrainingContext(Protocol):
    """What ``train`` is given by the platform (implemented in ``seascope.training``)."""

    @property
    def output_dir(self) -> Path:
        """Folder where the module writes its model package and other outputs."""
        ...

    @property
    def device(self) -> str:
        """Device to train on."""
        ...

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:
        """Record metrics (loss, accuracy ...) for the current step or epoch."""

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:
        """Say how far training has come (shown in job listings and progress bars)."""

    def should_stop(self) -> bool:
        """Whether the user asked to stop; a module checks it between steps."""
        ...


class TrainResult(BaseModel):
    """What ``train`` returns: where the model is and how good it is."""

    model_config = ConfigDict(frozen=True)

    model_path: str | None = Field(default=None, description="The trained model package.")
    metrics: dict[str, float] = Field(default_factory=dict)
    extra: dict[str, JsonValue] = Field(default_factory=dict)


class ModelModule(ABC, Generic[PredictParamsT, TrainParamsT]):
    """Base class of every seascope model module.

    Subclasses set ``predict_params`` (and ``train_params`` when they train) to pydantic
    models, implement :meth:`predict`, and may override :meth:`setup`, :meth:`train`,
    :meth:`embed` and :meth:`describe`. Instances are built by ``ModuleRegistry.create``.

    Example:
        >>> class Echo(ModelModule[NoParams, NoParams]):
        ...     def predict(self, images, params):
        ...         return [Prediction(input=i.name) for i in images]
    """

    predict_params: ClassVar[type[BaseModel]] = NoParams
    train_params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, manifest: ModuleManifest) -> None:
        self.manifest = manifest

    def setup(self, ctx: SetupContext) -> None:  # noqa: B027 - optional hook, empty on purpose
        """Load weights and prepare for predictions; called once per process."""

    @abstractmethod
    def predict(self, images: Sequence[ImageInput], params: PredictParamsT) -> list[Prediction]:
        """Predict one :class:`Prediction` per image, in the same order."""

    def train(self, params: TrainParamsT, ctx: TrainingContext) -> TrainResult:  # noqa: ARG002
        """Train a model; modules that train override this and declare ``"train"``."""
        raise CapabilityNotSupported(f"module {self.manifest.name!r} cannot train")

    def embed(self, images: Sequence[ImageInput]) -> npt.NDArray[np.float32]:  # noqa: ARG002
        """One feature vector per image (for drift detection and search)."""
        raise CapabilityNotSupported(f"module {self.manifest.name!r} cannot embed")

    def describe(self) -> dict[str, Any]:
        """Facts known only after ``setup`` (classes, weights used ...), JSON-serialisable.

        ``"trained": False`` says that the module runs without a trained model (the
        command line then warns that its predictions are meaningless).
        """
        return {}

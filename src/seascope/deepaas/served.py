"""``ServedModel``: what the DEEPaaS routes need from a model, whatever its kind.

Two implementations exist: :class:`~seascope.deepaas.served_deepaas.ServedDeepaasModel`
(an unmodified DEEPaaS module) and
:class:`~seascope.deepaas.served_seascope.ServedSeascopeModule` (a seascope module served
through the one ``Predictor`` path). Their methods are synchronous and run in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from seascope.deepaas.arguments import ArgumentSpec, RequestValues
from seascope.deepaas.outcomes import Outcome
from seascope.training import JobRecord
from seascope.types import JsonValue

__all__ = ["ServedModel", "TrainingRequest"]


@dataclass(frozen=True, slots=True)
class TrainingRequest:
    """A validated training request, ready for ``JobManager.submit``.

    Attributes:
        runner: ``"package.module:function"`` run by the worker.
        args: The job's arguments (JSON).
        uploads: Temporary folder of uploaded files to remove if submitting fails.
    """

    runner: str
    args: dict[str, JsonValue]
    uploads: Path | None = field(default=None)


class ServedModel(Protocol):
    """A model on the DEEPaaS v2 routes."""

    @property
    def name(self) -> str:
        """Name in URLs."""
        ...

    @property
    def can_train(self) -> bool:
        """Whether ``train`` is implemented (else ``POST .../train/`` answers 501)."""
        ...

    def metadata(self) -> dict[str, JsonValue]:
        """What the model says about itself (merged over ``id``, ``name``, ``links``)."""
        ...

    def predict_arguments(self) -> list[ArgumentSpec]:
        """Documented arguments of ``predict`` (``accept`` as a header parameter)."""
        ...

    def train_arguments(self) -> list[ArgumentSpec]:
        """Documented arguments of ``train``."""
        ...

    def produces(self) -> list[str] | None:
        """Swagger ``produces`` of predict: the accept choices and ``*/*``."""
        ...

    def response_definition(self) -> dict[str, JsonValue] | None:
        """Swagger definition of the JSON result, when the model declares one."""
        ...

    def predict(self, values: RequestValues) -> Outcome:
        """Validate, call and shape one prediction.

        Raises:
            SeascopeError: ``ArgumentError``/``InvalidParameters`` (422), ``ModuleFailed``
                (the module's status or 500), loading and input errors.
        """
        ...

    async def predict_async(self, values: RequestValues) -> Outcome:
        """:meth:`predict` for the event loop (models that block run it in a thread).

        Raises:
            SeascopeError: as :meth:`predict`.
        """
        ...

    def training_request(self, values: RequestValues) -> TrainingRequest:
        """Validate a training request (saving its uploads).

        Raises:
            SeascopeError: invalid arguments, or the model cannot train.
        """
        ...

    def training_args(self, record: JobRecord) -> JsonValue:
        """The ``args`` echoed in the DEEPaaS training object of ``record``."""
        ...

"""Discover unmodified DEEPaaS v2 modules through the ``deepaas.v2.model`` entry points.

An entry point may name a Python module, an instance, or a class; classes are
instantiated with no arguments (DEEPaaS 2.6.0 does not, which breaks instance methods),
and when that fails the class itself is served, as DEEPaaS would. Broken modules become
:class:`DeepaasProblem` entries; discovery itself never raises, except when a model the
caller asked for by name is unknown or cannot be loaded.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from seascope.deepaas.marshmallow_fields import quiet_marshmallow
from seascope.deepaas.models import DeepaasModel
from seascope.errors import ModuleLoadFailed, ModuleNotFound, SeascopeError

__all__ = [
    "DEEPAAS_ENTRY_POINT_GROUP",
    "DeepaasModels",
    "DeepaasProblem",
    "load_deepaas_models",
]

DEEPAAS_ENTRY_POINT_GROUP = "deepaas.v2.model"

_log = logging.getLogger("seascope.deepaas")


@dataclass(frozen=True, slots=True)
class DeepaasProblem:
    """A DEEPaaS module that could not be loaded, and why."""

    name: str
    source: str
    message: str


class DeepaasModels:
    """The DEEPaaS modules one process serves, in entry-point name order.

    Args:
        models: The loaded models.
        problems: Modules that were found but could not be loaded.
    """

    def __init__(
        self, models: Iterable[DeepaasModel] = (), problems: Iterable[DeepaasProblem] = ()
    ) -> None:
        self._models = {model.name: model for model in models}
        self.problems = list(problems)

    def __iter__(self) -> Iterator[DeepaasModel]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, name: object) -> bool:
        return name in self._models

    def names(self) -> list[str]:
        """Names of the loaded models."""
        return list(self._models)

    def get(self, name: str) -> DeepaasModel:
        """The model called ``name``.

        Raises:
            ModuleNotFound: no such model.
        """
        try:
            return self._models[name]
        except KeyError:
            raise ModuleNotFound(_unknown_message(name, self.names())) from None

    def warm(self) -> dict[str, SeascopeError]:
        """Call every model's ``warm()``; returns the models whose warm-up failed."""
        failed: dict[str, SeascopeError] = {}
        for model in self:
            try:
                model.warm()
            except SeascopeError as exc:
                _log.error("warm() of DEEPaaS model %r failed: %s", model.name, exc.message)
                failed[model.name] = exc
        return failed


def load_deepaas_models(
    names: Sequence[str] = (),
    *,
    group: str = DEEPAAS_ENTRY_POINT_GROUP,
    concurrency: int = 1,
) -> DeepaasModels:
    """Load the DEEPaaS modules installed in this environment.

    Args:
        names: Serve only these entry points (``--model-name`` / ``DEEPAAS_V2_MODEL``);
            empty serves every installed one. Empty strings are ignored.
        group: Entry-point group to read.
        concurrency: Concurrent calls allowed per model (DEEPaaS's ``--workers``).

    Returns:
        The models, with problems for the ones that failed to load.

    Raises:
        ModuleNotFound: a requested name is not installed.
        ModuleLoadFailed: a requested model is installed but cannot be loaded.

    Example:
        >>> models = load_deepaas_models()
        >>> isinstance(models.names(), list)
        True
    """
    found: dict[str, EntryPoint] = {}
    problems: list[DeepaasProblem] = []
    for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
        if entry_point.name in found:
            problems.append(
                DeepaasProblem(
                    entry_point.name,
                    _describe(entry_point),
                    f"duplicate DEEPaaS model name {entry_point.name!r}; the first one is served",
                )
            )
            continue
        found[entry_point.name] = entry_point
    wanted = [name for name in names if name]
    for name in wanted:
        if name not in found:
            raise ModuleNotFound(_unknown_message(name, list(found), what="DEEPaaS model"))
    selected = wanted or list(found)
    models: list[DeepaasModel] = []
    for name in selected:
        entry_point = found[name]
        try:
            models.append(_load(entry_point, concurrency))
        except Exception as exc:  # noqa: BLE001 - discovery reports, never crashes
            message = _explain(exc)
            if wanted:
                raise ModuleLoadFailed(
                    f"DEEPaaS model {name!r} ({_describe(entry_point)}) cannot be loaded: {message}"
                ) from exc
            _log.error("DEEPaaS model %r cannot be loaded: %s", name, message)
            problems.append(DeepaasProblem(name, _describe(entry_point), message))
    return DeepaasModels(models, problems)


def _load(entry_point: EntryPoint, concurrency: int) -> DeepaasModel:
    with quiet_marshmallow():
        loaded = entry_point.load()
    target = loaded
    if isinstance(loaded, type):
        try:
            target = loaded()
        except Exception as exc:  # noqa: BLE001 - DEEPaaS serves the class itself
            _log.warning(
                "DEEPaaS model %r: %s() failed (%s); serving the class itself",
                entry_point.name,
                loaded.__name__,
                _explain(exc),
            )
    return DeepaasModel(
        entry_point.name, target, source=_describe(entry_point), concurrency=concurrency
    )


def _describe(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    origin = f" ({dist.name} {dist.version})" if dist is not None else ""
    return f"{entry_point.value}{origin}"


def _explain(exc: BaseException) -> str:
    if isinstance(exc, SeascopeError):
        return exc.message
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _unknown_message(name: str, known: list[str], *, what: str = "model") -> str:
    close = difflib.get_close_matches(name, known, n=3)
    hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
    installed = ", ".join(known) or "none installed"
    return f"no {what} named {name!r} (available: {installed}){hint}"

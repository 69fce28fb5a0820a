"""``ModuleRegistry``: find installed model modules and load them on demand.

Discovery reads only the manifests that the ``seascope.modules`` entry points name, so it
is cheap and never imports a module's heavy code. A broken plugin becomes a
:class:`ModuleProblem`; discovery itself never raises.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from pydantic import ValidationError

from seascope.errors import ManifestInvalid, ModuleLoadFailed, ModuleNotFound, SeascopeError
from seascope.modules.contract import ModelModule, SetupContext
from seascope.modules.manifest import ModuleManifest

__all__ = ["ENTRY_POINT_GROUP", "ModuleProblem", "ModuleRegistry"]

ENTRY_POINT_GROUP = "seascope.modules"

_CAPABILITY_METHODS = {"train": "train", "embed": "embed"}


@dataclass(frozen=True, slots=True)
class ModuleProblem:
    """A module that could not be discovered, and why."""

    source: str
    message: str


class ModuleRegistry:
    """The model modules a process knows about.

    Build one in a composition root and pass it down; tests build one from manifests.

    Example:
        >>> registry = ModuleRegistry.from_entry_points()
        >>> "reference" in registry.names()
        True
    """

    def __init__(
        self,
        manifests: Iterable[ModuleManifest] = (),
        problems: Iterable[ModuleProblem] = (),
    ) -> None:
        self._manifests: dict[str, ModuleManifest] = {}
        self._problems = list(problems)
        for manifest in manifests:
            if manifest.name in self._manifests:
                self._problems.append(
                    ModuleProblem(manifest.name, f"duplicate module name {manifest.name!r}")
                )
                continue
            self._manifests[manifest.name] = manifest

    @classmethod
    def from_entry_points(cls, group: str = ENTRY_POINT_GROUP) -> ModuleRegistry:
        """Discover every installed module of the entry-point ``group``."""
        manifests: list[ModuleManifest] = []
        problems: list[ModuleProblem] = []
        for entry_point in sorted(entry_points(group=group), key=lambda ep: ep.name):
            try:
                manifests.append(_read_manifest(entry_point))
            except Exception as exc:  # noqa: BLE001 - discovery reports, never crashes
                problems.append(ModuleProblem(_describe(entry_point), _explain(exc)))
        return cls(manifests, problems)

    @property
    def problems(self) -> list[ModuleProblem]:
        """Modules that were found but could not be read."""
        return list(self._problems)

    def names(self) -> list[str]:
        """Names of the usable modules, sorted."""
        return sorted(self._manifests)

    def manifests(self) -> list[ModuleManifest]:
        """Manifests of the usable modules, sorted by name."""
        return [self._manifests[name] for name in self.names()]

    def only(self, names: Iterable[str]) -> ModuleRegistry:
        """A registry restricted to ``names`` (each must exist)."""
        return ModuleRegistry([self.get(name) for name in names], self._problems)

    def get(self, name: str) -> ModuleManifest:
        """The manifest of ``name``.

        Raises:
            ModuleNotFound: no module has that name (the message suggests close names).
        """
        try:
            return self._manifests[name]
        except KeyError:
            close = difflib.get_close_matches(name, self._manifests, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            known = ", ".join(self.names()) or "none installed"
            raise ModuleNotFound(f"no module named {name!r} ({known}){hint}") from None

    def load_class(self, name: str) -> type[ModelModule]:  # type: ignore[type-arg]
        """Import the module class of ``name`` and check it against its manifest.

        Raises:
            ModuleNotFound: unknown name.
            ModuleLoadFailed: the entry cannot be imported.
            ManifestInvalid: the entry is not a ModelModule or lacks a declared capability.
        """
        manifest = self.get(name)
        module_path, _, attribute = manifest.entry.partition(":")
        try:
            target = getattr(importlib.import_module(module_path), attribute)
        except Exception as exc:
            raise ModuleLoadFailed(
                f"module {name!r}: cannot import {manifest.entry}: {_explain(exc)}"
            ) from exc
        if not (isinstance(target, type) and issubclass(target, ModelModule)):
            raise ManifestInvalid(
                f"module {name!r}: {manifest.entry} is not a seascope.modules.ModelModule subclass"
            )
        for capability, method in _CAPABILITY_METHODS.items():
            implemented = getattr(target, method) is not getattr(ModelModule, method)
            if capability in manifest.capabilities and not implemented:
                raise ManifestInvalid(
                    f"module {name!r} declares {capability!r} but does not implement {method}()"
                )
        return target

    def create(self, name: str, ctx: SetupContext | None = None) -> ModelModule:  # type: ignore[type-arg]
        """Import, instantiate and set up the module ``name``.

        Raises:
            ModuleLoadFailed: ``setup`` raised (its message is kept).
        """
        module_class = self.load_class(name)
        module = module_class(self.get(name))
        try:
            module.setup(ctx or SetupContext())
        except SeascopeError:
            raise
        except Exception as exc:
            raise ModuleLoadFailed(f"module {name!r}: setup failed: {_explain(exc)}") from exc
        return module


def _read_manifest(entry_point: EntryPoint) -> ModuleManifest:
    loaded = entry_point.load()
    manifest = loaded() if callable(loaded) and not isinstance(loaded, ModuleManifest) else loaded
    if not isinstance(manifest, ModuleManifest):
        raise ManifestInvalid(
            f"entry point {entry_point.value!r} gives {type(manifest).__name__}, "
            "not a seascope.modules.ModuleManifest"
        )
    if manifest.name != entry_point.name:
        raise ManifestInvalid(
            f"entry point name {entry_point.name!r} differs from manifest name {manifest.name!r}"
        )
    return manifest


def _describe(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    origin = f" ({dist.name} {dist.version})" if dist is not None else ""
    return f"{entry_point.name}{origin}"


def _explain(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        parts = [
            f"{'.'.join(map(str, err['loc'])) or 'manifest'}: {err['msg']}" for err in exc.errors()
        ]
        return "invalid manifest: " + "; ".join(parts)
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

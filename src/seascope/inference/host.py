"""``ModuleHost``: the loaded modules of one serving process.

It creates each module's :class:`Predictor` on first use (or at start-up when warmed),
exactly once even when many requests ask at the same moment, and remembers modules that
failed to load so that every request gets the same clear error.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

from seascope.errors import ModuleError, SeascopeError
from seascope.imaging import DEFAULT_MAX_PIXELS
from seascope.inference.microbatch import MicroBatcher, MicroBatchOptions
from seascope.inference.predictor import Predictor
from seascope.modules import ModuleManifest, ModuleRegistry, SetupContext

__all__ = ["ModuleHost"]


class ModuleHost:
    """Serve the modules of a registry, loading each on demand.

    Args:
        registry: The modules that may be served.
        device: Device handed to ``setup``.
        weights: Module name to the weights path chosen for it.
        max_image_pixels: Image size limit given to every predictor.
        cache_dir: A folder modules may use for caches.
        batching: How servers batch concurrent requests. When given, the host serves
            through batchers: each module is set up to use its share of the cores per
            call (``SetupContext.threads``), as its batch workers call it in parallel.
        threads: CPU threads per module call when the caller knows better (a batch run
            with several predict workers); ``None`` derives it from ``batching``.
    """

    def __init__(
        self,
        registry: ModuleRegistry,
        *,
        device: str = "cpu",
        weights: Mapping[str, Path] | None = None,
        max_image_pixels: int = DEFAULT_MAX_PIXELS,
        cache_dir: Path | None = None,
        batching: MicroBatchOptions | None = None,
        threads: int | None = None,
    ) -> None:
        self.registry = registry
        self.device = device
        self.max_image_pixels = max_image_pixels
        self._weights = dict(weights or {})
        self._cache_dir = cache_dir
        self._predictors: dict[str, Predictor] = {}
        self._failures: dict[str, SeascopeError] = {}
        self._batching = batching or MicroBatchOptions()
        # None: a serving host, whose modules share the cores among their batch workers.
        self._threads = threads if threads is not None else (None if batching is not None else 0)
        self._batchers: dict[str, MicroBatcher] = {}
        self._locks: dict[str, threading.Lock] = {
            name: threading.Lock() for name in registry.names()
        }

    def manifests(self) -> list[ModuleManifest]:
        """Manifests of every module this host may serve."""
        return self.registry.manifests()

    def manifest(self, name: str) -> ModuleManifest:
        """Manifest of ``name`` (raises ``ModuleNotFound``)."""
        return self.registry.get(name)

    def is_loaded(self, name: str) -> bool:
        """Whether ``name`` is loaded and ready."""
        return name in self._predictors

    def loaded(self, name: str) -> Predictor | None:
        """The predictor of ``name`` if it is already loaded (never blocks, never loads)."""
        return self._predictors.get(name)

    def failure(self, name: str) -> SeascopeError | None:
        """The error that stopped ``name`` from loading, if any."""
        return self._failures.get(name)

    def predictor(self, name: str) -> Predictor:
        """The predictor of ``name``, loading the module the first time.

        Raises:
            ModuleNotFound: unknown module.
            ModuleLoadFailed / ManifestInvalid: the module cannot be loaded (remembered).
        """
        self.registry.get(name)
        ready = self._predictors.get(name)
        if ready is not None:
            return ready
        with self._locks[name]:
            ready = self._predictors.get(name)
            if ready is not None:
                return ready
            if name in self._failures:
                raise self._failures[name]
            threads = self._threads
            if threads is None:
                threads = self._batching.threads_per_call(self.registry.get(name).max_concurrency)
            context = SetupContext(
                device=self.device,
                weights=self._weights.get(name),
                cache_dir=self._cache_dir,
                threads=threads,
            )
            try:
                module = self.registry.create(name, context)
            except ModuleError as exc:
                self._failures[name] = exc
                raise
            predictor = Predictor(module, max_image_pixels=self.max_image_pixels)
            self._predictors[name] = predictor
            return predictor

    def loaded_batcher(self, name: str) -> MicroBatcher | None:
        """The batcher of ``name`` if it already exists (never blocks, never loads)."""
        return self._batchers.get(name)

    def batchers(self) -> dict[str, MicroBatcher]:
        """The batchers created so far, by module name (a copy; for metrics)."""
        return dict(self._batchers)

    def batcher(self, name: str) -> MicroBatcher:
        """The micro-batcher of ``name`` (loads the module the first time).

        Servers predict through it so that concurrent requests share module calls.
        """
        batcher = self._batchers.get(name)
        if batcher is not None:
            return batcher
        predictor = self.predictor(name)
        with self._locks[name]:
            if name not in self._batchers:
                self._batchers[name] = MicroBatcher(predictor, self._batching)
            return self._batchers[name]

    def close(self) -> None:
        """Stop the batchers' threads."""
        for batcher in self._batchers.values():
            batcher.close()

    def warm(self, names: Iterable[str] | None = None) -> dict[str, SeascopeError]:
        """Load ``names`` (default: all) now; returns the modules that failed."""
        failed: dict[str, SeascopeError] = {}
        for name in names if names is not None else self.registry.names():
            try:
                self.predictor(name)
            except SeascopeError as exc:
                failed[name] = exc
        return failed

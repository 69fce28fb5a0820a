"""``DeepaasModel``: one unmodified DEEPaaS v2 module, wrapped for safe calls.

The wrapper reads the module's argument fields once, validates arguments exactly as
DEEPaaS does (webargs/marshmallow), calls the module's functions with a bounded number
of concurrent calls, and turns whatever they raise into a
:class:`~seascope.errors.ModuleFailed` that keeps the module's message and any HTTP
status it asked for (``aiohttp.web.HTTPBadRequest(reason=...)`` becomes a 400).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

from seascope.deepaas.arguments import ArgumentSpec
from seascope.deepaas.files import BaseModel
from seascope.deepaas.marshmallow_args import ArgumentSchema
from seascope.deepaas.marshmallow_fields import quiet_marshmallow
from seascope.deepaas.response_schema import ResponseSchema
from seascope.deepaas.uploads import UploadStore
from seascope.errors import ModuleFailed, SeascopeError
from seascope.inference import module_failure
from seascope.types import JsonValue

__all__ = ["DeepaasModel"]

_log = logging.getLogger("seascope.deepaas")


class DeepaasModel:
    """A DEEPaaS module (a Python module, an instance, or a class) ready to be served.

    Args:
        name: Entry-point name (used in URLs).
        target: What the entry point gave, after instantiating classes.
        source: Where it came from (``"pkg.api (dist 1.0)"``), for messages.
        concurrency: Most calls running at once. DEEPaaS runs one worker process by
            default, so modules are rarely thread-safe: keep 1 unless you know better.

    Raises:
        ManifestInvalid: the argument or response declarations are unusable.
    """

    def __init__(
        self, name: str, target: object, *, source: str = "", concurrency: int = 1
    ) -> None:
        self.name = name
        self.target = target
        self.source = source
        self._slots = threading.BoundedSemaphore(max(1, concurrency))
        self.predict_schema = ArgumentSchema(
            self._optional_arguments("get_predict_args"), name=f"{name}-predict-args"
        )
        self.train_schema = ArgumentSchema(
            self._optional_arguments("get_train_args"), name=f"{name}-train-args"
        )
        declared = getattr(target, "schema", None)
        self.response_schema = ResponseSchema(declared) if declared is not None else None

    def _optional_arguments(self, method: str) -> object:
        function = getattr(self.target, method, None)
        if not callable(function):
            return {}
        try:
            with quiet_marshmallow():
                return function()
        except NotImplementedError:
            return {}

    def has(self, method: str) -> bool:
        """Whether the module implements ``method`` (``predict``, ``train``, ``warm``).

        The placeholders of :class:`~seascope.deepaas.files.BaseModel` do not count.
        """
        if not callable(getattr(self.target, method, None)):
            return False
        owner = self.target if isinstance(self.target, type) else type(self.target)
        return getattr(owner, method, None) is not getattr(BaseModel, method, object())

    def predict_arguments(self) -> list[ArgumentSpec]:
        """``predict``'s arguments (``accept`` included, as DEEPaaS documents it)."""
        return self.predict_schema.specs()

    def train_arguments(self) -> list[ArgumentSpec]:
        """``train``'s arguments."""
        return self.train_schema.specs()

    def get_metadata(self) -> dict[str, JsonValue]:
        """The module's own metadata, or DEEPaaS's placeholder when it has none.

        Raises:
            ModuleFailed: ``get_metadata`` raised or returned something other than a dict.
        """
        function = getattr(self.target, "get_metadata", None)
        try:
            if not callable(function):
                raise NotImplementedError
            metadata = function()
        except (NotImplementedError, AttributeError):
            return {
                "id": "0",
                "name": self.name,
                "description": (
                    f"Could not load description from underlying model (loaded '{self.name}')"
                ),
            }
        except Exception as exc:
            raise module_failure(exc) from exc
        if not isinstance(metadata, Mapping):
            raise ModuleFailed(
                f"get_metadata() of {self.name!r} returned {type(metadata).__name__}, not a dict",
                error_type="InvalidModuleOutput",
            )
        return dict(metadata)

    def warm(self) -> None:
        """Call the module's ``warm()`` if it has one.

        Raises:
            ModuleFailed: ``warm`` raised.
        """
        if not self.has("warm"):
            return
        try:
            self.call("warm", {})
        except ModuleFailed as exc:
            if exc.status == 501:
                return
            raise

    def load_arguments(
        self, schema: ArgumentSchema, raw: Mapping[str, Any], store: UploadStore
    ) -> dict[str, Any]:
        """Save uploads, then validate ``raw`` wire values into keyword arguments.

        Raises:
            ArgumentError: DEEPaaS's 422 messages.
        """
        converted = {key: store.convert(value) for key, value in raw.items()}
        return schema.load(converted)

    def call(self, method: str, kwargs: Mapping[str, Any]) -> Any:
        """Call ``method(**kwargs)`` on the module, one call per free slot.

        Raises:
            ModuleFailed: the method is missing (501), raised ``NotImplementedError`` (501)
                or raised anything else (its status, or 500).
        """
        function: Callable[..., Any] | None = getattr(self.target, method, None)
        if function is None or not self.has(method):
            raise ModuleFailed(
                f"Not implemented by underlying model (loaded '{self.name}')",
                status=501,
                error_type="NotImplementedError",
            )
        with self._slots:
            try:
                return function(**kwargs)
            except SeascopeError:
                raise
            except NotImplementedError as exc:
                raise ModuleFailed(
                    str(exc) or f"Model '{self.name}' does not implement this functionality",
                    status=501,
                    error_type="NotImplementedError",
                ) from exc
            except Exception as exc:
                failure = module_failure(exc)
                if failure.status is not None and failure.status < 500:
                    _log.info(
                        "%s() of %r answered %s: %s", method, self.name, failure.status, failure
                    )
                else:
                    _log.exception("%s() of DEEPaaS model %r raised", method, self.name)
                raise failure from exc

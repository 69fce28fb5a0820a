"""``UploadedFile`` and ``BaseModel`` exactly as DEEPaaS 2.x defines them.

DEEPaaS modules import ``deepaas.model.v2.wrapper.UploadedFile`` and
``deepaas.model.v2.base.BaseModel``; the ``seascope-deepaas-compat`` shim re-exports the
two names below under those paths, so unmodified modules import and run on seascope.
Only the standard library is imported here: modules import this at their own import time.
"""

from __future__ import annotations

import abc
from collections import namedtuple
from typing import Any

__all__ = ["BaseModel", "UploadedFile"]

UploadedFile = namedtuple(  # noqa: PYI024 - must stay a plain namedtuple, as in DEEPaaS
    "UploadedFile",
    ("name", "filename", "content_type", "original_filename"),
    defaults=(None, None, None, None),
)
UploadedFile.__doc__ = """A file handed to a module's ``predict`` or ``train``.

Attributes:
    name: The name of the argument (the multipart field) that carried the file;
        ``deepaas-cli`` always uses ``"data"``.
    filename: Path of a temporary copy of the file; seascope deletes it after the request.
    content_type: The content type the client sent for the part (``image/jpeg``).
    original_filename: The client's name for the file (``cell.jpg``).
"""


class BaseModel(abc.ABC):
    """The optional base class of DEEPaaS v2 model modules.

    Only :meth:`get_metadata` is abstract. Every other method is optional: a module that
    lacks ``predict`` or ``train`` answers ``501 Not Implemented`` on that route.
    Arguments are dictionaries of marshmallow (webargs) fields.

    Example:
        >>> class Model(BaseModel):
        ...     def get_metadata(self):
        ...         return {"name": "demo", "description": "A demo module."}
        >>> Model().get_metadata()["name"]
        'demo'
    """

    schema: Any = None
    """Optional response schema: a dict of marshmallow fields or a ``marshmallow.Schema``."""

    @abc.abstractmethod
    def get_metadata(self) -> dict[str, Any]:
        """Metadata of the model (name, description, author, license, version ...)."""

    def warm(self) -> None:  # noqa: B027 - optional hook, empty on purpose
        """Load weights and prepare for predictions; called once at start-up."""

    def get_predict_args(self) -> dict[str, Any]:
        """Arguments of ``predict`` as a dict of marshmallow fields."""
        return {}

    def predict(self, **kwargs: Any) -> Any:
        """Run a prediction; returns JSON-serialisable data, bytes, or a file."""
        raise NotImplementedError

    def get_train_args(self) -> dict[str, Any]:
        """Arguments of ``train`` as a dict of marshmallow fields."""
        return {}

    def train(self, **kwargs: Any) -> Any:
        """Train the model; returns JSON-serialisable data."""
        raise NotImplementedError

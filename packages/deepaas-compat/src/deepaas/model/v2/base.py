"""``BaseModel``: the optional abstract base class of DEEPaaS v2 modules."""

from seascope.deepaas.files import BaseModel

__all__ = ["BaseModel"]

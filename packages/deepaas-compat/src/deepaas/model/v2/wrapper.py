"""``UploadedFile`` exactly as DEEPaaS 2.x defines it (re-exported from seascope)."""

from seascope.deepaas.files import UploadedFile

__all__ = ["UploadedFile"]

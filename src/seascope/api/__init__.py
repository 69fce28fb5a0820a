"""The native HTTP API (``/v1``): modules, predictions, training jobs, health."""

from seascope.api.errors import error_body, install_error_handlers, status_for
from seascope.api.router import build_api_router

__all__ = ["build_api_router", "error_body", "install_error_handlers", "status_for"]

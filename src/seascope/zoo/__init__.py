"""Built-in model modules, registered through the ``seascope.modules`` entry points.

The core never imports this package; it finds these modules like any third-party one.
"""

__all__: list[str] = []

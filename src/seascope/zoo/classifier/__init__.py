"""The plankton image classifier module (timm + torch), registered as ``classifier``.

Import :mod:`seascope.zoo.classifier.manifest` for the manifest alone (no torch);
the module class lives in :mod:`seascope.zoo.classifier.module`.
"""

__all__: list[str] = []

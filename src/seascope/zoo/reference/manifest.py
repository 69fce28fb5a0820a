"""Manifest of the reference module (imports only seascope.modules)."""

from seascope.modules import ModuleManifest

MANIFEST = ModuleManifest(
    name="reference",
    version="1.0.0",
    title="Reference particle classifier (nearest centroid)",
    summary=(
        "A numpy-only nearest-centroid classifier on size, shape, grey-level and texture "
        "features of a particle image. Small, fast and deterministic: the platform's test "
        "double and a sensible baseline."
    ),
    description=(
        "Segments the particle from its background, measures 20 features (size, elongation, "
        "fill, darkness, edge density, radial profile, colour) and assigns the class with the "
        "nearest standardised centroid. Without trained weights it uses centroids learnt from "
        "seascope's synthetic plankton-like demo set (chain, spiny, ciliated, disc, filament, "
        "horned). Train it on a folder per class to get your own model file (.npz)."
    ),
    task="image-classification",
    entry="seascope.zoo.reference.module:ReferenceClassifier",
    capabilities=frozenset({"predict", "train", "embed"}),
    license="Apache-2.0",
    authors=("seascope developers",),
    tags=("baseline", "plankton", "numpy", "FlowCam", "IFCB"),
)

__all__ = ["MANIFEST"]

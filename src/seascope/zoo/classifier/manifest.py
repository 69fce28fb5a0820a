"""Manifest of the plankton image classifier (imports only seascope.modules, never torch)."""

from seascope.modules import ModuleManifest

MANIFEST = ModuleManifest(
    name="classifier",
    version="1.0.0",
    title="Plankton image classifier (timm CNN)",
    summary=(
        "Fine-tunes any timm backbone (default EfficientNet-Lite0) on plankton crops and "
        "predicts the top classes with calibrated probabilities and an 'unknown' flag."
    ),
    description=(
        "Train on a folder per class, a CSV table, planktonclas split lists or an EcoTaxa "
        "export. Crops are padded to a square with their background colour (never "
        "stretched), augmented with rotations, flips, brightness/contrast, blur and noise, "
        "and sampled class-balanced. Training uses AdamW with warm-up and cosine decay, "
        "label smoothing and early stopping on validation macro-F1, resumes from its last "
        "checkpoint, and writes a model package (safetensors weights, ONNX graph, model "
        "card with metrics, calibration temperature, unknown threshold and dataset "
        "fingerprint). Without a package the module runs an untrained network over the "
        "synthetic demo classes, for wiring checks only: train it or pass --weights."
    ),
    task="image-classification",
    entry="seascope.zoo.classifier.module:PlanktonClassifier",
    capabilities=frozenset({"predict", "train", "embed"}),
    license="Apache-2.0",
    authors=("seascope developers",),
    tags=("plankton", "phytoplankton", "FlowCam", "IFCB", "ZooScan", "timm", "onnx"),
)

__all__ = ["MANIFEST"]

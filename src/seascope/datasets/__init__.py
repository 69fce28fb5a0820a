"""Datasets: formats, checks, splits and the synthetic plankton-like demo set."""

from seascope.datasets.folder import IMAGE_SUFFIXES, LabelledImage, scan_class_folders
from seascope.datasets.synthetic import MORPHOLOGIES, generate_dataset, render_particle

__all__ = [
    "IMAGE_SUFFIXES",
    "MORPHOLOGIES",
    "LabelledImage",
    "generate_dataset",
    "render_particle",
    "scan_class_folders",
]

"""The controlled vocabularies of ai4-metadata v2 (tasks, libraries, categories, data types).

The values are those of the vendored 2.3.0 schema (``schemata/ai4-apps-v2.3.0.json``);
``tests/unit/catalog/test_vocabulary.py`` checks that they stay equal to its enums.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "AI4_CATEGORIES",
    "AI4_DATA_TYPES",
    "AI4_LIBRARIES",
    "AI4_TASKS",
    "Ai4Category",
    "Ai4DataType",
    "Ai4Library",
    "Ai4Task",
]

Ai4Task = Literal[
    "Computer Vision",
    "Natural Language Processing",
    "Time Series",
    "Recommender Systems",
    "Anomaly Detection",
    "Regression",
    "Classification",
    "Clustering",
    "Dimensionality Reduction",
    "Generative Models",
    "Graph Neural Networks",
    "Optimization",
    "Reinforcement Learning",
    "Transfer Learning",
    "Uncertainty Estimation",
    "Other",
]
Ai4Library = Literal[
    "TensorFlow",
    "PyTorch",
    "Keras",
    "Scikit-learn",
    "XGBoost",
    "LightGBM",
    "CatBoost",
    "Other",
]
Ai4Category = Literal["AI4 pre trained", "AI4 trainable", "AI4 inference", "AI4 tools"]
Ai4DataType = Literal["Image", "Text", "Time Series", "Tabular", "Graph", "Audio", "Video", "Other"]

AI4_TASKS: tuple[str, ...] = get_args(Ai4Task)
AI4_LIBRARIES: tuple[str, ...] = get_args(Ai4Library)
AI4_CATEGORIES: tuple[str, ...] = get_args(Ai4Category)
AI4_DATA_TYPES: tuple[str, ...] = get_args(Ai4DataType)

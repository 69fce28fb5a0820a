"""seascope predictions in the planktonclas layout."""

from __future__ import annotations

from seascope.deepaas.served_seascope import planktonclas_predictions
from seascope.inference import PredictionResult
from seascope.types import Box, ClassScore, Prediction


def test_classification_layout_is_aligned_with_filenames() -> None:
    result = PredictionResult(
        [
            Prediction(
                input="a.jpg",
                classes=(
                    ClassScore(label="Chaetoceros", score=0.9, aphia_id=148985),
                    ClassScore(label="Ditylum", score=0.1),
                ),
            ),
            Prediction(input="b.jpg", classes=(ClassScore(label="Ditylum", score=1.0),)),
        ],
        0.0,
        0.0,
    )
    assert planktonclas_predictions(result) == {
        "filenames": ["a.jpg", "b.jpg"],
        "pred_lab": [["Chaetoceros", "Ditylum"], ["Ditylum"]],
        "pred_prob": [[0.9, 0.1], [1.0]],
        "aphia_ids": [[148985, None], [None]],
    }


def test_boxes_and_extras_are_added_when_present() -> None:
    box = Box(x1=0, y1=0, x2=1, y2=1, label="cell", score=0.5)
    result = PredictionResult(
        [Prediction(input="a.jpg", boxes=(box,), extra={"count": 1}), Prediction(input="b.jpg")],
        0.0,
        0.0,
    )
    shaped = planktonclas_predictions(result)
    assert shaped["boxes"] == [[box.model_dump(mode="json")], []]
    assert shaped["extra"] == [{"count": 1}, {}]

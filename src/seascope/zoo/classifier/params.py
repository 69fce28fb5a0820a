"""Parameters of the classifier module: what a prediction and a training accept."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["PredictParams", "TrainParams"]


class PredictParams(BaseModel):
    """Parameters of a prediction."""

    model_config = ConfigDict(extra="forbid")

    top_k: int = Field(default=5, ge=1, le=100, description="Number of classes returned per image.")
    tta: bool = Field(
        default=False,
        description="Test-time augmentation: average the 8 rotations/flips (8x slower).",
    )
    reject_unknown: bool = Field(
        default=True,
        description="Flag images below the model's confidence threshold as unknown.",
    )
    unknown_threshold: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="Override the model's unknown threshold (calibrated confidence).",
    )


class TrainParams(BaseModel):
    """Parameters of a training."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field(
        description=(
            "Dataset: a folder per class, a CSV table (path,label[,split,group]), a folder "
            "with classes.txt/train.txt split lists, or an EcoTaxa export (.tsv/.zip/folder)."
        )
    )
    dataset_format: Literal["auto", "folders", "csv", "split-lists", "ecotaxa"] = Field(
        default="auto", description="Layout of the dataset; auto detects it."
    )
    image_root: str | None = Field(
        default=None, description="Images folder for split lists and CSV tables."
    )
    backbone: str = Field(
        default="efficientnet_lite0", description="Any timm model name (timm.list_models())."
    )
    pretrained: str = Field(
        default="auto",
        description=(
            "Starting weights: auto (local cache or a weights package, else from scratch), "
            "none, or a .safetensors/.pth file or folder."
        ),
    )
    image_size: int = Field(default=128, ge=16, le=1024, description="Input side in pixels.")
    size_mode: Literal["fit", "preserve"] = Field(
        default="fit",
        description="fit: scale every crop to the input; preserve: never enlarge small crops.",
    )
    epochs: int = Field(default=30, ge=1, le=10_000, description="Most training epochs.")
    batch_size: int = Field(default=32, ge=1, le=4096, description="Images per step.")
    lr: float = Field(default=1e-3, gt=0.0, le=10.0, description="Peak AdamW learning rate.")
    weight_decay: float = Field(default=0.05, ge=0.0, le=10.0, description="AdamW weight decay.")
    warmup_epochs: float = Field(
        default=1.0, ge=0.0, le=100.0, description="Linear warm-up before the cosine decay."
    )
    label_smoothing: float = Field(default=0.1, ge=0.0, lt=1.0, description="Label smoothing.")
    balanced_sampling: bool = Field(
        default=True, description="Draw classes in proportion to the square root of their size."
    )
    val_fraction: float = Field(
        default=0.15, gt=0.0, lt=1.0, description="Share of each class held out for validation."
    )
    test_fraction: float = Field(
        default=0.15, ge=0.0, lt=1.0, description="Share of each class held out for testing."
    )
    grouped: bool = Field(
        default=False, description="Keep each sample (group) within one split (needs groups)."
    )
    seed: int = Field(default=0, ge=0, description="Seed of splits, sampling and initialisation.")
    patience: int = Field(
        default=8, ge=1, description="Stop after this many epochs without a better val macro-F1."
    )
    num_workers: int | None = Field(
        default=None,
        ge=0,
        le=64,
        description="Loader worker processes (default: sized to the machine).",
    )
    amp: bool = Field(default=True, description="Mixed precision and channels-last on CUDA.")
    skip_unreadable: bool = Field(
        default=False,
        description="Leave unreadable images out with a warning instead of refusing the dataset.",
    )
    resume_from: str | None = Field(
        default=None,
        description=(
            "Checkpoint (last.pt) or output folder to resume; an output folder that already "
            "holds a checkpoint is resumed automatically."
        ),
    )
    tta: bool = Field(
        default=False, description="Also calibrate and evaluate test-time augmentation."
    )
    unknown_target_accuracy: float | None = Field(
        default=0.95,
        gt=0.0,
        le=1.0,
        description="Accuracy the unknown threshold must reach on val (null: never reject).",
    )
    export_onnx: bool = Field(default=True, description="Add model.onnx to the package.")
    aphia_ids: dict[str, int] = Field(
        default_factory=dict, description="Class name to WoRMS AphiaID, stored in the package."
    )

    @model_validator(mode="after")
    def _fractions_leave_training_data(self) -> TrainParams:
        if self.val_fraction + self.test_fraction >= 1.0:
            raise ValueError(
                f"val_fraction + test_fraction = {self.val_fraction + self.test_fraction:g} "
                "leaves nothing for training"
            )
        return self

"""Image datasets and loaders for training: decode once, augment every epoch.

Images are decoded with :func:`seascope.imaging.decode_image` (the serving path's
decoder, so training and prediction see the same pixels) and passed through the
deterministic base transform (pad to square, resize). When the resized images fit in
:data:`DEFAULT_CACHE_BYTES`, that happens once, up front, and epochs only augment small
uint8 tensors; larger datasets decode on the fly in the loader's workers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset, Sampler, WeightedRandomSampler

from seascope.errors import DatasetError, InvalidInput
from seascope.imaging import decode_image
from seascope.vision.transforms import Transform, image_to_tensor

__all__ = [
    "DEFAULT_CACHE_BYTES",
    "LabelledFile",
    "LabelledImages",
    "class_balanced_weights",
    "make_loader",
]

DEFAULT_CACHE_BYTES = 2 * 1024**3
"""Largest total size of resized images kept in memory (2 GiB)."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LabelledFile:
    """One image file and its class id."""

    path: Path
    label: int


class LabelledImages(Dataset[tuple[torch.Tensor, int]]):
    """``(image tensor, class id)`` pairs: base transform, then ``augment`` and ``finish``.

    Args:
        files: The images.
        base: Deterministic uint8 step (pad to square, resize); its result may be cached.
        augment: Random uint8 step applied on every access (``None`` for evaluation).
        finish: Final step, usually :func:`~seascope.vision.transforms.normalise`.
        image_size: Side of the base output, used to size the cache.
        cache_bytes: Cache the base output when it fits in this many bytes.
        progress: Called as ``progress(done, total)`` while the cache is filled.

    Raises:
        DatasetError: an image cannot be decoded (listing every such file).
    """

    def __init__(
        self,
        files: Sequence[LabelledFile],
        *,
        base: Transform,
        augment: Transform | None,
        finish: Transform,
        image_size: int,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        progress: Progress | None = None,
    ) -> None:
        self.files = list(files)
        self.base = base
        self.augment = augment
        self.finish = finish
        self._cache: torch.Tensor | None = None
        if self.files and len(self.files) * 3 * image_size * image_size <= cache_bytes:
            self._cache = self._fill_cache(image_size, progress)

    @property
    def labels(self) -> list[int]:
        """The class id of every image, in order."""
        return [item.label for item in self.files]

    @property
    def is_cached(self) -> bool:
        """Whether the base-transformed images are held in memory."""
        return self._cache is not None

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, int]:
        image = self._cache[index] if self._cache is not None else self._load(index)
        if self.augment is not None:
            image = self.augment(image)
        return self.finish(image), self.files[index].label

    def _load(self, index: int) -> torch.Tensor:
        path = self.files[index].path
        try:
            decoded = decode_image(path.read_bytes(), str(path))
        except (InvalidInput, OSError) as exc:
            raise DatasetError(f"{path}: cannot read the image: {exc}") from exc
        return self.base(image_to_tensor(decoded.array))

    def _fill_cache(self, image_size: int, progress: Progress | None) -> torch.Tensor:
        cache = torch.empty((len(self.files), 3, image_size, image_size), dtype=torch.uint8)
        failures: list[str] = []
        for index in range(len(self.files)):
            try:
                cache[index] = self._load(index)
            except DatasetError as exc:
                failures.append(exc.message)
            if progress is not None:
                progress(index + 1, len(self.files))
        if failures:
            shown = "; ".join(failures[:5])
            more = f" and {len(failures) - 5} more" if len(failures) > 5 else ""
            raise DatasetError(f"{len(failures)} image(s) cannot be read: {shown}{more}")
        return cache


def class_balanced_weights(labels: Sequence[int], *, alpha: float = 0.5) -> list[float]:
    """Per-image sampling weights ``1 / n_c ** alpha`` for an image of class ``c``.

    With ``alpha = 0.5`` a class is drawn in proportion to the square root of its size:
    rare classes are seen far more often than in plain shuffling, without repeating a
    handful of images hundreds of times per epoch (``alpha = 1`` gives equal classes).
    """
    counts = Counter(labels)
    return [1.0 / counts[label] ** alpha for label in labels]


def make_loader(
    dataset: LabelledImages,
    *,
    batch_size: int,
    shuffle: bool,
    balanced: bool = False,
    num_workers: int = 0,
    seed: int = 0,
    pin_memory: bool = False,
    drop_last: bool = False,
) -> DataLoader[tuple[torch.Tensor, int]]:
    """A loader with seeded order; class-balanced sampling when ``balanced`` is set.

    Workers persist across epochs (no re-spawn per epoch). The sampler and shuffle draw
    from ``loader.generator``, seeded with ``seed``; the training loop reseeds it at the
    start of every epoch so that a resumed run sees the same order.
    """
    generator = torch.Generator()
    generator.manual_seed(seed)
    sampler: Sampler[int] | None = None
    if balanced:
        sampler = WeightedRandomSampler(
            class_balanced_weights(dataset.labels),
            num_samples=len(dataset),
            replacement=True,
            generator=generator,
        )
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=shuffle and sampler is None,
        sampler=sampler,
        num_workers=num_workers,
        persistent_workers=num_workers > 0,
        pin_memory=pin_memory,
        drop_last=drop_last and len(dataset) > batch_size,
        generator=generator,
        worker_init_fn=_seed_worker,
    )


def _seed_worker(worker_id: int) -> None:  # noqa: ARG001 - DataLoader's signature
    # torch seeds each worker from the loader's generator; numpy needs it passed on.
    np.random.seed(torch.initial_seed() % 2**32)

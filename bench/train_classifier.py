"""Training throughput: seascope's classifier loop against a minimal plain PyTorch loop.

Both loops train the same timm model (same initial weights), with the same batch size,
on the same cached, augmented images from the same DataLoader, on the same device, in
the same run; the runs alternate so that machine load hits both alike. The seascope
loop is :func:`seascope.vision.loop.train_epoch` with what the classifier adds around a
step (warm-up + cosine schedule stepped per batch, label smoothing, loss accumulated on
the device, a stop check and a progress callback per step). A third line times the full
:func:`seascope.vision.fitting.fit_classifier` (its per-epoch training throughput).

One JSON line per result: ``name``, ``images_per_s`` (median over the timed epochs),
``ratio`` to the plain loop (``goal`` 0.9 and ``ok`` on the seascope-loop line). The two
loops run alternately (ABBA order) and their ratio is the median of the per-round
ratios, which cancels most of the load drift of a shared machine; the full fit runs on
its own afterwards.

    python bench/train_classifier.py --quick            # < 1 minute on 2 CPU cores
    python bench/train_classifier.py --device cuda --amp --image-size 224 --batch-size 128
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import timm
import torch
from torch import nn

from seascope.datasets import generate_dataset, read_class_folders
from seascope.vision.data import LabelledFile, LabelledImages, make_loader
from seascope.vision.fitting import FitConfig, FitData, fit_classifier
from seascope.vision.loop import train_epoch
from seascope.vision.runtime import Precision, autocast, resolve_device, resolve_precision
from seascope.vision.schedule import warmup_cosine
from seascope.vision.transforms import build_base_transform, build_train_transform, normalise

GOAL = 0.9
"""seascope's loop should keep at least 90 % of the plain loop's throughput."""


class _NoContext:
    """A training context that records nothing (the platform's costs are not the loop's)."""

    def __init__(self, output_dir: Path, device: str) -> None:
        self.output_dir = output_dir
        self.device = device

    def log_metrics(self, metrics: Mapping[str, float], *, step: int | None = None) -> None:  # noqa: ARG002
        return None

    def report_progress(self, done: int, total: int, *, message: str = "") -> None:  # noqa: ARG002
        return None

    def should_stop(self) -> bool:
        return False


def plain_epoch(
    network: nn.Module,
    loader: torch.utils.data.DataLoader[tuple[torch.Tensor, int]],
    optimizer: torch.optim.Optimizer,
    device: torch.device,
    precision: Precision,
) -> tuple[int, float]:
    """The textbook loop: forward, cross-entropy, backward, step."""
    network.train()
    started = time.perf_counter()
    images = 0
    for inputs, targets in loader:
        inputs = inputs.to(device, non_blocking=True)
        if precision.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        targets = targets.to(device, non_blocking=True)
        optimizer.zero_grad(set_to_none=True)
        with autocast(device, precision):
            loss = nn.functional.cross_entropy(network(inputs), targets)
        loss.backward()
        optimizer.step()
        images += int(targets.shape[0])
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return images, time.perf_counter() - started


def seascope_epoch(
    network: nn.Module,
    loader: torch.utils.data.DataLoader[tuple[torch.Tensor, int]],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    device: torch.device,
    precision: Precision,
) -> tuple[int, float]:
    """seascope's training loop with the classifier's loss, schedule and callbacks."""
    last = [0.0]
    reports: list[int] = []

    def on_step(images: int) -> None:
        # What fitting does per step: a clock read and, once a second, a progress report.
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            reports.append(images)

    started = time.perf_counter()
    stats = train_epoch(
        network,
        loader,
        optimizer=optimizer,
        scheduler=scheduler,
        loss_fn=nn.CrossEntropyLoss(label_smoothing=0.1),
        device=device,
        precision=precision,
        scaler=torch.amp.GradScaler(device.type) if precision.needs_scaler else None,
        should_stop=lambda: False,
        on_step=on_step,
    )
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return stats.images, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small run, under a minute")
    parser.add_argument("--dataset", type=Path, help="folder per class (default: synthetic)")
    parser.add_argument("--backbone", default=None)
    parser.add_argument("--image-size", type=int, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    parser.add_argument("--images", type=int, default=None, help="synthetic images per class")
    parser.add_argument("--rounds", type=int, default=None, help="timed epochs per loop")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--amp", action="store_true", help="mixed precision (CUDA only)")
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args(argv)
    backbone = args.backbone or ("resnet10t" if args.quick else "efficientnet_lite0")
    image_size = args.image_size or (48 if args.quick else 128)
    batch_size = args.batch_size or (16 if args.quick else 32)
    per_class = args.images or (16 if args.quick else 64)
    rounds = args.rounds or (6 if args.quick else 8)
    device = resolve_device(args.device)
    precision = resolve_precision(device, amp=args.amp)
    with tempfile.TemporaryDirectory(prefix="seascope-bench-") as work:
        root = args.dataset
        if root is None:
            root = Path(work) / "data"
            generate_dataset(root, per_class=per_class, seed=0)
        manifest = read_class_folders(root)
        index = {name: i for i, name in enumerate(manifest.classes)}
        files = [LabelledFile(manifest.path_of(r), index[r.label]) for r in manifest.rows]
        cfg = timm.data.resolve_model_data_config(timm.create_model(backbone))
        dataset = LabelledImages(
            files,
            base=build_base_transform(image_size),
            augment=build_train_transform(),
            finish=normalise(cfg["mean"], cfg["std"]),
            image_size=image_size,
        )
        loader = make_loader(
            dataset,
            batch_size=batch_size,
            shuffle=True,
            num_workers=args.workers,
            seed=0,
            pin_memory=device.type == "cuda",
            drop_last=True,
        )
        torch.manual_seed(0)
        initial = timm.create_model(backbone, num_classes=len(manifest.classes))
        networks = {}
        optimizers: dict[str, torch.optim.Optimizer] = {}
        for name in ("plain-pytorch", "seascope-loop"):
            network = copy.deepcopy(initial).to(device)
            if precision.channels_last:
                network = network.to(memory_format=torch.channels_last)
            networks[name] = network
            optimizers[name] = torch.optim.AdamW(network.parameters(), lr=1e-3)
        scheduler = warmup_cosine(
            optimizers["seascope-loop"],
            warmup_steps=len(loader),
            total_steps=(rounds + 1) * len(loader),
        )
        speeds: dict[str, list[float]] = {name: [] for name in networks}
        ratios: list[float] = []
        names = list(networks)
        for round_index in range(rounds + 1):  # the first round warms up, untimed
            # ABBA order: a load change during the run hits both loops alike.
            order = names if round_index % 2 == 0 else names[::-1]
            measured: dict[str, float] = {}
            for name in order:
                network = networks[name]
                if name == "plain-pytorch":
                    images, seconds = plain_epoch(
                        network, loader, optimizers[name], device, precision
                    )
                else:
                    images, seconds = seascope_epoch(
                        network, loader, optimizers[name], scheduler, device, precision
                    )
                measured[name] = images / seconds
            if round_index > 0:
                for name, speed in measured.items():
                    speeds[name].append(speed)
                ratios.append(measured["seascope-loop"] / measured["plain-pytorch"])
        config = FitConfig(
            backbone=backbone,
            image_size=image_size,
            batch_size=batch_size,
            epochs=rounds + 1,
            pretrained="none",
            num_workers=args.workers,
            amp=args.amp,
            balanced_sampling=False,
            patience=1000,
        )
        fit = fit_classifier(
            config,
            FitData(manifest.classes, files, files[::5]),
            _NoContext(Path(work) / "fit", str(device)),
            checkpoint_dir=Path(work) / "fit" / "checkpoints",
        )
        speeds["seascope-fit"] = [entry["images_per_s"] for entry in fit.history[1:]]
    plain = statistics.median(speeds["plain-pytorch"])
    paired = {"plain-pytorch": 1.0, "seascope-loop": statistics.median(ratios)}
    common = {
        "backbone": backbone,
        "image_size": image_size,
        "batch_size": batch_size,
        "images": len(files),
        "device": str(device),
        "amp": precision.enabled,
        "rounds": rounds,
    }
    for name, values in speeds.items():
        speed = statistics.median(values)
        # Loops run in alternation are compared round by round (median of the paired
        # ratios); the full fit runs on its own, so its ratio is against the median.
        ratio = paired.get(name, speed / plain)
        line: dict[str, object] = {
            "name": name,
            "images_per_s": round(speed, 2),
            "ratio": round(ratio, 3),
            "paired": name in paired,
        }
        if name == "seascope-loop":
            line.update(goal=GOAL, ok=ratio >= GOAL)
        sys.stdout.write(json.dumps({**line, **common}) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

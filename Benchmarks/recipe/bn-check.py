#!/usr/bin/env python3
"""Checks whether a Condense checkpoint's evaluation-mode batch-norm statistics fit its weights: scores the validation
split (1) as Condense evaluates it, with the stored running statistics, (2) after re-estimating every batch norm's
statistics from training images with the weights fixed (PyTorch's momentum=None: the exact average over batches),
and (3) in training mode (each batch normalized by its own statistics). A large rise from (1) to (2) means the
running averages lag the weights (they were updated while the weights moved fast), not that the weights are bad.

Usage: Benchmarks/recipe/bn-check.py CHECKPOINT.safetensors DATA.npz [--images 4096]
(with PyTorch, e.g. Benchmarks/.venv/bin/python; run from the repository root)"""
import argparse
import json
import os
import sys

import struct

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
from models_torch import CIFARResNet, MobileNetV2  # noqa: E402


def read_safetensors(path):
    """The float32 tensors and the metadata of a safetensors file (the format is small enough to read by hand)."""
    with open(path, "rb") as file:
        (length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(length))
        body = file.read()
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        if entry["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {entry['dtype']}; a float32 checkpoint expected")
        start, end = entry["data_offsets"]
        tensors[name] = torch.from_numpy(np.frombuffer(body[start:end], dtype="<f4").copy()).view(entry["shape"])
    return tensors, metadata


def condense_name(name):
    """Condense's (torchvision's) name of a models_torch tensor: the projection of an inverted residual block is a
    conv and a batch norm side by side there (`conv.2`, `conv.3`), where models_torch nests them (`conv.2.0`,
    `conv.2.1`)."""
    parts = name.split(".")
    if len(parts) >= 6 and parts[0] == "features" and parts[2] == "conv" and parts[4] in ("0", "1"):
        return ".".join(parts[:3] + [str(int(parts[3]) + int(parts[4]))] + parts[5:])
    return name


def load_model(path):
    tensors, metadata = read_safetensors(path)
    channels, side, _ = json.loads(metadata["input_shape"])
    width, classes = float(metadata["width"]), int(metadata["classes"])
    model = (MobileNetV2(width, classes, side, channels) if metadata["architecture"] == "mobilenetv2"
             else CIFARResNet(3, width, classes, channels))
    state = model.state_dict()
    names = {name: name if name in tensors else condense_name(name) for name in state}
    missing = [name for name, ours in names.items() if ours not in tensors and not name.endswith("num_batches_tracked")]
    if missing:
        raise SystemExit(f"{path}: the PyTorch model has tensors the checkpoint lacks: {missing[:5]}")
    model.load_state_dict({name: tensors.get(names[name], state[name]) for name in state})
    mean = torch.tensor(json.loads(metadata["normalization_mean"])).view(1, -1, 1, 1)
    std = torch.tensor(json.loads(metadata["normalization_std"])).view(1, -1, 1, 1)
    return model, mean, std


def split(data, name, mean, std):
    images = data[f"{name}_images"]
    images = images[:, None] if images.ndim == 3 else images.transpose(0, 3, 1, 2)
    return (torch.from_numpy(images.astype(np.float32) / 255) - mean) / std, torch.from_numpy(
        data[f"{name}_labels"].reshape(-1).astype(np.int64))


def accuracy(model, images, labels, training=False):
    model.train(training)
    with torch.no_grad():
        predictions = torch.cat([model(images[i:i + 128]).argmax(1) for i in range(0, len(labels), 128)])
    return float((predictions == labels).float().mean())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint")
    parser.add_argument("data")
    parser.add_argument("--images", type=int, default=4096)
    args = parser.parse_args()
    model, mean, std = load_model(args.checkpoint)
    data = np.load(args.data)
    val_x, val_y = split(data, "val", mean, std)
    train_x, _ = split(data, "train", mean, std)
    result = {"stored": accuracy(model, val_x, val_y), "training_mode": accuracy(model, val_x, val_y, training=True)}
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    stored_var = torch.cat([n.running_var.clone() for n in norms])
    for norm in norms:
        norm.reset_running_stats()
        norm.momentum = None
    model.train()
    with torch.no_grad():
        for i in range(0, min(args.images, len(train_x)), 128):
            model(train_x[i:i + 128])
    result["recalibrated"] = accuracy(model, val_x, val_y)
    fresh_var = torch.cat([n.running_var for n in norms])
    ratio = (stored_var / fresh_var.clamp_min(1e-12)).log10().abs()
    result["running_var_log10_ratio_max"] = float(ratio.max())
    result["running_var_log10_ratio_median"] = float(ratio.median())
    print(json.dumps(result))


if __name__ == "__main__":
    main()

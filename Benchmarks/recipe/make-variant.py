#!/usr/bin/env python3
"""Writes a BloodMNIST variant that Condense's recipe was not tuned on, as a MedMNIST-style .npz.

The recipe's defaults were chosen on BloodMNIST (RGB, 8 classes). A variant changes what the data looks like while
keeping it learnable, to check that `condense run` holds elsewhere:

  --grey         luminance only (ITU-R BT.601 weights), one channel, as grey CT or X-ray subsets are
  --classes 0,3  keep these classes only, relabelled 0, 1, … in the order given
  --repeat N     repeat the training split N times, each copy flipped/rotated by a multiple of 90° (more images
                 per epoch, as in a larger dataset)

Usage: Benchmarks/recipe/make-variant.py [--grey] [--classes LIST] [--repeat N] SOURCE.npz OUT.npz
"""
import argparse

import numpy as np


def grey(images):
    """Luminance of NHWC RGB uint8 images, as NHW uint8 (MedMNIST's grey layout)."""
    weights = np.array([0.299, 0.587, 0.114])
    return np.clip(np.rint(images.astype(np.float64) @ weights), 0, 255).astype(np.uint8)


def keep_classes(images, labels, classes):
    """The images of `classes`, relabelled by their position in `classes`."""
    flat = labels.reshape(-1)
    mask = np.isin(flat, classes)
    relabel = {old: new for new, old in enumerate(classes)}
    new_labels = np.array([relabel[int(value)] for value in flat[mask]], dtype=labels.dtype).reshape(-1, 1)
    return images[mask], new_labels


def repeated(images, labels, copies):
    """`copies` copies of the split, copy k rotated by k × 90° (and flipped from the fifth on)."""
    views = []
    for k in range(copies):
        view = np.rot90(images, k % 4, axes=(1, 2))
        views.append(view[:, :, ::-1] if k >= 4 else view)
    return np.concatenate(views), np.concatenate([labels] * copies)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source")
    parser.add_argument("out")
    parser.add_argument("--grey", action="store_true")
    parser.add_argument("--classes", type=lambda text: [int(part) for part in text.split(",")])
    parser.add_argument("--repeat", type=int, default=1)
    arguments = parser.parse_args()
    if not 1 <= arguments.repeat <= 8:
        parser.error(f"--repeat must be 1…8, got {arguments.repeat}")

    source = np.load(arguments.source)
    arrays = {}
    for split in ("train", "val", "test"):
        images, labels = source[f"{split}_images"], source[f"{split}_labels"]
        if arguments.classes:
            images, labels = keep_classes(images, labels, arguments.classes)
        if arguments.grey and images.ndim == 4:
            images = grey(images)
        if split == "train" and arguments.repeat > 1:
            images, labels = repeated(images, labels, arguments.repeat)
        arrays[f"{split}_images"] = np.ascontiguousarray(images)
        arrays[f"{split}_labels"] = labels
    np.savez_compressed(arguments.out, **arrays)
    for split in ("train", "val", "test"):
        print(f"{split}: {arrays[split + '_images'].shape} images, "
              f"{len(np.unique(arrays[split + '_labels']))} classes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the small datasets the ONNX check trains its models on, from a MedMNIST .npz:
  OUT/bloodmnist_slice.npz  the first 512 train, 128 val and 128 test images, as given (28 px);
  OUT/bloodmnist_large.npz  the first 256 train, 64 val and 256 test images upsampled 3x (84 px), so that models take
                            the large-image path (7x7 stride-2 stem, max pooling).
Usage: make_subsets.py DATA.npz OUT_DIR
"""
import sys

import numpy as np


def main(source, out):
    with np.load(source) as data:
        arrays = {key: data[key] for key in data.files}
    for name, counts, scale in (("slice", (512, 128, 128), 1), ("large", (256, 64, 256), 3)):
        subset = {}
        for split, count in zip(("train", "val", "test"), counts):
            subset[f"{split}_images"] = arrays[f"{split}_images"][:count].repeat(scale, axis=1).repeat(scale, axis=2)
            subset[f"{split}_labels"] = arrays[f"{split}_labels"][:count]
        np.savez(f"{out}/bloodmnist_{name}.npz", **subset)


if __name__ == "__main__":
    main(*sys.argv[1:])

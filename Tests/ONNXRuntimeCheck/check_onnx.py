#!/usr/bin/env python3
"""Runs Condense's ONNX exports in onnxruntime and compares them with Condense's own inference.

For each pair ONNX_FILE LOGITS_NPY (LOGITS_NPY written by `condense evaluate --split test --logits`), feeds the
test split of a MedMNIST .npz to onnxruntime as the exported graph expects it (float32 NCHW, pixels / 255, no
normalization: the graph normalizes) and checks:
  --fp32 pairs: max |ORT − Condense| ≤ 1e-4 × (max − min of Condense's logits);
  --int8 pairs: ORT's top-1 accuracy within 0.5 points of the accuracy of Condense's logits, and the two top-1
               predictions the same on at least 99% of the images (both compute the same integer arithmetic).
               This is asserted on the graph as ONNX defines it (ORT with basic optimizations: each QuantizeLinear,
               DequantizeLinear and float op run as written) and on ORT's default session (QDQ groups fused into
               integer kernels), whatever the processor: the export stores the weights as uint8 with zero point 128, so
               the fused kernels multiply uint8 by uint8, which MLAS does exactly (its u8s8 kernel on x86 without
               VNNI sums pairs of products in saturating int16, vpmaddubsw).
Also checks the graph's interface: input `image` [N, C, H, W] with a symbolic batch, output `logits` [N, classes],
and the metadata the export promises. Exits 1 listing every failed check.
"""
import argparse
import json
import sys

import numpy as np
import onnxruntime as ort

REQUIRED_METADATA = ["architecture", "width", "class_names", "condense_version", "normalization_mean",
                     "normalization_std"]


def test_images(npz_path):
    """The test split as float32 NCHW in [0, 1], and its labels."""
    with np.load(npz_path) as data:
        images, labels = data["test_images"], data["test_labels"].reshape(-1)
    if images.ndim == 3:  # grey: N, H, W
        images = images[:, None, :, :]
    else:  # N, H, W, C
        images = images.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(images, dtype=np.float32) / np.float32(255), labels.astype(np.int64)


def run(onnx_path, images, batch=512, optimization=ort.GraphOptimizationLevel.ORT_ENABLE_ALL):
    options = ort.SessionOptions()
    options.graph_optimization_level = optimization
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    problems = []
    (model_input,), (model_output,) = session.get_inputs(), session.get_outputs()
    if model_input.name != "image" or len(model_input.shape) != 4 or isinstance(model_input.shape[0], int):
        problems.append(f"input is {model_input.name} {model_input.shape}; expected image [N, C, H, W], N symbolic")
    if model_output.name != "logits" or len(model_output.shape) != 2:
        problems.append(f"output is {model_output.name} {model_output.shape}; expected logits [N, classes]")
    metadata = session.get_modelmeta().custom_metadata_map
    missing = [key for key in REQUIRED_METADATA if key not in metadata]
    if missing:
        problems.append(f"metadata lacks {missing}")
    elif not isinstance(json.loads(metadata["class_names"]), list):
        problems.append("metadata class_names is not a JSON array")
    outputs = [session.run(["logits"], {"image": images[i:i + batch]})[0] for i in range(0, len(images), batch)]
    return np.concatenate(outputs), problems


def compare_int8(onnx_path, session_name, theirs, ours, labels):
    """The int8 checks of one ORT session's logits against Condense's; the problems found."""
    theirs_accuracy = 100 * np.mean(theirs.argmax(1) == labels)
    ours_accuracy = 100 * np.mean(ours.argmax(1) == labels)
    agreement = 100 * np.mean(theirs.argmax(1) == ours.argmax(1))
    print(f"{onnx_path}: int8 ORT {session_name}: ACC {theirs_accuracy:.2f}%, Condense ACC {ours_accuracy:.2f}%, "
          f"same prediction on {agreement:.2f}% of the images")
    problems = []
    if not abs(theirs_accuracy - ours_accuracy) <= 0.5:
        problems.append(f"{session_name}: accuracy {theirs_accuracy:.2f}% vs Condense {ours_accuracy:.2f}%: "
                        "more than 0.5 points apart")
    if not agreement >= 99:
        problems.append(f"{session_name}: ORT and Condense predict the same class on only {agreement:.2f}% of the "
                        "images")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="MedMNIST .npz whose test split the logits belong to")
    parser.add_argument("--fp32", nargs=2, action="append", default=[], metavar=("ONNX", "LOGITS_NPY"))
    parser.add_argument("--int8", nargs=2, action="append", default=[], metavar=("ONNX", "LOGITS_NPY"))
    arguments = parser.parse_args()
    images, labels = test_images(arguments.data)
    failures = []
    for kind, pairs in (("fp32", arguments.fp32), ("int8", arguments.int8)):
        for onnx_path, logits_path in pairs:
            ours = np.load(logits_path)
            theirs, problems = run(onnx_path, images)
            if theirs.shape != ours.shape:
                problems.append(f"onnxruntime gives logits {theirs.shape}, Condense {ours.shape}")
            elif kind == "fp32":
                difference = float(np.max(np.abs(theirs - ours)))
                bound = 1e-4 * float(ours.max() - ours.min())
                print(f"{onnx_path}: fp32 max |ORT - Condense| = {difference:.3g} (bound {bound:.3g}), "
                      f"ORT ACC {np.mean(theirs.argmax(1) == labels):.4f}, Condense ACC "
                      f"{np.mean(ours.argmax(1) == labels):.4f}")
                if not difference <= bound:
                    problems.append(f"max |difference| {difference:.3g} exceeds 1e-4 x logit range = {bound:.3g}")
            else:
                basic = run(onnx_path, images, optimization=ort.GraphOptimizationLevel.ORT_ENABLE_BASIC)[0]
                for session_name, logits in (("as ONNX defines it", basic), ("default session", theirs)):
                    problems += compare_int8(onnx_path, session_name, logits, ours, labels)
            failures += [f"{onnx_path}: {problem}" for problem in problems]
    for failure in failures:
        print("FAILED " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runs Condense's TFLite exports in LiteRT (ai-edge-litert) and compares them with Condense's own inference.

For each pair TFLITE_FILE LOGITS_NPY (LOGITS_NPY written by `condense evaluate --split test --logits`), feeds the
test split of a MedMNIST .npz as the exported model expects it, with LiteRT's three kernel sets: the default
resolver (XNNPACK) and the optimized builtin kernels without it (BUILTIN, what runs where XNNPACK is off) on every
image, and the reference kernels (BUILTIN_REF, naive loops: minutes per model on the whole split) on the first
--reference-images, at a batch resized from the file's 1, and checks:
  --fp32 pairs: float32 NHWC pixels / 255 in; max |LiteRT - Condense| <= 1e-4 x (max - min of Condense's logits);
  --int8 pairs: uint8 NHWC pixels in; LiteRT's top-1 prediction equals that of Condense's integer inference on at
               least 99% of the images. With XNNPACK on every image. With the builtin and reference kernels on the
               images whose top two logits (Condense's) lie more than 5% of the logit range apart, and printed for
               all: those kernels requantize in fixed point (a rounding doubling high multiply by a 31-bit
               multiplier, then a rounding shift), XNNPACK, onnxruntime and Condense in float32 (one rounding of
               acc x scale), which moves a few outputs of a layer by one step, and near-ties flip. The two LiteRT
               kernel sets disagree with each other as much as with Condense (the run's MobileNetV2: 97.7% the same
               prediction on 300 images), so no one integer arithmetic matches all three.
Also checks the interface (input `image` [1, H, W, C] with batch -1 in its signature, uint8 for INT8 and float32
for FP32; output `logits` float32 [1, classes]) and that the file names its class names in its metadata. Prints
each model's accuracy in LiteRT. Exits 1 listing every failed check.
"""
import argparse
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType

RESOLVERS = [("XNNPACK", OpResolverType.AUTO), ("BUILTIN", OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES),
             ("BUILTIN_REF", OpResolverType.BUILTIN_REF)]


def test_images(npz_path):
    """The test split as uint8 NHWC, and its labels."""
    with np.load(npz_path) as data:
        images, labels = data["test_images"], data["test_labels"].reshape(-1)
    if images.ndim == 3:  # grey: N, H, W
        images = images[..., None]
    return np.ascontiguousarray(images), labels.astype(np.int64)


def run(path, images, resolver, batch=256):
    """LiteRT's logits for `images` (already typed as the model wants them), and the interface problems found."""
    interpreter = Interpreter(model_path=path, experimental_op_resolver_type=resolver)
    (model_input,), (model_output,) = interpreter.get_input_details(), interpreter.get_output_details()
    problems = []
    if model_input["name"] != "image" or list(model_input["shape_signature"]) != [-1, *images.shape[1:]] \
            or model_input["dtype"] != images.dtype:
        problems.append(f"input is {model_input['name']} {list(model_input['shape_signature'])} "
                        f"{model_input['dtype'].__name__}; expected image [-1, {', '.join(map(str, images.shape[1:]))}] "
                        f"{images.dtype}")
    if model_output["name"] != "logits" or model_output["dtype"] != np.float32 or len(model_output["shape"]) != 2:
        problems.append(f"output is {model_output['name']} {list(model_output['shape'])}; expected float32 logits "
                        "[N, classes]")
    outputs = []
    for start in range(0, len(images), batch):
        chunk = images[start:start + batch]
        interpreter.resize_tensor_input(model_input["index"], list(chunk.shape))
        interpreter.allocate_tensors()
        interpreter.set_tensor(model_input["index"], chunk)
        interpreter.invoke()
        outputs.append(interpreter.get_tensor(model_output["index"]).copy())
    return np.concatenate(outputs), problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="MedMNIST .npz whose test split the logits belong to")
    parser.add_argument("--fp32", nargs=2, action="append", default=[], metavar=("TFLITE", "LOGITS_NPY"))
    parser.add_argument("--int8", nargs=2, action="append", default=[], metavar=("TFLITE", "LOGITS_NPY"))
    parser.add_argument("--reference-images", type=int, default=300,
                        help="test images the reference kernels run on (default 300)")
    arguments = parser.parse_args()
    pixels, labels = test_images(arguments.data)
    failures = []
    for kind, pairs in (("fp32", arguments.fp32), ("int8", arguments.int8)):
        images = pixels if kind == "int8" else pixels.astype(np.float32) / np.float32(255)
        for path, logits_path in pairs:
            problems, logits = [], np.load(logits_path)
            if len(logits) != len(images):
                failures.append(f"{path}: Condense's logits hold {len(logits)} images, the test split {len(images)}")
                continue
            with open(path, "rb") as model_file:
                if b"class_names" not in model_file.read():
                    problems.append("metadata lacks class_names")
            for resolver_name, resolver in RESOLVERS:
                count = min(arguments.reference_images, len(images)) if resolver == OpResolverType.BUILTIN_REF \
                    else len(images)
                theirs, interface = run(path, images[:count], resolver)
                problems += interface
                ours, labels_seen = logits[:count], labels[:count]
                if theirs.shape != ours.shape:
                    problems.append(f"{resolver_name}: LiteRT gives logits {theirs.shape}, Condense {ours.shape}")
                    continue
                accuracy = 100 * np.mean(theirs.argmax(1) == labels_seen)
                ours_accuracy = 100 * np.mean(ours.argmax(1) == labels_seen)
                if kind == "fp32":
                    difference = float(np.max(np.abs(theirs - ours)))
                    bound = 1e-4 * float(logits.max() - logits.min())
                    print(f"{path}: fp32 {resolver_name} ({count} images): max |LiteRT - Condense| = "
                          f"{difference:.3g} (bound {bound:.3g}), LiteRT ACC {accuracy:.2f}%, Condense ACC {ours_accuracy:.2f}%")
                    if not difference <= bound:
                        problems.append(f"{resolver_name}: max |difference| {difference:.3g} exceeds 1e-4 x logit "
                                        f"range = {bound:.3g}")
                else:
                    same = theirs.argmax(1) == ours.argmax(1)
                    top_two = np.sort(ours, 1)[:, -2:]
                    decisive = top_two[:, 1] - top_two[:, 0] > 0.05 * float(logits.max() - logits.min())
                    fixed_point = resolver != OpResolverType.AUTO
                    asserted = same[decisive] if fixed_point else same
                    agreement = 100 * np.mean(asserted) if len(asserted) else 100.0
                    print(f"{path}: int8 {resolver_name} ({count} images): LiteRT ACC {accuracy:.2f}%, Condense ACC "
                          f"{ours_accuracy:.2f}%, same prediction on {100 * np.mean(same):.2f}% of the images"
                          + (f", {agreement:.2f}% of the {len(asserted)} decisive ones"
                             if fixed_point else ""))
                    if not agreement >= 99:
                        problems.append(f"{resolver_name}: LiteRT and Condense predict the same class on only "
                                        f"{agreement:.2f}% of the images")
            failures += [f"{path}: {problem}" for problem in problems]
    for failure in failures:
        print("FAILED " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

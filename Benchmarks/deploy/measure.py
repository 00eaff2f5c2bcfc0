#!/usr/bin/env python3
"""Measures exported Condense models where they run: accuracy, latency and throughput of .onnx files in onnxruntime
and .tflite files in LiteRT (ai-edge-litert), on this machine. Copy it with your files to the device you ship to.

For each MODEL file: top-1 accuracy on the test split (images fed as the file expects them: float32 pixels / 255,
NCHW for ONNX and NHWC for TFLite, or uint8 NHWC pixels for an INT8 .tflite), then with one thread and with all
threads: batch-1 latency, median and 95th percentile over --runs runs after --warmup runs, and batch-32 throughput
(images/s over --runs/10 batches). Prints a Markdown table; --json prints one JSON object instead.

Usage: measure.py (--data MEDMNIST.npz | --images UINT8_NHWC.npy --labels LABELS.npy) [--runs 200] [--json] MODEL...
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def test_split(arguments):
    """The test images as uint8 NHWC, and their labels."""
    if arguments.data:
        with np.load(arguments.data) as data:
            images, labels = data["test_images"], data["test_labels"]
    else:
        images, labels = np.load(arguments.images), np.load(arguments.labels)
    if images.ndim == 3:  # grey: N, H, W
        images = images[..., None]
    return np.ascontiguousarray(images), labels.reshape(-1).astype(np.int64)


class ONNXModel:
    """An .onnx file in onnxruntime's default CPU session; input float32 NCHW pixels in [0, 1]."""

    def __init__(self, path, threads):
        import onnxruntime as ort
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.input = self.session.get_inputs()[0].name

    def prepare(self, pixels):
        return np.ascontiguousarray(pixels.transpose(0, 3, 1, 2), dtype=np.float32) / np.float32(255)

    def __call__(self, batch):
        return self.session.run(None, {self.input: batch})[0]


class TFLiteModel:
    """A .tflite file in LiteRT with its default (XNNPACK) kernels; input as the file declares it (NHWC)."""

    def __init__(self, path, threads):
        from ai_edge_litert.interpreter import Interpreter
        self.interpreter = Interpreter(model_path=path, num_threads=threads)
        self.input = self.interpreter.get_input_details()[0]
        self.output = self.interpreter.get_output_details()[0]["index"]
        self.batch = None

    def prepare(self, pixels):
        return pixels if self.input["dtype"] == np.uint8 else pixels.astype(np.float32) / np.float32(255)

    def __call__(self, batch):
        if self.batch != len(batch):
            self.interpreter.resize_tensor_input(self.input["index"], list(batch.shape))
            self.interpreter.allocate_tensors()
            self.batch = len(batch)
        self.interpreter.set_tensor(self.input["index"], batch)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self.output)


def load(path, threads):
    return (TFLiteModel if path.endswith(".tflite") else ONNXModel)(path, threads)


def accuracy(model, images, labels, batch=256):
    predictions = np.concatenate([model(images[i:i + batch]).argmax(1) for i in range(0, len(images), batch)])
    return float(np.mean(predictions == labels))


def timings(model, images, runs, warmup):
    """Batch-1 latency median and p95 (ms) and batch-32 throughput (images/s)."""
    single = images[:1]
    for _ in range(warmup):
        model(single)
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        model(single)
        seconds.append(time.perf_counter() - start)
    batch = np.ascontiguousarray(np.resize(images, (32, *images.shape[1:])))
    model(batch)
    batches = max(runs // 10, 5)
    start = time.perf_counter()
    for _ in range(batches):
        model(batch)
    throughput = 32 * batches / (time.perf_counter() - start)
    return {"latency_ms_median": 1e3 * float(np.median(seconds)),
            "latency_ms_p95": 1e3 * float(np.percentile(seconds, 95)), "batch32_images_per_s": throughput}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data", help="MedMNIST .npz (its test split)")
    source.add_argument("--images", help="uint8 [N, H, W, C] or [N, H, W] .npy (with --labels)")
    parser.add_argument("--labels", help="integer labels .npy, one per image")
    parser.add_argument("--runs", type=int, default=200, help="timed batch-1 runs (at least 200 for the table)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("models", nargs="+", metavar="MODEL", help=".onnx or .tflite files")
    arguments = parser.parse_args()
    if arguments.images and not arguments.labels:
        parser.error("--images needs --labels")
    pixels, labels = test_split(arguments)
    every = os.cpu_count() or 1
    results = []
    for path in arguments.models:
        row = {"file": os.path.basename(path), "bytes": os.path.getsize(path)}
        for threads in sorted({1, every}):
            model = load(path, threads)
            images = model.prepare(pixels)
            if threads == 1:
                row["accuracy"] = accuracy(model, images, labels)
            row[f"threads_{threads}"] = timings(model, images, arguments.runs, arguments.warmup)
        results.append(row)
        print(f"measured {path}", file=sys.stderr)
    if arguments.json:
        print(json.dumps({"threads_all": every, "runs": arguments.runs, "models": results}, sort_keys=True))
        return
    print(f"| file | bytes | test ACC | threads | batch-1 median ms | batch-1 p95 ms | batch-32 images/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in results:
        for threads in sorted({1, every}):
            t = row[f"threads_{threads}"]
            print(f"| `{row['file']}` | {row['bytes']} | {100 * row['accuracy']:.2f}% | {threads} | "
                  f"{t['latency_ms_median']:.3f} | {t['latency_ms_p95']:.3f} | {t['batch32_images_per_s']:.0f} |")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Compares two Condense checkpoints (.safetensors) tensor by tensor, as numpy.allclose would: every element must
satisfy |a - b| <= atol + rtol * |b|. Prints the tensor closest to (or furthest past) its bound; exits 1 when any
element is out of bounds or the two files hold different tensors. Pure Python, so it runs before any .venv exists."""
import argparse
import array
import json
import struct
import sys

CODES = {"F32": "f", "F16": "e", "I32": "i", "I64": "q", "U8": "B", "I8": "b"}


def tensors(path):
    data = open(path, "rb").read()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + length])
    values = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        elements = array.array(CODES[entry["dtype"]])
        elements.frombytes(data[8 + length + begin:8 + length + end])
        values[name] = elements
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rtol", type=float, default=1e-4)
    parser.add_argument("--atol", type=float, default=1e-5)
    args = parser.parse_args()
    a, b = tensors(args.a), tensors(args.b)
    if a.keys() != b.keys():
        sys.exit(f"compare-checkpoints: the files hold different tensors: {sorted(a.keys() ^ b.keys())}")
    worst, worst_name = 0.0, None
    for name in sorted(a):
        if len(a[name]) != len(b[name]):
            sys.exit(f"compare-checkpoints: {name} has {len(a[name])} elements in one file, {len(b[name])} in the other")
        ratio = max((abs(x - y) / (args.atol + args.rtol * abs(y)) for x, y in zip(a[name], b[name])), default=0.0)
        if ratio >= worst:
            worst, worst_name = ratio, name
    verdict = "within" if worst <= 1 else "OUTSIDE"
    print(f"compare-checkpoints: worst tensor {worst_name} at {worst:.3g} of its bound "
          f"(rtol {args.rtol:g}, atol {args.atol:g}): {verdict}")
    sys.exit(0 if worst <= 1 else 1)


if __name__ == "__main__":
    main()

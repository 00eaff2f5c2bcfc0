#!/usr/bin/env bash
# Checks every export format against onnxruntime, a runtime Condense did not write (Tests/ONNXRuntimeCheck).
#
# Installs onnxruntime and numpy into .venv (gitignored), trains one tiny seeded model per architecture family for
# one epoch on a small slice of the embedded BloodMNIST data (the check is about agreement, not accuracy), exports
# each as ONNX, and compares onnxruntime's logits on the BloodMNIST test split with `condense evaluate --logits`
# (ResNet-18 also on 84-px images, for the 7x7 stem and max pooling). An FP16 export
# is loaded back, exported again and checked the same way. When pip cannot reach a package registry, prints
# "SKIPPED: ..." and exits 0; every other failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

python=.venv/bin/python
if ! { [ -x "$python" ] && "$python" -c "import onnxruntime, numpy" 2>/dev/null; }; then
    python3 -m venv .venv || { echo "check-onnx: python3 -m venv failed (install python3-venv)" >&2; exit 1; }
    if ! "$python" -m pip install --quiet --disable-pip-version-check --timeout 20 onnxruntime numpy; then
        if ! "$python" -m pip index versions numpy --disable-pip-version-check --timeout 20 >/dev/null 2>&1; then
            echo "SKIPPED: ONNX export check (pip could not reach a registry to install onnxruntime and numpy)"
            exit 0
        fi
        echo "check-onnx: pip reached a registry but could not install onnxruntime and numpy" >&2
        exit 1
    fi
fi

swift build -c release --product condense >/dev/null
condense=.build/release/condense
work=$(mktemp -d "${TMPDIR:-/tmp}/condense-onnx-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$python" Tests/ONNXRuntimeCheck/make_subsets.py Data/bloodmnist.npz "$work"

# Runs condense quietly on the CPU backend; on failure shows what it printed.
run() {
    "$condense" "$1" --device cpu "${@:2}" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
}

# Trains NAME (ARCHITECTURE at WIDTH) on TRAIN_DATA, exports it as ONNX, and writes its logits on TEST_DATA's test
# split.
prepare() {
    local name=$1 architecture=$2 width=$3 train_data=$4 test_data=$5
    echo "check-onnx: $name ($architecture width $width)" >&2
    run train --data "$train_data" --model "$architecture" --width "$width" --epochs 1 --batch 64 --seed 7 \
        --out "$work/$name.safetensors"
    run export --model "$work/$name.safetensors" --format onnx --out "$work/$name.onnx"
    run evaluate --model "$work/$name.safetensors" --data "$test_data" --split test --logits "$work/$name.npy"
}

data=Data/bloodmnist.npz slice=$work/bloodmnist_slice.npz large=$work/bloodmnist_large.npz
prepare resnet20 resnet20 0.25 "$slice" "$data"
prepare resnet18 resnet18 0.25 "$slice" "$data"
prepare mobilenetv2 mobilenetv2 0.35 "$slice" "$data"
prepare resnet50 resnet50 0.125 "$slice" "$data"
prepare resnet18-84px resnet18 0.125 "$large" "$large"

# FP16: export, load back (widened to float32), export that as ONNX, and check it like the others.
run export --model "$work/mobilenetv2.safetensors" --format fp16 --out "$work/mobilenetv2-fp16.safetensors"
run export --model "$work/mobilenetv2-fp16.safetensors" --format onnx --out "$work/mobilenetv2-fp16.onnx"
run evaluate --model "$work/mobilenetv2-fp16.safetensors" --data "$data" --split test \
    --logits "$work/mobilenetv2-fp16.npy"

pairs=()
for name in resnet20 resnet18 mobilenetv2 resnet50 mobilenetv2-fp16; do
    pairs+=(--fp32 "$work/$name.onnx" "$work/$name.npy")
done
"$python" Tests/ONNXRuntimeCheck/check_onnx.py --data "$data" "${pairs[@]}"
"$python" Tests/ONNXRuntimeCheck/check_onnx.py --data "$large" --fp32 "$work/resnet18-84px.onnx" "$work/resnet18-84px.npy"

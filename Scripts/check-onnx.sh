#!/usr/bin/env bash
# Checks every export format against onnxruntime, a runtime Condense did not write (Tests/ONNXRuntimeCheck).
#
# Installs onnxruntime and numpy into .venv (gitignored), trains one tiny seeded model per architecture family for
# one epoch on a small slice of the embedded BloodMNIST data (the check is about agreement, not accuracy), exports
# each as ONNX, and compares onnxruntime's logits on the BloodMNIST test split with `condense evaluate --logits`
# (ResNet-18 also on 84-px images, for the 7x7 stem and max pooling). An FP16 export
# is loaded back, exported again and checked the same way. Each model is also quantized to INT8 (calibration on the
# slice), exported as QDQ ONNX, and onnxruntime's accuracy compared with Condense's integer inference. When pip cannot reach a package registry, prints
# "SKIPPED: ..." and exits 0; every other failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

source Scripts/runtime-check.sh
runtime_check_setup check-onnx "ONNX export check" onnxruntime,numpy onnxruntime numpy

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

# Calibrates NAME to INT8 on CALIBRATION_DATA, exports it as QDQ ONNX, and writes its logits on TEST_DATA's test split.
quantize() {
    local name=$1 calibration_data=$2 test_data=$3
    echo "check-onnx: $name INT8" >&2
    run quantize --model "$work/$name.safetensors" --data "$calibration_data" --calibrate 4 --batch 64 \
        --out "$work/$name-int8.safetensors"
    run export --model "$work/$name-int8.safetensors" --format onnx-int8 --out "$work/$name-int8.onnx"
    run evaluate --model "$work/$name-int8.safetensors" --data "$test_data" --split test \
        --logits "$work/$name-int8.npy"
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

for name in resnet20 resnet18 mobilenetv2 resnet50; do quantize "$name" "$slice" "$data"; done
quantize resnet18-84px "$large" "$large"

pairs=()
for name in resnet20 resnet18 mobilenetv2 resnet50 mobilenetv2-fp16; do
    pairs+=(--fp32 "$work/$name.onnx" "$work/$name.npy")
done
for name in resnet20 resnet18 mobilenetv2 resnet50; do
    pairs+=(--int8 "$work/$name-int8.onnx" "$work/$name-int8.npy")
done
"$python" Tests/ONNXRuntimeCheck/check_onnx.py --data "$data" "${pairs[@]}"
"$python" Tests/ONNXRuntimeCheck/check_onnx.py --data "$large" --fp32 "$work/resnet18-84px.onnx" "$work/resnet18-84px.npy" \
    --int8 "$work/resnet18-84px-int8.onnx" "$work/resnet18-84px-int8.npy"

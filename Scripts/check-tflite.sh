#!/usr/bin/env bash
# Checks the TFLite exports against LiteRT, the runtime Condense did not write (Tests/TFLiteRuntimeCheck).
#
# Installs ai-edge-litert (and numpy) into .venv (gitignored, shared with Scripts/check-onnx.sh), trains one tiny
# seeded model per architecture family for one epoch on a small slice of the embedded BloodMNIST data (the check is
# about agreement, not accuracy), calibrates each to INT8, exports both as TFLite, and compares LiteRT's logits on
# the test split (default XNNPACK kernels and the optimized builtin ones on every image, the slow reference kernels
# on the first 300) with
# `condense evaluate --logits` (ResNet-18 also on 84-px images, for the 7x7 stem and max pooling). When pip cannot
# reach a package registry, prints "SKIPPED: ..." and exits 0; every other failure exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."

source Scripts/runtime-check.sh
runtime_check_setup check-tflite "TFLite export check" ai_edge_litert,numpy ai-edge-litert numpy

# Trains NAME (ARCHITECTURE at WIDTH) on TRAIN_DATA and calibrates it to INT8; exports both as TFLite and writes
# their logits on TEST_DATA's test split.
prepare() {
    local name=$1 architecture=$2 width=$3 train_data=$4 test_data=$5
    echo "check-tflite: $name ($architecture width $width)" >&2
    run train --data "$train_data" --model "$architecture" --width "$width" --epochs 1 --batch 64 --seed 7 \
        --out "$work/$name.safetensors"
    run quantize --model "$work/$name.safetensors" --data "$train_data" --calibrate 4 --batch 64 \
        --out "$work/$name-int8.safetensors"
    for model in "$name" "$name-int8"; do
        run evaluate --model "$work/$model.safetensors" --data "$test_data" --split test --logits "$work/$model.npy"
    done
    run export --model "$work/$name.safetensors" --format tflite --out "$work/$name.tflite"
    run export --model "$work/$name-int8.safetensors" --format tflite-int8 --out "$work/$name-int8.tflite"
}

data=Data/bloodmnist.npz slice=$work/bloodmnist_slice.npz large=$work/bloodmnist_large.npz
pairs=()
for family in "resnet20 0.25" "resnet18 0.25" "mobilenetv2 0.35" "resnet50 0.125"; do
    read -r architecture width <<<"$family"
    prepare "$architecture" "$architecture" "$width" "$slice" "$data"
    pairs+=(--fp32 "$work/$architecture.tflite" "$work/$architecture.npy"
            --int8 "$work/$architecture-int8.tflite" "$work/$architecture-int8.npy")
done
prepare resnet18-84px resnet18 0.125 "$large" "$large"

"$python" Tests/TFLiteRuntimeCheck/check_tflite.py --data "$data" "${pairs[@]}"
"$python" Tests/TFLiteRuntimeCheck/check_tflite.py --data "$large" \
    --fp32 "$work/resnet18-84px.tflite" "$work/resnet18-84px.npy" \
    --int8 "$work/resnet18-84px-int8.tflite" "$work/resnet18-84px-int8.npy"

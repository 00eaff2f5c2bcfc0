#!/usr/bin/env bash
# Offline distillation: the same un-augmented distillation run with the teacher executed every step and with its
# logits cached once (--cache-teacher), back to back; prints both wall times (whole command, the cache's own
# computation included) and their ratio.
# Usage: Benchmarks/distill-cache.sh TEACHER.safetensors [EPOCHS] [DEVICE]
set -euo pipefail
teacher=${1:?teacher checkpoint}
epochs=${2:-2}
device=${3:-cpu}
condense=${CONDENSE:-.build/release/condense}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {
    local start end
    start=$(date +%s.%N)
    "$condense" distill --teacher "$teacher" --epochs "$epochs" --no-augment --device "$device" --json \
        --out "$out/student.safetensors" "$@" >/dev/null 2>&1
    end=$(date +%s.%N)
    python3 -c "print($end - $start)"
}
live=$(run)
cached=$(run --cache-teacher)
python3 -c "print(f'teacher every step: {$live:.1f} s; cached logits: {$cached:.1f} s; speed-up {$live/$cached:.2f}x')"

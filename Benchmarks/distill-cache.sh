#!/usr/bin/env bash
# Offline distillation: the same un-augmented distillation run with the teacher executed every step and with its
# logits cached once (--cache-teacher), back to back. Prints each run's wall time and processor time (user + system,
# the steadier figure on a shared machine; the cache's own computation included) and their ratios.
# Usage: Benchmarks/distill-cache.sh TEACHER.safetensors [EPOCHS] [DEVICE]
set -euo pipefail
teacher=${1:?teacher checkpoint}
epochs=${2:-2}
device=${3:-cpu}
condense=${CONDENSE:-.build/release/condense}
data=${DATA:-Data/bloodmnist.npz}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Prints "WALL CPU" seconds of one distillation run.
run() {
    /usr/bin/time -f "%e %U %S" -o "$out/time" "$condense" distill --teacher "$teacher" --data "$data" \
        --epochs "$epochs" --no-augment --device "$device" --out "$out/student.safetensors" "$@" >/dev/null 2>&1
    awk '{ print $1, $2 + $3 }' "$out/time"
}
read -r live_wall live_cpu < <(run)
read -r cached_wall cached_cpu < <(run --cache-teacher)
awk -v lw="$live_wall" -v lc="$live_cpu" -v cw="$cached_wall" -v cc="$cached_cpu" 'BEGIN {
    printf "teacher every step: %.1f s wall, %.1f s processor\n", lw, lc
    printf "cached logits:      %.1f s wall, %.1f s processor\n", cw, cc
    printf "speed-up: %.2fx wall, %.2fx processor\n", lw / cw, lc / cc
}'

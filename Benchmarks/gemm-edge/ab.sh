#!/usr/bin/env bash
# A/B of Kernels/gemm.cl on the first OpenCL device (PoCL): the release condense binary runs `bench train` with this
# tree's kernels and with a revision's gemm.cl (default 71754c6, before edge tiles ran one K loop), alternated,
# ROUNDS times (default 3), through CONDENSE_KERNELS_DIR. Prints images/s and processor ms per step of each run and
# the after/before ratio of the medians per model.
#
#   Benchmarks/gemm-edge/ab.sh [REVISION]     (after `swift build -c release --product condense`; CONDENSE=path
#                                              names another binary)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
revision=${1:-71754c6}
condense=${CONDENSE:-$root/.build/release/condense}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/before" "$work/after"
cp "$root"/Kernels/*.cl "$work/before/"
cp "$root"/Kernels/*.cl "$work/after/"
git -C "$root" show "$revision:Kernels/gemm.cl" > "$work/before/gemm.cl"
models=("mobilenetv2 --width 0.35" "resnet20 --width 1")
for round in $(seq "${ROUNDS:-3}"); do
    for model in "${models[@]}"; do
        for side in before after; do
            # shellcheck disable=SC2086
            CONDENSE_KERNELS_DIR="$work/$side" "$condense" bench train --device opencl:0 --model $model \
                --batch "${BATCH:-64}" --steps "${STEPS:-10}" --json 2>/dev/null | tail -1 \
                | sed "s/^/$side round $round: /" | tee -a "$work/runs"
        done
    done
done
python3 - "$work/runs" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    side, _, record = line.partition(": ")
    report = json.loads(record)
    runs.setdefault(report["model"], {}).setdefault(side.split()[0], []).append(report)
for model, sides in runs.items():
    median = {side: statistics.median(r["images_per_s"] for r in reports) for side, reports in sides.items()}
    cpu = {side: statistics.median(r["cpu_ms_per_step"] for r in reports) for side, reports in sides.items()}
    print(f"{model}: images/s before {median['before']:.1f}, after {median['after']:.1f}, "
          f"ratio {median['after'] / median['before']:.3f}; processor ms/step before {cpu['before']:.0f}, "
          f"after {cpu['after']:.0f}")
PY

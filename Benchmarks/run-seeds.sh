#!/usr/bin/env bash
# `condense run` over seeds: the whole pipeline once per seed (the seed sets every stage's initialization, shuffling
# and augmentation), each in OUT/seed-S, which a rerun resumes. Prints a Markdown table of each stage's test ACC
# (mean ± sample standard deviation, and every run), the deployed file's bytes and the wall time, and appends it to
# RESULTS (default Benchmarks/RESULTS.md) unless RESULTS is empty.
# Usage: Benchmarks/run-seeds.sh [SEEDS] [PRESET]     (SEEDS: a count from 0, default 3; PRESET default standard)
#   OUT=folder        where the runs go (default condense-seeds)
#   DATA, DEVICE, CONDENSE as the other scripts (Data/bloodmnist.npz, cpu, .build/release/condense)
set -euo pipefail
seeds=${1:-3}
preset=${2:-standard}
condense=${CONDENSE:-.build/release/condense}
data=${DATA:-Data/bloodmnist.npz}
device=${DEVICE:-cpu}
out=${OUT:-condense-seeds}
results=${RESULTS-Benchmarks/RESULTS.md}
mkdir -p "$out"

for seed in $(seq 0 $((seeds - 1))); do
    echo "condense run --preset $preset --seed $seed" >&2
    "$condense" run --data "$data" --preset "$preset" --seed "$seed" --device "$device" --out "$out/seed-$seed" \
        --json | tail -n 1 > "$out/seed-$seed.json"
done

table=$(python3 - "$out" "$seeds" <<'EOF'
import json, statistics, sys
folder, count = sys.argv[1], int(sys.argv[2])
runs = [json.load(open(f"{folder}/seed-{seed}.json")) for seed in range(count)]
def row(label, values, form):
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    print(f"| {label} | {form % statistics.mean(values)} ± {form % spread} | {', '.join(form % v for v in values)} |")
for stage in ["teacher", "student", "pruned", "int8", "final"]:
    row(f"{stage} test ACC", [run[stage]["accuracy"] for run in runs], "%.4f")
row("final bytes", [run["final"]["size_bytes"] for run in runs], "%.0f")
row("wall minutes", [run["wall_s"] / 60 for run in runs], "%.1f")
EOF
)
table=$(
    echo
    echo "\`condense run --preset $preset\` over $seeds seeds ($(date -u +%F), $device, $(basename "$data");" \
         "\`Benchmarks/run-seeds.sh $seeds $preset\`):"
    echo
    echo "| | mean ± std | runs (seed 0, 1, …) |"
    echo "|---|---|---|"
    echo "$table"
)
echo "$table"
if [[ -n $results ]]; then echo "$table" >> "$results"; fi

#!/usr/bin/env bash
# Condense's training recipe against PyTorch's with the same models, recipe and epochs, over seeds: for each model,
# `condense train` and `pytorch_accuracy.py` once per seed, alternating. Prints a Markdown table of test ACC (mean ±
# sample standard deviation, and every run) and appends it to RESULTS (default Benchmarks/RESULTS.md) unless RESULTS
# is empty.
#
#   Benchmarks/peers/accuracy-seeds.sh [EPOCHS] [SEEDS] [MODELS]   (defaults 4, 3, "resnet20:1"; e.g.
#                                                                   "resnet20:1 mobilenetv2:0.35")
#
# PyTorch lives in Benchmarks/.venv (run.sh creates it). DATA and CONDENSE as the other scripts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
epochs=${1:-4}
seeds=${2:-3}
models=${3:-resnet20:1}
condense=${CONDENSE:-$root/.build/release/condense}
data=${DATA:-$root/Data/bloodmnist.npz}
python="$root/Benchmarks/.venv/bin/python"
results=${RESULTS-$root/Benchmarks/RESULTS.md}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

for model in $models; do
    name=${model%%:*} width=${model##*:}
    for seed in $(seq 0 $((seeds - 1))); do
        "$condense" train --model "$name" --width "$width" --data "$data" --epochs "$epochs" --seed "$seed" \
            --device cpu --out "$out/model.safetensors" --json | tail -n 1 > "$out/condense-$model-$seed.json"
        "$python" "$here/pytorch_accuracy.py" --model "$name" --width "$width" --data "$data" --epochs "$epochs" \
            --seed "$seed" | tail -n 1 > "$out/pytorch-$model-$seed.json"
        echo "$model seed $seed done" >&2
    done
done

table=$(
    echo
    echo "Condense against PyTorch, same models, recipe and epochs, over $seeds seeds ($(date -u +%F), CPU," \
         "$(basename "$data"), $epochs epochs; \`Benchmarks/peers/accuracy-seeds.sh $epochs $seeds \"$models\"\`):"
    echo
    echo "| model | PyTorch test ACC mean ± std | runs | Condense test ACC mean ± std | runs |"
    echo "|---|---|---|---|---|"
    python3 - "$out" "$seeds" $models <<'EOF'
import json, statistics, sys
folder, count = sys.argv[1], int(sys.argv[2])
def cell(peer, model):
    values = [json.load(open(f"{folder}/{peer}-{model}-{seed}.json"))["accuracy"] for seed in range(count)]
    spread = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.4f} ± {spread:.4f} | {', '.join('%.4f' % v for v in values)}"
for model in sys.argv[3:]:
    name, width = model.split(":")
    print(f"| {name} ×{width} | {cell('pytorch', model)} | {cell('condense', model)} |")
EOF
)
echo "$table"
if [[ -n $results ]]; then echo "$table" >> "$results"; fi

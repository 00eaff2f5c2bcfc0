#!/usr/bin/env bash
# Runs Condense's `bench train` and the same training step on PyTorch (CPU) and tinygrad (DEV=CL: the PoCL device our
# OpenCL backend uses; DEV=CPU) back to back, and appends a dated table of ratios to Benchmarks/RESULTS.md.
#
#   Benchmarks/peers/run.sh [--steps N] [--batch B] [--models "mobilenetv2:0.35 resnet20:1 resnet20:2"]
#                           [--tinygrad-models "mobilenetv2:0.35 resnet20:1"] (an empty list skips tinygrad)
#
# The peers live in Benchmarks/.venv (gitignored), created and filled with pip on first use; tests never need them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
steps=10 batch=128 models="mobilenetv2:0.35 resnet20:1 resnet20:2" tinygrad_models="mobilenetv2:0.35 resnet20:1"
while [ $# -gt 0 ]; do
    case "$1" in
        --steps) steps=$2; shift 2 ;;
        --batch) batch=$2; shift 2 ;;
        --models) models=$2; shift 2 ;;
        --tinygrad-models) tinygrad_models=$2; shift 2 ;;
        *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

venv="$root/Benchmarks/.venv"
python="$venv/bin/python"
if [ ! -x "$python" ]; then python3 -m venv "$venv"; fi
if ! "$python" -c "import torch, tinygrad" 2>/dev/null; then
    echo "installing torch and tinygrad into $venv (once)…" >&2
    "$python" -m pip install --quiet --upgrade pip
    "$python" -m pip install --quiet torch tinygrad numpy
fi
(cd "$root" && swift build -c release --product condense >&2)
condense="$root/.build/release/condense"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
source "$here/record.sh"
for entry in $models; do
    model=${entry%%:*} width=${entry##*:}
    common=(--model "$model" --width "$width" --batch "$batch" --steps "$steps")
    run "condense cpu $model $width" "$condense" bench train "${common[@]}" --device cpu --json
    run "pytorch cpu $model $width" "$python" "$here/pytorch_train.py" "${common[@]}"
    # OpenMP threads spin while they wait; on a busy machine that costs PyTorch more than half its speed, so it
    # also runs with passive waiting and the better of the two is the baseline.
    run "pytorch-passive cpu $model $width" env OMP_WAIT_POLICY=PASSIVE "$python" "$here/pytorch_train.py" "${common[@]}"
    run "condense opencl $model $width" "$condense" bench train "${common[@]}" --device opencl:0 --json
    if [[ " $tinygrad_models " == *" $entry "* ]]; then
        run "tinygrad CL $model $width" env DEV=CL "$python" "$here/tinygrad_train.py" "${common[@]}"
        run "tinygrad CPU $model $width" env DEV=CPU "$python" "$here/tinygrad_train.py" "${common[@]}"
    fi
done
"$python" "$here/report.py" "$results" "$root/Benchmarks/RESULTS.md" "$condense"

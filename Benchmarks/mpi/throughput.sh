#!/usr/bin/env bash
# Data-parallel throughput on one machine: `condense train` as one process using every core, against
# `mpirun -np N` processes of one core each (Open MPI binds each rank to a core), alternating the two, one epoch
# each on the embedded BloodMNIST data. Prints each run's training images/s (the progress meter's rate over the
# global batch) and the ratio of the means.
#   usage: Benchmarks/mpi/throughput.sh [ROUNDS] [MODEL] [WIDTH] [RANKS]   (defaults 2 resnet20 1 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2} model=${2:-resnet20} width=${3:-1} ranks=${4:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
swift build -c release --product condense >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/condense-mpi-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
train=(.build/release/condense train --data Data/bloodmnist.npz --model "$model" --width "$width" --epochs 1
       --batch 128 --optimizer sgd --lr 0.05 --crop-padding 0 --device cpu --json --out "$work/model.safetensors")
# The JSON line's training images/s and test accuracy.
rate() { python3 -c 'import json,sys; r=json.loads(sys.stdin.read().splitlines()[-1]); print("%.1f %.4f" % (r["images_per_s"], r["accuracy"]))'; }
one=() many=()
for round in $(seq "$rounds"); do
    a=$("${train[@]}" 2>/dev/null | rate); one+=("${a%% *}")
    b=$(mpirun --oversubscribe -np "$ranks" "${train[@]}" 2>/dev/null | rate); many+=("${b%% *}")
    echo "round $round: 1 process: $a (images/s, test ACC); $ranks processes: $b"
done
python3 - "${one[*]}" "${many[*]}" "$ranks" <<'PY'
import statistics, sys
one, many = [list(map(float, s.split())) for s in sys.argv[1:3]]
print(f"mean images/s: 1 process {statistics.mean(one):.1f}, {sys.argv[3]} processes {statistics.mean(many):.1f}, "
      f"ratio {statistics.mean(many) / statistics.mean(one):.2f}")
PY

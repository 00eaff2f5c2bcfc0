#!/usr/bin/env bash
# Distillation results over seeds: a MobileNetV2 student trained from scratch, with Hinton KD, with decoupled KD and
# with KD plus attention transfer, from one teacher, at equal epochs, once per seed (the seed sets the student's
# initialization, shuffling and augmentation). Prints a Markdown table of test ACC mean ± sample standard deviation
# (and every run) and appends it to RESULTS (default Benchmarks/RESULTS.md) unless RESULTS is empty.
# Usage: Benchmarks/distill-seeds.sh [EPOCHS] [SEEDS] [STUDENT_WIDTH]
#   TEACHER=checkpoint  use this teacher (default: train ResNet-20 ×TEACHER_WIDTH, default 1, for TEACHER_EPOCHS,
#                       default EPOCHS, epochs, seed 0)
#   ATTENTION=β         attention-transfer weight of the KD + AT runs (default 100)
#   DATA, DEVICE, CONDENSE as the other scripts (Data/bloodmnist.npz, cpu, .build/release/condense)
set -euo pipefail
epochs=${1:-4}
seeds=${2:-3}
width=${3:-0.35}
condense=${CONDENSE:-.build/release/condense}
data=${DATA:-Data/bloodmnist.npz}
device=${DEVICE:-cpu}
attention=${ATTENTION:-100}
results=${RESULTS-Benchmarks/RESULTS.md}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Prints the test ACC of one command's --json result.
accuracy() {
    python3 -c 'import json, sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["accuracy"])'
}

teacher=${TEACHER:-}
if [[ -z $teacher ]]; then
    teacher=$out/teacher.safetensors
    echo "training the teacher: ResNet-20 ×${TEACHER_WIDTH:-1}, ${TEACHER_EPOCHS:-$epochs} epochs" >&2
    "$condense" train --model resnet20 --width "${TEACHER_WIDTH:-1}" --data "$data" --epochs "${TEACHER_EPOCHS:-$epochs}" \
        --device "$device" --seed 0 --out "$teacher" >/dev/null
fi
teacher_acc=$("$condense" evaluate --model "$teacher" --data "$data" --device "$device" --json | accuracy)

declare -A runs
methods=("scratch" "KD" "DKD" "KD + attention")
for seed in $(seq 0 $((seeds - 1))); do
    for method in "${methods[@]}"; do
        common=(--data "$data" --epochs "$epochs" --device "$device" --seed "$seed" --json)
        student=$out/student.safetensors
        case $method in
            scratch) command=(train --model mobilenetv2 --width "$width") ;;
            KD) command=(distill --teacher "$teacher" --student mobilenetv2 --width "$width" --loss kd) ;;
            DKD) command=(distill --teacher "$teacher" --student mobilenetv2 --width "$width" --loss dkd) ;;
            "KD + attention") command=(distill --teacher "$teacher" --student mobilenetv2 --width "$width" --loss kd
                                       --attention "$attention") ;;
        esac
        acc=$("$condense" "${command[@]}" "${common[@]}" --out "$student" 2>/dev/null | accuracy)
        echo "seed $seed $method: $acc" >&2
        runs[$method]="${runs[$method]:-} $acc"
        rm -f "$student"
    done
done

table=$(
    echo
    echo "Distillation over $seeds seeds ($(date -u +%F)): MobileNetV2 ×$width on $(basename "$data"), $epochs epoch(s)" \
         "each, teacher test ACC $teacher_acc ($device; \`Benchmarks/distill-seeds.sh $epochs $seeds $width\`)."
    echo
    echo "| student | test ACC mean ± std | runs |"
    echo "|---|---|---|"
    for method in "${methods[@]}"; do
        python3 -c 'import statistics, sys
values = [float(v) for v in sys.argv[2].split()]
std = statistics.stdev(values) if len(values) > 1 else 0.0
each = ", ".join("%.4f" % v for v in values)
print("| %s | %.4f ± %.4f | %s |" % (sys.argv[1], statistics.mean(values), std, each))' \
            "$method" "${runs[$method]}"
    done
)
echo "$table"
if [[ -n $results ]]; then echo "$table" >> "$results"; fi

#!/usr/bin/env bash
# Runs on a lent GPU machine, from the repository root, with the bundle of Benchmarks/gpu/pack.sh carried along:
# registers NVIDIA's OpenCL driver with the bundled ICD loader, then records the OpenCL path on the GPU beside PyTorch
# CUDA on the same machine (and the CPU backend beside PyTorch CPU on its cores). Everything lands in $OUT (a
# temporary folder when unset), at most eight files:
#   environment.txt  nvidia-smi, the OpenCL driver found and how it was registered
#   devices.txt      `condense devices`
#   gemm.md, kernels.md   `condense bench gemm|kernels` on the GPU (kernels at batch 128 and 2048)
#   profile.txt      `condense bench train --profile` on the GPU, per-op times
#   results.jsonl    one JSON line per training run;  RESULTS-gpu.md  their table (Benchmarks/peers/report.py)
#   log.txt          what every step printed on standard error
# On a machine without NVIDIA's driver it says so and runs on the first OpenCL device there (a dry run: PoCL here,
# best with a short list: ENTRIES="resnet20:1:16" STEPS=10 PYTHON=Benchmarks/.venv/bin/python).
# The most wanted figures come first (training on the GPU beside PyTorch CUDA, then the kernel and GEMM benchmarks,
# the profiles, the CPU rows), and each step is skipped once BUDGET seconds (default 420) have passed, so a device
# call with a time limit of about 8 minutes always comes back with the table of what did run.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
peers="$root/Benchmarks/peers"
out=${OUT:-$(mktemp -d)}
python=${PYTHON:-python3}
# model:width:batch — the peers' protocol (batch 128), and a batch big enough to fill a GPU.
entries=${ENTRIES:-mobilenetv2:0.35:128 resnet20:1:128 resnet20:2:128 mobilenetv2:0.35:1024 resnet20:1:1024}
steps=${STEPS:-50}
deadline=$((SECONDS + ${BUDGET:-420}))
log="$out/log.txt"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xJf "$root/Benchmarks/gpu/bundle.tar.xz" -C "$work" || { echo "no bundle: run Benchmarks/gpu/pack.sh first" >&2; exit 1; }
condense="$work/condense"
export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The ICD loader reads the .icd files of the folder OCL_ICD_VENDORS names: the system's, plus one naming NVIDIA's
# library by its full path when none of them does (a container's driver mount brings the library, not the .icd).
vendors="$work/vendors"
mkdir -p "$vendors"
cp /etc/OpenCL/vendors/*.icd "$vendors/" 2>/dev/null
nvidia=$(find /usr/local/nvidia /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/lib -name 'libnvidia-opencl.so*' 2>/dev/null |
         sort | head -n 1)
if [ -n "$nvidia" ]; then
    grep -qs nvidia "$vendors"/*.icd || echo "$nvidia" > "$vendors/nvidia-condense.icd"
    export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$(dirname "$nvidia")"
fi
export OCL_ICD_VENDORS="$vendors"
{
    date -u
    nvidia-smi || echo "nvidia-smi: not found"
    echo "NVIDIA OpenCL library: ${nvidia:-not found: the runs below use whatever OpenCL device is registered}"
    for icd in "$vendors"/*.icd; do [ -e "$icd" ] && echo "$icd: $(cat "$icd")"; done
    [ -n "$nvidia" ] && ldd "$nvidia"
} > "$out/environment.txt" 2>&1
[ -z "$nvidia" ] && echo "run-on-device.sh: NVIDIA's OpenCL library was not found; a dry run on the OpenCL device here" >&2

"$condense" devices > "$out/devices.txt" 2>> "$log"
device=$("$condense" devices --json 2>> "$log" | "$python" -c '
import json, sys
devices = [d for d in json.loads(sys.stdin.read().splitlines()[-1])["devices"] if d["backend"] == "opencl"]
print(next((d["id"] for d in devices if d["gpu"]), devices[0]["id"] if devices else ""))')
if [ -z "$device" ]; then
    echo "run-on-device.sh: no OpenCL device; see $out/environment.txt and $log" >&2
    cat "$out/environment.txt" "$log" >&2
    exit 1
fi
echo "run-on-device.sh: OpenCL device $device; results in $out" >&2

# limited SECONDS COMMAND…: runs COMMAND for at most SECONDS and no later than the deadline; false when skipped.
limited() {
    local left=$((deadline - SECONDS)) seconds=$1; shift
    if [ "$left" -le 5 ]; then echo "   skipped: out of time" >&2; return 1; fi
    timeout $((seconds < left ? seconds : left)) "$@"
}
results="$out/results.jsonl" run_log="$log"
: > "$results"
source "$peers/record.sh"  # run LABEL COMMAND…
# for_entries BODY: BODY model width batch key for each entry.
for_entries() {
    local entry model width batch key
    for entry in $entries; do
        IFS=: read -r model width batch <<< "$entry"
        key="$model $width"
        [ "$batch" = 128 ] || key="$key batch-$batch"
        "$1" "$model" "$width" "$batch" "$key"
    done
}
gpu_runs() {
    local common=(--model "$1" --width "$2" --batch "$3" --steps "$steps")
    run "condense gpu $4" limited 150 "$condense" bench train "${common[@]}" --device "$device" --json
    run "pytorch cuda $4" limited 150 "$python" "$peers/pytorch_train.py" "${common[@]}" --device cuda
    run "pytorch cuda-tf32 $4" limited 150 "$python" "$peers/pytorch_train.py" "${common[@]}" --device cuda --tf32
}
cpu_runs() {
    [ "$3" -le 128 ] || return 0
    local common=(--model "$1" --width "$2" --batch "$3" --steps 10)
    run "condense cpu $4" limited 150 "$condense" bench train "${common[@]}" --device cpu --json
    run "pytorch cpu $4" limited 150 "$python" "$peers/pytorch_train.py" "${common[@]}"
}
for_entries gpu_runs
# Training's batch, and one large enough that a GPU's launches do not dominate its kernels' times.
limited 120 "$condense" bench kernels --device "$device" > "$out/kernels.md" 2>> "$log"
limited 120 "$condense" bench kernels --device "$device" --batch 2048 >> "$out/kernels.md" 2>> "$log"
limited 120 "$condense" bench gemm --device "$device" > "$out/gemm.md" 2>> "$log"
for model in mobilenetv2:0.35 resnet20:1; do
    echo "== profile $model" >> "$out/profile.txt"
    limited 120 "$condense" bench train --model "${model%%:*}" --width "${model##*:}" --batch 128 --steps 10 \
        --device "$device" --profile >> "$out/profile.txt" 2>> "$log"
done
for_entries cpu_runs
"$python" "$peers/report.py" "$results" "$out/RESULTS-gpu.md" "$condense" \
    --title "OpenCL on a GPU beside PyTorch CUDA" --command "Benchmarks/gpu/run-on-device.sh"

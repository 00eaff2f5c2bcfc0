#!/usr/bin/env bash
# Compiles every kernel file (Kernels/common.cl prepended, as ProgramCache builds them) as OpenCL C 1.2 with
# warnings as errors and without fp64 (rusticl has none), through the Swift toolchain's clang (syntax and semantics
# only, no device): once with the GPU formulation's defines and once with the CPU driver's, and the depthwise kernels
# with a strided and an unstrided geometry. Drivers differ in what they report: rusticl 22.3 drops warnings from its build log, and PoCL refuses
# -Wall, so a driver's build alone would let a warning through.
set -euo pipefail
cd "$(dirname "$0")/.."
clang="${CLANG:-$(dirname "$(readlink -f "$(command -v swift)")")/clang}"
[ -x "$clang" ] || { echo "check-kernels: no clang at $clang (set CLANG to one that compiles OpenCL C)" >&2; exit 1; }
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
formulations=("-DVEC=4 -DITEMS=1" "-DVEC=16 -DITEMS=16")
depthwise=("-DKH=3 -DKW=3 -DH=14 -DW=14 -DOH=7 -DOW=7 -DSTRIDE_H=2 -DSTRIDE_W=2 -DPH=1 -DPW=1 -DDH=1 -DDW=1 -DC=8 -DM=1 -DTY=7 -DLS=64"
           "-DKH=5 -DKW=5 -DH=9 -DW=9 -DOH=9 -DOW=9 -DSTRIDE_H=1 -DSTRIDE_W=1 -DPH=2 -DPW=2 -DDH=1 -DDW=1 -DC=3 -DM=2 -DTY=9 -DLS=32")
failures=0 builds=0
for file in Kernels/*.cl; do
    [ "$file" = Kernels/common.cl ] && continue
    cat Kernels/common.cl "$file" > "$scratch/kernel.cl"
    geometries=("")
    [ "$file" = Kernels/depthwise_conv.cl ] && geometries=("${depthwise[@]}")
    for formulation in "${formulations[@]}"; do
        for geometry in "${geometries[@]}"; do
            builds=$((builds + 1))
            # shellcheck disable=SC2086  # the defines are words
            if ! "$clang" -x cl -cl-std=CL1.2 -Xclang -finclude-default-header -Xclang -cl-ext=-cl_khr_fp64 \
                    -fsyntax-only -Wall -Wdouble-promotion -Werror $formulation $geometry "$scratch/kernel.cl" > "$scratch/log" 2>&1; then
                echo "check-kernels: $file with $formulation $geometry:" >&2
                sed "s|$scratch/kernel.cl|$file (after common.cl)|" "$scratch/log" >&2
                failures=$((failures + 1))
            fi
        done
    done
done
[ "$failures" -eq 0 ] || { echo "check-kernels: $failures of $builds builds failed" >&2; exit 1; }
echo "check-kernels: $builds builds of the kernel files, OpenCL C 1.2 without fp64, no warnings"

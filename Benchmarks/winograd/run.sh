#!/usr/bin/env bash
# A/B of the Winograd tile transforms: builds tiles_bench.c against this tree's winograd_tiles.c and, given a git
# revision, against that revision's too, then runs them alternately on one core (taskset), ROUNDS times (default 5).
#
#   Benchmarks/winograd/run.sh [REVISION]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
kernels="$root/Sources/CCondenseKernels"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build() {  # build NAME WINOGRAD_TILES_C
    clang -O3 -I"$kernels/include" -I"$kernels" "$2" "$kernels/instruction_set.c" "$here/tiles_bench.c" -o "$work/$1"
}
build current "$kernels/winograd_tiles.c"
names=(current)
if [ $# -gt 0 ]; then
    git -C "$root" show "$1:Sources/CCondenseKernels/winograd_tiles.c" > "$work/revision.c"
    build "$1" "$work/revision.c"
    names+=("$1")
fi
for round in $(seq "${ROUNDS:-5}"); do
    for name in "${names[@]}"; do
        taskset -c "${CORE:-1}" "$work/$name" | sed "s/^/$name, round $round: /"
    done
done

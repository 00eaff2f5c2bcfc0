#!/usr/bin/env bash
# Packs what a lent GPU machine needs to run Condense, into Benchmarks/gpu/bundle.tar.xz (gitignored): a release
# `condense` with the Swift runtime linked in (--static-swift-stdlib), stripped, and the shared libraries it loads that
# are not part of glibc, libstdc++ or libgcc (the OpenCL ICD loader, CLBlast, OpenBLAS and theirs), as `ldd` finds
# them here. Benchmarks/gpu/run-on-device.sh unpacks and runs it there.
#
#   Benchmarks/gpu/pack.sh        then, with the device tool:
#   run(command: "bash Benchmarks/gpu/run-on-device.sh", carry: ["Benchmarks/gpu/bundle.tar.xz"], timeout_s: 480)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bundle="$root/Benchmarks/gpu/bundle.tar.xz"
"$root/Scripts/install-deps.sh"
(cd "$root" && swift build -c release --product condense --static-swift-stdlib --scratch-path .build/static >&2)
binary="$root/.build/static/release/condense"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/lib"
cp "$binary" "$stage/condense"
strip "$stage/condense"
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r library; do
    case $(basename "$library") in
        libc.so.* | libm.so.* | libdl.so.* | libpthread.so.* | librt.so.* | ld-linux* | libstdc++.so.* | libgcc_s.so.*) ;;
        *) cp -L "$library" "$stage/lib/" ;;
    esac
done
if LD_LIBRARY_PATH="$stage/lib" ldd "$stage/condense" | grep -q "not found"; then
    echo "pack.sh: the bundle misses a library:" >&2
    LD_LIBRARY_PATH="$stage/lib" ldd "$stage/condense" | grep "not found" >&2
    exit 1
fi
tar -cJf "$bundle" -C "$stage" .
echo "pack.sh: $(du -h "$bundle" | cut -f1) in $bundle: condense and $(ls "$stage/lib" | tr '\n' ' ')" >&2

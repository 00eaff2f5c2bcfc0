#!/usr/bin/env bash
# Installs the system libraries Condense builds against, when any is missing (Debian/Ubuntu).
# apt-get runs as root directly, through sudo otherwise.
set -euo pipefail

packages=(ocl-icd-opencl-dev opencl-headers libclblast-dev pocl-opencl-icd libopenblas-dev zlib1g-dev pkg-config
          python3-venv openmpi-bin libopenmpi-dev)
# Image folders (--data DIR): PNG, JPEG and DICOM decoders.
packages+=(libpng-dev libjpeg62-turbo-dev libdcmtk-dev)
# A second OpenCL implementation for make test-rusticl (Mesa's rusticl on llvmpipe; it lists no device unless
# RUSTICL_ENABLE=llvmpipe is set, so PoCL stays the default).
packages+=(mesa-opencl-icd)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

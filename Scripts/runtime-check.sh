# Shared by the checks that run Condense's exports in other runtimes (Scripts/check-onnx.sh, Scripts/check-tflite.sh);
# sourced by them after `set -euo pipefail` and `cd` to the repository root.

# runtime_check_setup NAME DESCRIPTION MODULES PACKAGE...: makes sure .venv (gitignored, shared by the checks) imports
# MODULES (comma-separated), installing the PACKAGEs with pip when it does not; when pip cannot reach a package
# registry, prints "SKIPPED: DESCRIPTION ..." and exits 0. Then builds condense (release) and sets `python`,
# `condense` and `work`, a temporary folder removed on exit holding the BloodMNIST subsets the checks train on
# (Tests/ONNXRuntimeCheck/make_subsets.py).
runtime_check_setup() {
    local name=$1 description=$2 modules=$3
    shift 3
    packages=$(printf '%s and ' "$@")
    packages=${packages% and }
    python=.venv/bin/python
    if ! { [ -x "$python" ] && "$python" -c "import $modules" 2>/dev/null; }; then
        [ -x "$python" ] || python3 -m venv .venv || { echo "$name: python3 -m venv failed (install python3-venv)" >&2; exit 1; }
        if ! "$python" -m pip install --quiet --disable-pip-version-check --timeout 20 "$@"; then
            if ! "$python" -m pip index versions numpy --disable-pip-version-check --timeout 20 >/dev/null 2>&1; then
                echo "SKIPPED: $description (pip could not reach a registry to install $packages)"
                exit 0
            fi
            echo "$name: pip reached a registry but could not install $packages" >&2
            exit 1
        fi
    fi
    swift build -c release --product condense >/dev/null
    condense=.build/release/condense
    work=$(mktemp -d "${TMPDIR:-/tmp}/condense-$name.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    "$python" Tests/ONNXRuntimeCheck/make_subsets.py Data/bloodmnist.npz "$work"
}

# Runs condense quietly on the CPU backend; on failure shows what it printed.
run() {
    "$condense" "$1" --device cpu "${@:2}" >"$work/log" 2>&1 || { cat "$work/log" >&2; exit 1; }
}

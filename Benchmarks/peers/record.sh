# Sourced by Benchmarks/peers/run.sh and Benchmarks/gpu/run-on-device.sh: records one benchmark run.
#
# run LABEL COMMAND…: appends the last line of COMMAND's output, a JSON object, to the file $results as
# {"run": LABEL, "result": …}, or a null result when COMMAND fails or prints no such line. COMMAND's standard error
# goes to the file $run_log (discarded when that is unset).
run() {
    local label=$1 line; shift
    echo "== $label" >&2
    if line=$("$@" 2>> "${run_log:-/dev/null}" | tail -n 1) && [ "${line:0:1}" = "{" ]; then
        echo "{\"run\": \"$label\", \"result\": $line}" >> "$results"
    else
        echo "{\"run\": \"$label\", \"result\": null}" >> "$results"
        echo "   failed" >&2
    fi
}

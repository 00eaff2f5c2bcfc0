"""Turns the JSON lines of Benchmarks/peers/run.sh (or Benchmarks/gpu/run-on-device.sh) into a dated Markdown section
of ratios, printed and appended to a Markdown file:

    report.py RESULTS_JSONL RESULTS_MD CONDENSE_BINARY [--title TITLE] [--command COMMAND]"""
import argparse
import datetime
import json
import os
import platform
import subprocess


def command_output(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine():
    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 platform.processor())
    memory = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return f"{os.cpu_count()} cores {model}, {memory / 2**20:.0f} GiB, load average {os.getloadavg()[0]:.1f} at the end"


def per_processor_second(result):
    return result["batch"] / (result["cpu_ms_per_step"] / 1e3)


def main(results_path, markdown_path, condense, title, command):
    runs = {entry["run"]: entry["result"] for entry in map(json.loads, open(results_path))}
    names = {"pytorch": "PyTorch", "tinygrad": "tinygrad"}
    versions = {names.get(r["peer"], r["peer"]): r["version"] for r in runs.values() if r and "peer" in r}
    swift = (command_output("swift", "--version").splitlines() or ["Swift: not on this machine"])[0]
    opencl = json.loads(command_output(condense, "devices", "--json").splitlines()[-1] or "{}")
    devices = "; ".join(f"{d.get('name', '?')} ({d.get('platform', '?')})" for d in opencl.get("devices", [])
                        if d.get("backend") == "opencl")
    lines = [f"## {datetime.date.today().isoformat()} — {title}",
             "", f"Machine: {machine()}. OpenCL: {devices or 'none'}.",
             "Versions: " + ", ".join([f"{name} {version}" for name, version in versions.items()] + [swift]) + ".",
             f"Command: `{command}` (each run: synthetic input, forward + backward + SGD step, 2 warm-up "
             "steps then the timed ones; peak RSS of the whole process). All runs back to back, so the ratios share "
             "the machine's load. Peak device memory: Condense's OpenCL buffers, PyTorch's CUDA allocations.", "",
             "Processor ms per step (user + system of all threads) measures work done whatever the load; images "
             "per processor-second is batch ÷ that. Ratios compare Condense with the better PyTorch run (default or "
             "passive OpenMP waiting), with tinygrad CL, and on a GPU with PyTorch CUDA in strict FP32.", "",
             "| model | run | images/s | processor ms/step | images per processor-s | peak RSS MB | peak device MB "
             "| ratio (images/s; per processor-s) |", "|---|---|---:|---:|---:|---:|---:|---|"]
    models = list(dict.fromkeys(" ".join(label.split()[2:]) for label in runs))

    def best(names, model):
        results = [runs.get(f"{name} {model}") for name in names]
        results = [result for result in results if result]
        return (max(r["images_per_s"] for r in results), max(per_processor_second(r) for r in results)) if results else None

    for model in models:
        baselines = {"condense cpu": (["pytorch cpu", "pytorch-passive cpu"], "PyTorch CPU"),
                     "condense opencl": (["tinygrad CL"], "tinygrad CL"),
                     "condense gpu": (["pytorch cuda"], "PyTorch CUDA")}
        for label in [label for label in runs if label.endswith(" " + model)]:
            result, name = runs[label], label[: -len(model) - 1]
            if result is None:
                lines.append(f"| {model} | {name} | failed | | | | | |")
                continue
            ratio = ""
            baseline = best(baselines[name][0], model) if name in baselines else None
            if baseline:
                ratio = (f"{result['images_per_s'] / baseline[0]:.2f}×; "
                         f"{per_processor_second(result) / baseline[1]:.2f}× {baselines[name][1]}")
            device_mb = f"{result['peak_device_bytes'] / 1e6:.0f}" if "peak_device_bytes" in result else ""
            lines.append(f"| {model} | {name} | {result['images_per_s']:.1f} | {result['cpu_ms_per_step']:.0f} "
                         f"| {per_processor_second(result):.1f} | {result['peak_rss_bytes'] / 1e6:.0f} | {device_mb} "
                         f"| {ratio} |")
    section = "\n".join(lines) + "\n"
    print(section)
    with open(markdown_path, "a") as markdown:
        markdown.write("\n" + section)


parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("results_jsonl")
parser.add_argument("results_md")
parser.add_argument("condense_binary")
parser.add_argument("--title", default="training throughput against PyTorch and tinygrad")
parser.add_argument("--command", default="Benchmarks/peers/run.sh")
options = parser.parse_args()
main(options.results_jsonl, options.results_md, options.condense_binary, options.title, options.command)

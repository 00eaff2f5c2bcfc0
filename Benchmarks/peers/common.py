"""What every peer script shares: the command line (the same as `condense bench train`) and the JSON report."""
import argparse
import json
import resource


def arguments(description, add_options=None):
    """The shared command line, plus what `add_options(parser)` adds for one peer."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", default="mobilenetv2", choices=["mobilenetv2", "resnet20"])
    parser.add_argument("--width", type=float, default=0.35)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--image-size", type=int, default=28)
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--steps", type=int, default=10, help="timed steps, after 2 warm-up steps")
    if add_options:
        add_options(parser)
    return parser.parse_args()


def report(args, seconds, processor_seconds, **extra):
    """Prints one JSON object with the same keys as `condense bench train --json` (`processor_seconds`: user +
    system time of all threads over the timed steps)."""
    print(json.dumps({"model": args.model, "width": args.width, "batch": args.batch, "steps": args.steps,
                      "images_per_s": args.steps * args.batch / seconds, "step_ms": seconds / args.steps * 1e3,
                      "cpu_ms_per_step": processor_seconds / args.steps * 1e3,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, **extra}))

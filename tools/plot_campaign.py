#!/usr/bin/env python3
"""Draw a fault campaign's distributions from its JSON (axl campaign --json).

Usage: tools/plot_campaign.py CAMPAIGN.json OUT_DIR

`axl campaign ... --plot DIR` runs this for you. Writes, under OUT_DIR:

  detection_latency.png  per fault kind, the distribution (CDF) of the virtual
                         time from an injection to the death it caused
  recovery_latency.png   the same, to the restart that followed
  run_classes.png        how many runs ended in each class (survived,
                         client_error, hang, ...)

The latencies are every sample the campaign kept ([ns, count] pairs), so the
curves are exact, also for merged shards. A kind without samples is left out;
a figure with none at all says so instead of being empty. Only matplotlib
(Debian's python3-matplotlib), Agg backend, no network.
"""

import json
import os
import sys

try:
    import matplotlib
except ImportError:
    sys.exit(f"plot_campaign: {sys.executable} has no matplotlib; install Debian's python3-matplotlib "
             "(tools/setup-deps.sh) and run this script with /usr/bin/python3")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


def cdf(pairs):
    """[[ns, count], ...] -> (x in microseconds, cumulative fraction)."""
    pairs = sorted(pairs)
    total = sum(count for _, count in pairs)
    # From 0 at the first sample: one distinct value is a visible step, not a point.
    xs, ys, seen = [pairs[0][0] / 1000.0], [0.0], 0
    for ns, count in pairs:
        seen += count
        xs.append(ns / 1000.0)
        ys.append(seen / total)
    return xs, ys


def plot_latency(campaign, field, title, path):
    fig, ax = plt.subplots(figsize=(8, 5))
    drawn = 0
    for kind, tally in sorted(campaign.get("kinds", {}).items()):
        samples = tally.get(field, {}).get("samples", [])
        if not samples:
            continue
        xs, ys = cdf(samples)
        count = sum(c for _, c in samples)
        ax.step(xs, ys, where="post", marker=".", label=f"{kind} ({count})")
        drawn += 1
    ax.set_title(f"{campaign.get('scenario', '?')}: {title}")
    ax.set_xlabel("virtual time after the injection (us)")
    ax.set_ylabel("fraction of faults")
    ax.set_ylim(0, 1.02)
    if drawn:
        ax.legend(fontsize="small", loc="lower right")
    else:
        ax.text(0.5, 0.5, "no samples: no fault was credited with one", ha="center", va="center",
                transform=ax.transAxes)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_classes(campaign, path):
    classes = campaign.get("classes", {})
    names = list(classes)
    counts = [classes[name] for name in names]
    fig, ax = plt.subplots(figsize=(8, 4))
    bars = ax.bar(names, counts, color=["tab:green" if n == "survived" else "tab:red" for n in names])
    ax.bar_label(bars)
    ax.set_title(f"{campaign.get('scenario', '?')}: {campaign.get('runs', 0)} runs by class")
    ax.set_ylabel("runs")
    plt.setp(ax.get_xticklabels(), rotation=20, ha="right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: plot_campaign.py CAMPAIGN.json OUT_DIR")
    with open(argv[1]) as file:
        campaign = json.load(file)
    if campaign.get("format") != "axl-campaign/1":
        sys.exit(f"plot_campaign: {argv[1]} is not the JSON of an axl campaign")
    out = argv[2]
    os.makedirs(out, exist_ok=True)
    written = []
    for field, title, name in (("detection_latency_ns", "detection latency", "detection_latency.png"),
                               ("recovery_latency_ns", "recovery latency", "recovery_latency.png")):
        plot_latency(campaign, field, title, os.path.join(out, name))
        written.append(name)
    plot_classes(campaign, os.path.join(out, "run_classes.png"))
    written.append("run_classes.png")
    for name in written:
        print(os.path.join(out, name))


if __name__ == "__main__":
    main(sys.argv)

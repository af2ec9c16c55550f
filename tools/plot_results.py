#!/usr/bin/env python3
"""Draw the benchmark suite's PNGs from a Google Benchmark JSON file.

Usage: tools/plot_results.py [results/bench.json] [--out results/plots]

Reads the JSON `make bench` writes (build/bin/axl_bench with
--benchmark_out_format=json; repetitions with aggregates only, or plain runs)
and writes, under the output folder:

  latency.png      round trip / one message per IPC strategy next to the raw
                   switch floor and the baselines (wall ns, log scale)
  fanin.png        fan-in: requests/s and virtual ns per request vs clients
  pipeline.png     pipelines: items/s and virtual ns per item vs stages
  notify.png       delivered notifications/s per strategy
  scaling.png      process count scaling: ns per round trip (BM_ProcessScaling's
                   ns_per_round_trip counter, next to BM_RawSwitchScaling) and
                   peak RSS vs processes
  cross_cpu.png    the same operation on one CPU and across CPUs

Every figure uses medians (the `_median` aggregate, else the mean, else the
plain run) and wall time (`real_time`); error bars are one standard deviation
when the JSON has it. A plot whose benchmarks are missing from the JSON is
skipped with a message, so the script works on a partial suite (a
--benchmark_filter run, or a suite whose files do not exist yet). Only
matplotlib (Debian's python3-matplotlib), Agg backend, no network.
"""

import argparse
import json
import os
import sys
from collections import defaultdict

try:
    import matplotlib
except ImportError:
    sys.exit(f"plot_results: {sys.executable} has no matplotlib; install Debian's python3-matplotlib "
             "(tools/setup-deps.sh) and run this script with /usr/bin/python3")

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STRATEGIES = {0: "rendezvous", 1: "ring", 2: "queue"}
COLORS = {"rendezvous": "tab:blue", "ring": "tab:orange", "queue": "tab:green"}
TIME_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Name parts Google Benchmark adds for a benchmark's settings, not its arguments.
META_ARGS = {"min_time", "min_warmup_time", "repeats", "iterations", "threads"}


class Result:
    """One benchmark instance: its median (or only) run and its stddev."""

    def __init__(self, run_name):
        self.run_name = run_name
        parts = run_name.split("/")
        self.family = parts[0]
        self.args = {}
        for part in parts[1:]:
            key, sep, value = part.partition(":")
            if sep:
                self.args[key] = value
        self.center = None  # dict: the JSON entry used for values
        self.stddev = None  # dict or None
        self.center_rank = 99

    def display(self):
        """Family without the BM_ / BM_Baseline_ prefix, plus its real arguments
        (not min_time:..., real_time and the like, which Google Benchmark adds)."""
        name = self.family.replace("BM_Baseline_", "").replace("BM_", "")
        shown = [f"{k}:{v}" for k, v in self.args.items() if k not in META_ARGS]
        return "/".join([name] + shown)

    def arg(self, key, default=None):
        value = self.args.get(key)
        if value is None:
            return default
        try:
            return int(value)
        except ValueError:
            return value

    def _ns(self, entry, field):
        return entry[field] * TIME_TO_NS.get(entry.get("time_unit", "ns"), 1.0)

    def wall_ns(self):
        return self._ns(self.center, "real_time")

    def wall_ns_err(self):
        return self._ns(self.stddev, "real_time") if self.stddev else 0.0

    def value(self, field):
        return self.center.get(field)

    def err(self, field):
        if not self.stddev:
            return 0.0
        value = self.stddev.get(field)
        return value if isinstance(value, (int, float)) else 0.0

    def label(self):
        return self.center.get("label", "")

    def strategy(self):
        ipc = self.arg("ipc")
        if isinstance(ipc, int) and ipc in STRATEGIES:
            return STRATEGIES[ipc]
        label = self.label()
        return label if label in COLORS else None


def load(path):
    """run_name -> Result, from the JSON's median/mean/stddev aggregates or plain runs."""
    with open(path) as f:
        data = json.load(f)
    rank = {"median": 0, "mean": 1, None: 2}
    results = {}
    for entry in data.get("benchmarks", []):
        if entry.get("error_occurred"):
            print(f"note: {entry.get('name')} failed in this run: {entry.get('error_message', '?')}")
            continue
        run_name = entry.get("run_name") or entry.get("name")
        aggregate = entry.get("aggregate_name") if entry.get("run_type") == "aggregate" else None
        if aggregate not in rank and aggregate != "stddev":
            continue  # cv, or a user-defined statistic
        result = results.setdefault(run_name, Result(run_name))
        if aggregate == "stddev":
            result.stddev = entry
        elif rank[aggregate] < result.center_rank:
            result.center, result.center_rank = entry, rank[aggregate]
        elif aggregate is None and result.center_rank == 2:
            pass  # repeated plain runs without aggregates: keep the first
    return data.get("context", {}), {k: r for k, r in results.items() if r.center is not None}


def family(results, name):
    return [r for r in results.values() if r.family == name]


def save(fig, out_dir, name, written):
    path = os.path.join(out_dir, name)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)
    print(f"wrote {path}")


def skip(name, why):
    print(f"skip {name}: {why}")


def subtitle(context):
    bits = []
    if context.get("host_name"):
        bits.append(context["host_name"])
    if context.get("num_cpus"):
        bits.append(f"{context['num_cpus']} CPUs")
    if context.get("date"):
        bits.append(context["date"][:10])
    return ", ".join(bits)


# --- latency: strategies next to the floor and the baselines --------------------------


def plot_latency(results, context, out_dir, written):
    rows = []  # (label, result, color)
    # The floor of `make run`'s table, else the baselines' copy of it.
    floor = next(iter(family(results, "BM_RawContextSwitchRoundTrip")), None) or next(
        iter(family(results, "BM_Baseline_RawContextSwitchRoundTrip")), None)
    if floor:
        rows.append(("raw context switch round trip (floor)", floor, "black"))
    cases = [
        ("BM_SendrecReplyReceiveRoundTrip", "sendrec + reply_receive"),
        ("BM_SendrecRoundTrip", "sendrec + send/receive"),
        ("BM_OneWayStream", "one-way send (stream)"),
    ]
    strategy_rows = 0
    for family_name, what in cases:
        for ipc, strategy in STRATEGIES.items():
            r = results.get(f"{family_name}/ipc:{ipc}")
            if r:
                rows.append((f"{what}, {strategy}", r, COLORS[strategy]))
                strategy_rows += 1
    # The consumer-timed one-CPU stream at each ring capacity (the reference is
    # the spsc push+pop baseline, 1,024 slots).
    for r in sorted(family(results, "BM_OneCpuStream"), key=lambda r: (r.arg("ipc", 0), r.arg("ring_capacity", 0))):
        strategy = r.strategy()
        what = "one-way stream, consumer-timed, " + str(strategy)
        if strategy == "ring":
            what += f", ring capacity {r.arg('ring_capacity')}"
        rows.append((what, r, COLORS.get(strategy, "tab:purple")))
        strategy_rows += 1
    # Baselines on one CPU (or without a CPU argument), fastest first.
    baselines = [
        r for r in results.values()
        if r.family.startswith("BM_Baseline_") and r is not floor and r.arg("cross_cpu", 0) == 0
        and "CrossThread" not in r.family and "CrossCpu" not in r.family  # those go to cross_cpu.png
    ]
    for r in sorted(baselines, key=lambda r: r.wall_ns()):
        rows.append((f"baseline: {r.display()}", r, "tab:gray"))
    if strategy_rows == 0 and not floor:
        skip("latency.png", "no round-trip, stream, floor or baseline benchmarks in the JSON")
        return
    fig, ax = plt.subplots(figsize=(10, 0.42 * len(rows) + 1.6))
    labels = [row[0] for row in rows]
    values = [row[1].wall_ns() for row in rows]
    errors = [row[1].wall_ns_err() for row in rows]
    y = list(range(len(rows)))
    ax.barh(y, values, xerr=errors, color=[row[2] for row in rows], alpha=0.85)
    ax.set_yticks(y)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("wall ns per operation (median, log scale)")
    floor_ns = floor.wall_ns() if floor else None
    for yi, v, e in zip(y, values, errors):
        text = f"{v:.1f} ns" + (f"  ({v / floor_ns:.2f}x floor)" if floor_ns else "")
        ax.text((v + e) * 1.05, yi, text, va="center", fontsize=7)
    if floor_ns:
        ax.axvline(floor_ns, color="black", linestyle=":", linewidth=1)
        ax.axvline(3 * floor_ns, color="red", linestyle=":", linewidth=1, label="3x floor")
        ax.legend(loc="lower right", fontsize=8)
    ax.set_xlim(right=max(values) * 8)
    ax.set_title(f"Latency per IPC strategy, floor and baselines ({subtitle(context)})", fontsize=10)
    fig.tight_layout()
    save(fig, out_dir, "latency.png", written)


# --- fan-in and pipelines: throughput vs a size argument ---------------------------------


def plot_series(results, context, out_dir, written, *, family_name, arg, png, xlabel, unit, title):
    members = family(results, family_name)
    if not members:
        skip(png, f"no {family_name} benchmarks in the JSON")
        return
    series = defaultdict(list)
    for r in members:
        if r.strategy() and isinstance(r.arg(arg), int):
            series[r.strategy()].append(r)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for strategy in STRATEGIES.values():
        rs = sorted(series.get(strategy, []), key=lambda r: r.arg(arg))
        if not rs:
            continue
        xs = [r.arg(arg) for r in rs]
        rate = [(r.value("items_per_second") or 1e9 / r.wall_ns()) / 1e6 for r in rs]
        rate_err = [r.err("items_per_second") / 1e6 for r in rs]
        left.errorbar(xs, rate, yerr=rate_err, marker="o", capsize=3, label=strategy, color=COLORS[strategy])
        vns = [r.value("virtual_ns") for r in rs]
        if all(isinstance(v, (int, float)) for v in vns):
            right.plot(xs, vns, marker="o", label=strategy, color=COLORS[strategy])
    for ax in (left, right):
        ax.set_xscale("log", base=2)
        ax.set_xlabel(xlabel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    left.set_ylabel(f"million {unit}/s (wall, median)")
    left.set_ylim(bottom=0)
    right.set_ylabel(f"virtual ns per {unit[:-1]} (cost model)")
    right.set_ylim(bottom=0)
    left.set_title("throughput (wall clock)", fontsize=10)
    right.set_title("virtual time per unit (deterministic)", fontsize=10)
    fig.suptitle(f"{title} ({subtitle(context)})", fontsize=11)
    fig.tight_layout()
    save(fig, out_dir, png, written)


def plot_notify(results, context, out_dir, written):
    members = [r for r in family(results, "BM_NotifyThroughput") if r.strategy()]
    if not members:
        skip("notify.png", "no BM_NotifyThroughput benchmarks in the JSON")
        return
    members.sort(key=lambda r: list(STRATEGIES.values()).index(r.strategy()))
    fig, ax = plt.subplots(figsize=(6, 4))
    names = [r.strategy() for r in members]
    rate = [(r.value("items_per_second") or 1e9 / r.wall_ns()) / 1e6 for r in members]
    err = [r.err("items_per_second") / 1e6 for r in members]
    ax.bar(names, rate, yerr=err, capsize=4, color=[COLORS[n] for n in names])
    for i, r in enumerate(members):
        vns = r.value("virtual_ns")
        ax.text(i, rate[i] / 2, f"{r.wall_ns():.0f} ns\n{vns:.0f} virtual ns" if vns else f"{r.wall_ns():.0f} ns",
                ha="center", fontsize=8, color="white")
    ax.set_ylabel("million delivered notifications/s (wall, median)")
    ax.set_title(f"Notification throughput, 4 notifiers -> 1 receiver\n({subtitle(context)})", fontsize=10)
    fig.tight_layout()
    save(fig, out_dir, "notify.png", written)


# --- process count scaling ------------------------------------------------------------------


def per_round_trip(r):
    """ns per round trip: the case's own counter when it has one (the scaling
    cases time a whole run, one iteration), else the wall time per iteration."""
    value = r.value("ns_per_round_trip")
    if isinstance(value, (int, float)):
        return value, r.err("ns_per_round_trip")
    return r.wall_ns(), r.wall_ns_err()


def plot_scaling(results, context, out_dir, written):
    lines = []  # (label, results sorted by size, size arg, color)
    for family_name, arg, what, color in (
        ("BM_ProcessScaling", "processes", "hosted system (sendrec + reply_receive pairs)", "tab:blue"),
        ("BM_RawSwitchScaling", "fibers", "raw fiber switches, same order (floor)", "black"),
    ):
        members = sorted((r for r in family(results, family_name) if isinstance(r.arg(arg), int)),
                         key=lambda r: r.arg(arg))
        if members:
            lines.append((what, members, arg, color))
    if not any(line[1][0].family == "BM_ProcessScaling" for line in lines):
        skip("scaling.png", "no BM_ProcessScaling benchmarks in the JSON")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for what, members, arg, color in lines:
        xs = [r.arg(arg) for r in members]
        ys, errs = zip(*(per_round_trip(r) for r in members))
        left.errorbar(xs, ys, yerr=errs, marker="o", capsize=3, color=color, label=what)
        if members[0].family == "BM_ProcessScaling" and xs[0] == 2:
            for x, y in zip(xs[1:], ys[1:]):
                left.annotate(f"{y / ys[0]:.1f}x", (x, y), textcoords="offset points", xytext=(0, 6),
                              ha="center", fontsize=7, color=color)
        # Memory: the first RSS counter, preferring the peak.
        keys = sorted({k for r in members for k in r.center if "rss" in k.lower()},
                      key=lambda k: (0 if "peak" in k.lower() else 1, k))
        for key in keys[:1]:
            values = [r.value(key) for r in members]
            if not all(isinstance(v, (int, float)) for v in values):
                continue
            right.plot(xs, values, marker="s", color=color, label=f"{key}, {what.split(' (')[0]}")
            right.set_ylabel(key)
    left.set_ylabel("wall ns per round trip (median)")
    left.set_title("cost per round trip (labels: x the 2-process figure)", fontsize=10)
    right.set_title("memory", fontsize=10)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.set_xlabel("processes (fibers) in the instance")
        if ax is left:
            ax.set_ylim(bottom=0)
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, loc="upper left")
    if not right.lines:
        right.text(0.5, 0.5, "no RSS counter in the JSON", ha="center", va="center", transform=right.transAxes)
    elif right.get_ylabel().endswith("MiB"):
        right.axhline(2048, color="red", linestyle=":", linewidth=1, label="2 GiB (issue 3 goal)")
        right.set_yscale("log")
        right.legend(fontsize=8, loc="lower right")
    fig.suptitle(f"Process count scaling ({subtitle(context)})", fontsize=11)
    fig.tight_layout()
    save(fig, out_dir, "scaling.png", written)


# --- cross-CPU --------------------------------------------------------------------------------


def plot_cross_cpu(results, context, out_dir, written):
    pairs = defaultdict(dict)  # family -> {0: same CPU, 1: across CPUs}
    singles = []  # cross-CPU-only benchmarks (cross-thread streaming, strategies in parallel mode)
    for r in results.values():
        cross = r.arg("cross_cpu")
        if isinstance(cross, int):
            pairs[r.family][cross] = r
        elif "CrossThread" in r.family or "CrossCpu" in r.family or "cross_cpu" in r.family.lower():
            singles.append(r)
    groups = [(f, p) for f, p in sorted(pairs.items())]
    if not groups and not singles:
        skip("cross_cpu.png", "no benchmarks with a cross_cpu argument or a CrossThread/CrossCpu name in the JSON")
        return
    fig, ax = plt.subplots(figsize=(10, 0.5 * (2 * len(groups) + len(singles)) + 1.8))
    y, labels, values, errors, colors = 0, [], [], [], []
    ticks = []
    for name, p in groups:
        for cross, color, where in ((0, "tab:blue", "same CPU"), (1, "tab:red", "across CPUs")):
            if cross in p:
                r = p[cross]
                labels.append(f"{r.display().replace(f'/cross_cpu:{cross}', '')}, {where}")
                values.append(r.wall_ns())
                errors.append(r.wall_ns_err())
                colors.append(color)
                ticks.append(y)
                y += 1
    for r in singles:
        labels.append(r.display() + (f", {r.strategy()}" if r.strategy() else ""))
        values.append(r.wall_ns())
        errors.append(r.wall_ns_err())
        colors.append(COLORS.get(r.strategy(), "tab:purple"))
        ticks.append(y)
        y += 1
    ax.barh(ticks, values, xerr=errors, color=colors, alpha=0.85)
    ax.set_yticks(ticks)
    ax.set_yticklabels(labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xscale("log")
    for t, v, e in zip(ticks, values, errors):
        ax.text((v + e) * 1.05, t, f"{v:.0f} ns", va="center", fontsize=7)
    ax.set_xlim(right=max(values) * 5)
    ax.set_xlabel("wall ns per operation (median, log scale)")
    ax.set_title(f"Same CPU vs across CPUs ({subtitle(context)})", fontsize=10)
    fig.tight_layout()
    save(fig, out_dir, "cross_cpu.png", written)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", nargs="?", default="results/bench.json")
    parser.add_argument("--out", default=None, help="output folder (default: plots/ next to the JSON)")
    args = parser.parse_args()
    if not os.path.exists(args.json):
        print(f"plot_results: {args.json} does not exist (run `make bench` first)", file=sys.stderr)
        return 2
    out_dir = args.out or os.path.join(os.path.dirname(args.json) or ".", "plots")
    os.makedirs(out_dir, exist_ok=True)
    context, results = load(args.json)
    if not results:
        print(f"plot_results: no benchmark results in {args.json}", file=sys.stderr)
        return 1
    print(f"{len(results)} benchmarks in {args.json}")
    written = []
    plot_latency(results, context, out_dir, written)
    plot_series(results, context, out_dir, written, family_name="BM_FanIn", arg="clients", png="fanin.png",
                xlabel="clients (one server)", unit="requests", title="Fan-in: N clients sendrec to one server")
    plot_series(results, context, out_dir, written, family_name="BM_Pipeline", arg="stages", png="pipeline.png",
                xlabel="stages between source and sink", unit="items", title="K-stage pipeline, end to end")
    plot_notify(results, context, out_dir, written)
    plot_scaling(results, context, out_dir, written)
    plot_cross_cpu(results, context, out_dir, written)
    print(f"{len(written)} plot(s) in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

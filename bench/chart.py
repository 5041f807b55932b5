"""Draws one benchmark run (bench/results/*.json) as a PNG: python chart.py RUN.json OUT.png.

The same medians as the markdown table; log scales where the tools differ by orders of magnitude.
"""
import json
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"direct": "#7f7f7f", "ours": "#1f77b4", "ours6": "#6baed6", "caxa": "#d62728",
          "makeself": "#ff7f0e", "tar": "#2ca02c", "tree": "#bcbd22", "goFloor": "#c5b0d5", "goFloorExec": "#9467bd"}
LABELS = {"direct": "direct run", "ours": "pack-action", "ours6": "pack-action, 6 targets",
          "caxa": "caxa", "makeself": "makeself", "tar": "tar --zstd -xf", "tree": "tree",
          "goFloor": "go-floor (Go start only)", "goFloorExec": "go-floor + exec"}


def med(xs):
    return statistics.median(xs) if xs else None


def grouped(ax, trees, series, get, title, unit, log=False):
    keys = list(trees)
    width = 0.8 / len(series)
    for i, s in enumerate(series):
        vals = [get(trees[k]["figures"], s) for k in keys]
        xs = [j + i * width for j in range(len(keys))]
        pairs = [(x, v) for x, v in zip(xs, vals) if v is not None]
        if pairs:
            ax.bar([p[0] for p in pairs], [p[1] for p in pairs], width, color=COLORS[s], label=LABELS[s])
    ax.set_xticks([j + width * (len(series) - 1) / 2 for j in range(len(keys))])
    ax.set_xticklabels([f"({k})" for k in keys])
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize=7)


def main(src, out):
    r = json.load(open(src))
    trees = r["trees"]
    ms = lambda xs: med(xs) * 1000 if xs else None  # noqa: E731
    fig, axes = plt.subplots(2, 4, figsize=(20, 9))
    m = r["machine"]
    fig.suptitle(f"pack-action vs caxa and makeself, {r['date'][:16].replace('T', ' ')} UTC ({r['config']['name']} run); "
                 f"{m['nproc']} x {m['cpu']}, {m['kernel']}", fontsize=12)

    # go-floor: tree (a) only, the reference for what any Go stub that execs costs.
    grouped(axes[0][0], trees, ["direct", "goFloor", "goFloorExec", "ours", "caxa", "makeself"], lambda f, s: ms(f["warm"].get(s)),
            "warm start (median)", "ms (log)", log=True)
    grouped(axes[0][1], trees, ["tar", "ours", "caxa", "makeself"], lambda f, s: ms(f["cold"].get(s)),
            "cold start, empty cache (median)", "ms (log)", log=True)

    def pack(f, s):
        if s == "ours6":
            return med(f["packAll"].get("ours"))
        return med(f["pack"].get(s))
    grouped(axes[0][2], trees, ["ours", "ours6", "caxa", "makeself"], pack, "pack time (median)", "s")

    def size(f, s):
        v = med(f["size"].get(s)) if s != "tree" else med(f["size"]["tree"])
        return v / 1e6 if v is not None else None
    grouped(axes[0][3], trees, ["tree", "ours", "caxa", "makeself"], size, "pack size (one target)", "MB")

    grouped(axes[1][0], trees, ["direct", "ours", "caxa", "makeself"],
            lambda f, s: med(f["rss"].get(s)) / 1024 if f["rss"].get(s) else None, "peak memory of a warm start", "MiB")

    g = r.get("growth") or []
    ax = axes[1][1]
    if g:
        sizes = [row["mb"] for row in g]
        for s in ["direct", "ours", "caxa"]:
            vals = [ms(row["warm"].get(s)) for row in g]
            if all(v is not None for v in vals):
                ax.plot(sizes, vals, marker="o", color=COLORS[s], label=LABELS[s])
        ax.set_yscale("log")
        ax.set_xlabel("incompressible data in the pack, MB")
        ax.legend(fontsize=7)
    ax.set_title("warm start as the pack grows", fontsize=10)
    ax.set_ylabel("ms (log)")

    ax = axes[1][2]
    if g:
        for s in ["ours", "caxa"]:
            vals = [med(row["rss"].get(s)) / 1024 if row["rss"].get(s) else None for row in g]
            if all(v is not None for v in vals):
                ax.plot(sizes, vals, marker="o", color=COLORS[s], label=LABELS[s])
        ax.axhline(16, color="#1f77b4", linestyle=":", linewidth=1, label="target: 16 MiB")
        ax.set_xlabel("incompressible data in the pack, MB")
        ax.legend(fontsize=7)
    ax.set_title("peak memory of a warm start as the pack grows", fontsize=10)
    ax.set_ylabel("MiB")

    ax = axes[1][3]
    keys = list(trees)
    n = r["config"]["concurrency"]
    bars = [("direct", "conc1", "direct x1", "#c7c7c7"), ("direct", "concN", f"direct x{n}", "#7f7f7f"),
            ("ours", "conc1", "pack-action x1", "#6baed6"), ("ours", "concN", f"pack-action x{n}", "#1f77b4"),
            ("caxa", "conc1", "caxa x1", "#ff9896"), ("caxa", "concN", f"caxa x{n}", "#d62728")]
    width = 0.8 / len(bars)
    for i, (tool, fig_key, label, color) in enumerate(bars):
        vals = [ms(trees[k]["figures"][fig_key].get(tool)) for k in keys]
        pairs = [(j + i * width, v) for j, v in enumerate(vals) if v is not None]
        if pairs:
            ax.bar([p[0] for p in pairs], [p[1] for p in pairs], width, color=color, label=label)
    ax.set_xticks([j + width * (len(bars) - 1) / 2 for j in range(len(keys))])
    ax.set_xticklabels([f"({k})" for k in keys])
    ax.set_yscale("log")
    ax.set_title(f"1 vs {n} concurrent cold starts", fontsize=10)
    ax.set_ylabel("ms (log)")
    ax.legend(fontsize=7)

    fig.text(0.01, 0.005, "trees: " + "; ".join(f"({k}) {t['title']}" for k, t in trees.items()), fontsize=8)
    fig.tight_layout(rect=(0, 0.02, 1, 0.96))
    fig.savefig(out, dpi=90)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: chart.py RUN.json OUT.png")
    main(sys.argv[1], sys.argv[2])

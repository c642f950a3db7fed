"""docs/benchmarks.png: rps (round trips/s for the WebSocket echo) per scenario and side, the median with the range
of the rounds as a whisker."""

import textwrap

from harness import figures as fg
from harness.sides import NAMES, SIDES

COLORS = {"storefront": "#1f77b4", "peer": "#ff7f0e", "ceiling": "#7f7f7f"}


def render(doc, path):
    import matplotlib   # only the chart needs it: rendering the Markdown works without
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    scs = [sc for sc in doc["scenarios"] if fg.windowed(sc) and not fg.not_run(sc)]
    figs = {side: [fg.side_figure(sc["results"][side], "rps") for sc in scs] for side in SIDES}
    present = [f["median"] for side in SIDES for f in figs[side] if f and f["median"]]
    log = bool(present) and max(present) / max(min(present), 1e-9) > 20

    fig, ax = plt.subplots(figsize=(max(11, 1.75 * len(scs)), 5.5), dpi=110)
    width = 0.26
    for i, side in enumerate(SIDES):
        xs = [j + (i - 1) * width for j in range(len(scs))]
        medians = [f["median"] if f else 0 for f in figs[side]]
        whiskers = [[m - f["min"] if f else 0 for m, f in zip(medians, figs[side])],
                    [f["max"] - m if f else 0 for m, f in zip(medians, figs[side])]]
        bars = ax.bar(xs, medians, width, label=NAMES[side], color=COLORS[side],
                      yerr=whiskers, capsize=2, error_kw={"elinewidth": 0.8})
        for bar, f in zip(bars, figs[side]):
            label = "n/a" if f is None else f"{f['median']:,.0f}"
            ax.annotate(label, (bar.get_x() + bar.get_width() / 2, f["max"] if f else (1 if log else 0)),
                        textcoords="offset points", xytext=(0, 2), ha="center", va="bottom", fontsize=7,
                        rotation=90, color="#555555" if f is None else "black")
    ax.set_xticks(range(len(scs)))
    ax.set_xticklabels(["\n".join(textwrap.fill(part, 20) for part in sc["title"].split(", "))
                        + f"\n(c={sc['connections']:,}{', round trips' if sc['tool'] == 'ws_echo' else ''})"
                        for sc in scs], fontsize=8)
    ax.set_ylabel("requests (2xx) or WebSocket round trips per second, median of the rounds"
                  + (", log scale" if log else ""), fontsize=8)
    if log:
        ax.set_yscale("log")
        ax.set_ylim(bottom=1, top=max(present) * 40)
    elif present:
        ax.set_ylim(top=max(present) * 1.35)
    meta = doc["meta"]
    ax.set_title(f"Storefront vs FastAPI peer vs bare Kestrel: {meta['machine']['nproc']} cores, {meta['rounds']} "
                 f"rounds of {meta['window_s']} s{' (quick)' if meta.get('quick') else ''}, {meta['date'][:10]}",
                 fontsize=10)
    ax.legend(fontsize=8, ncol=3, loc="upper center")
    ax.grid(axis="y", alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)

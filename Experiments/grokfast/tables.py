#!/usr/bin/env python3
"""The Grokfast experiment's tables and path figure, from the committed run files only.

Reads Experiments/grokfast/runs/<cell>/{config.json,metrics.csv,htsr.csv,phases.json} (cells
named seed=S,grokfast=off|ema,wd=W), rewrites the README's text between the markers
<!-- tables:begin --> and <!-- tables:end -->, and writes figures/path.svg (+ .png with
rsvg-convert): FC1/FC2 alpha and stable rank against test accuracy, one line per run.
Standard library only.
"""
import csv, json, math, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNS = os.path.join(HERE, "runs")
THRESHOLD = 0.85          # T_grok: first evaluation with test accuracy >= this
MILESTONES = [0.5, 0.7, 0.85]
CELLS = [("off", "0.01"), ("off", "2"), ("ema", "0.01"), ("ema", "2"), ("strong", "0.01")]
NAMES = {("off", "0.01"): "baseline (filter off, wd 0.01)", ("off", "2"): "wd 2.0 only",
         ("ema", "0.01"): "Grokfast only (wd 0.01)", ("ema", "2"): "Grokfast + wd 2.0 (the authors' run)",
         ("strong", "0.01"): "Grokfast at alpha 0.98, lambda 2 (wd 0.01)"}
# The strong filter's run(s) live in runs-strong/ under the usual cell names.
FOLDERS = [("runs", None), ("runs-strong", "strong")]


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def num(x):
    try:
        v = float(x)
        return v if math.isfinite(v) else None
    except (TypeError, ValueError):
        return None


def load():
    runs = {}
    for folder, kind in FOLDERS:
        top = os.path.join(HERE, folder)
        for name in sorted(os.listdir(top)) if os.path.isdir(top) else []:
            load_run(runs, os.path.join(top, name), name, kind)
    return runs


def load_run(runs, d, name, kind):
    m = re.fullmatch(r"seed=(\d+),grokfast=(\w+),wd=([\d.]+)", name)
    if m:
        metrics = read_csv(os.path.join(d, "metrics.csv"))
        htsr = read_csv(os.path.join(d, "htsr.csv"))
        with open(os.path.join(d, "phases.json")) as f:
            phases = json.load(f)
        by_step = {}
        for r in htsr:
            by_step.setdefault(int(r["step"]), {})[r["layer"]] = r
        runs.setdefault((kind or m.group(2), m.group(3)), {})[int(m.group(1))] = {
            "metrics": metrics, "htsr": by_step, "phases": phases, "steps": int(metrics[-1]["step"])}


def first_step(metrics, column, level):
    for r in metrics:
        v = num(r[column])
        if v is not None and v >= level:
            return int(r["step"]), r
    return None, None


def geo(xs):
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def mean_sd(xs):
    m = sum(xs) / len(xs)
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) if len(xs) > 1 else 0.0
    return m, sd


def fmt_int(x):
    return f"{x:,}"


def phase_at(segments, step):
    for s in segments:
        if s["start_step"] <= step <= s["end_step"]:
            return s["phase"]
    return "-"


def tables(runs):
    out = []
    seeds = sorted({s for cell in runs.values() for s in cell})
    tg = {c: {s: first_step(runs[c][s]["metrics"], "test_acc", THRESHOLD)[0] for s in runs.get(c, {})} for c in CELLS}
    tm = {c: {s: first_step(runs[c][s]["metrics"], "train_acc", 1.0)[0] for s in runs.get(c, {})} for c in CELLS}

    out.append("T_grok = the first evaluation with test accuracy >= 0.85 (200 evaluations log-spaced over "
               "10^5 steps: 6% apart); T_fit = the first with train accuracy 1.0. Peak = the highest "
               "test accuracy of the run; final = at step 10^5. Mean +- sample sd over seeds "
               + ", ".join(map(str, seeds)) + ".")
    out.append("")
    out.append("| cell | runs | T_grok per seed | T_grok geo. mean | T_fit per seed | peak test acc | at step (per seed) | final test acc |")
    out.append("|---|---|---|---|---|---|---|---|")
    for c in CELLS:
        cell = runs.get(c, {})
        if not cell:
            continue
        ss = sorted(cell)
        t = [tg[c][s] for s in ss]
        reached = [x for x in t if x is not None]
        peaks = [max(num(r["test_acc"]) for r in cell[s]["metrics"]) for s in ss]
        peak_steps = [int(max(cell[s]["metrics"], key=lambda r: num(r["test_acc"]))["step"]) for s in ss]
        finals = [num(cell[s]["metrics"][-1]["test_acc"]) for s in ss]
        pm, psd = mean_sd(peaks)
        fm, fsd = mean_sd(finals)
        gm = fmt_int(round(geo(reached))) if len(reached) == len(t) else "censored"
        out.append(f"| {NAMES[c]} | {len(ss)} | {', '.join(fmt_int(x) if x else 'never' for x in t)} | {gm} | "
                   f"{', '.join(fmt_int(tm[c][s]) if tm[c][s] else 'never' for s in ss)} | {pm:.4f} +- {psd:.4f} | "
                   f"{', '.join(fmt_int(x) for x in peak_steps)} | {fm:.4f} +- {fsd:.4f} |")
    out.append("")

    # Speed-ups against the baseline, paired by seed (same split, init and batch order), to each
    # accuracy milestone; T_grok is the last one.
    def reach(c, level):
        return {s: first_step(runs[c][s]["metrics"], "test_acc", level)[0] for s in runs.get(c, {})}
    base = {level: reach(("off", "0.01"), level) for level in MILESTONES}
    out.append("Speed-up against the baseline in the steps to reach a test accuracy (0.85: T_grok), "
               "paired by seed (same seed = same init and batch order): the geometric mean over seeds "
               "and its range; `share of ln` = the cell's ln(speed-up to 0.85) over the authors' run's "
               "(Grokfast + wd 2.0), i.e. how much of that speed-up one cause gives alone.")
    out.append("")
    out.append("| cell | to 0.5 | to 0.7 | to 0.85 (T_grok), per seed | to 0.85: geo. mean (min - max) | share of ln |")
    out.append("|---|---|---|---|---|---|")
    speedups = {}   # cell -> per milestone: (ratios of the seeds that reached it, seeds that never did)
    for c in CELLS[1:]:
        if runs.get(c):
            speedups[c] = []
            for level in MILESTONES:
                t = reach(c, level)
                speedups[c].append(([base[level][s] / t[s] for s in sorted(t) if base[level].get(s) and t[s]],
                                    [s for s in sorted(t) if not t[s]]))
    # The T_grok speed-ups of cells whose every seed reached 0.85.
    ratios = {c: v[2][0] for c, v in speedups.items() if v[2][0] and not v[2][1]}
    both = math.log(geo(ratios[("ema", "2")])) if ("ema", "2") in ratios else None

    def show(r, never):
        parts = ([f"{geo(r):.2f}x"] if r else []) + ([f"never (seed {', '.join(map(str, never))})"] if never else [])
        return "; ".join(parts)
    for c, v in speedups.items():
        r85, never85 = v[2]
        per = "; ".join(([", ".join(f"{x:.2f}x" for x in r85)] if r85 else []) +
                        ([f"never (seed {', '.join(map(str, never85))})"] if never85 else []))
        rng = f"{geo(r85):.2f}x ({min(r85):.2f} - {max(r85):.2f})" if c in ratios else "-"
        share = f"{100 * math.log(geo(ratios[c])) / both:.0f}%" if both and c in ratios else "-"
        out.append(f"| {NAMES[c]} | {show(*v[0])} | {show(*v[1])} | {per} | {rng} | {share} |")
    if all(ratios.get(c) for c in CELLS[1:4]):
        # The answer in one sentence, at the top, from the same numbers as the table.
        g = {c: geo(ratios[c]) for c in CELLS[1:4]}
        out[0:0] = [f"**In short** (seeds {', '.join(map(str, seeds))}): to test accuracy 0.85, weight decay 2.0 "
                    f"alone is {g[('off', '2')]:.1f}x faster than the baseline, Grokfast alone "
                    f"{g[('ema', '0.01')]:.2f}x, both together {g[('ema', '2')]:.1f}x: weight decay gives "
                    f"{100 * math.log(g[('off', '2')]) / both:.0f}% of the combined speed-up's logarithm, "
                    f"the filter {100 * math.log(g[('ema', '0.01')]) / both:.0f}%.", ""]
        inter = geo(ratios[("ema", "2")]) / (geo(ratios[("off", "2")]) * geo(ratios[("ema", "0.01")]))
        out.append("")
        out.append(f"Interaction: the authors' run's speed-up to 0.85 over the product of the two alone: {inter:.2f} "
                   "(1 = the causes multiply independently).")
    out.append("")

    # The HTSR state at matched accuracy: the same path travelled faster shows the same values.
    out.append("HTSR at matched test accuracy: at the first evaluation with test accuracy >= each level, "
               "FC1 and FC2's alpha, stable rank and correlation traps (centered count), the total "
               "weight norm, and the HTSR phase label; mean over seeds (+- sd for alpha). "
               "Equal rows across cells would mean the same path, travelled at another speed.")
    out.append("")
    out.append("| test acc >= | cell | step (geo. mean) | alpha FC1 | alpha FC2 | stable rank FC1 | stable rank FC2 | traps FC1 / FC2 | l2 norm | HTSR phase (per seed) |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for level in MILESTONES:
        for c in CELLS:
            cell = runs.get(c, {})
            rows = []
            for s in sorted(cell):
                step, mrow = first_step(cell[s]["metrics"], "test_acc", level)
                if step is None:
                    continue
                h = cell[s]["htsr"].get(step, {})
                rows.append((step, h, mrow, phase_at(cell[s]["phases"].get("htsr", []), step)))
            if not cell:
                continue
            if not rows:
                out.append(f"| {level} | {NAMES[c]} | never | | | | | | | |")
                continue

            def col(layer, key):
                vals = [num(h.get(layer, {}).get(key)) for _, h, _, _ in rows]
                return [v for v in vals if v is not None]

            def ms(vals, digits=2):
                if not vals:
                    return "-"
                m, sd = mean_sd(vals)
                return f"{m:.{digits}f} +- {sd:.{digits}f}" if len(vals) > 1 else f"{m:.{digits}f}"

            def mean(vals, digits=1):
                return f"{sum(vals) / len(vals):.{digits}f}" if vals else "-"

            norms = [num(m["l2_norm"]) for _, _, m, _ in rows]
            out.append(f"| {level} | {NAMES[c]} | {fmt_int(round(geo([r[0] for r in rows])))} | {ms(col('fc1', 'alpha'))} | "
                       f"{ms(col('fc2', 'alpha'))} | {mean(col('fc1', 'stable_rank'))} | {mean(col('fc2', 'stable_rank'))} | "
                       f"{mean(col('fc1', 'num_traps_centered'))} / {mean(col('fc2', 'num_traps_centered'))} | "
                       f"{mean(norms)} | {', '.join(r[3] for r in rows)} |")
    out.append("")

    # The end of the runs.
    out.append("At the end (step 10^5): mean over seeds.")
    out.append("")
    out.append("| cell | test acc | alpha FC1 | alpha FC2 | stable rank FC1 | stable rank FC2 | traps FC1 / FC2 | l2 norm | HTSR phase (per seed) |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for c in CELLS:
        cell = runs.get(c, {})
        if not cell:
            continue
        vals = {}
        for s in sorted(cell):
            last = cell[s]["metrics"][-1]
            step = int(last["step"])
            h = cell[s]["htsr"].get(step, {})
            for k, v in [("acc", num(last["test_acc"])), ("norm", num(last["l2_norm"])),
                         ("a1", num(h.get("fc1", {}).get("alpha"))), ("a2", num(h.get("fc2", {}).get("alpha"))),
                         ("s1", num(h.get("fc1", {}).get("stable_rank"))), ("s2", num(h.get("fc2", {}).get("stable_rank"))),
                         ("t1", num(h.get("fc1", {}).get("num_traps_centered"))), ("t2", num(h.get("fc2", {}).get("num_traps_centered")))]:
                if v is not None:
                    vals.setdefault(k, []).append(v)
            vals.setdefault("phase", []).append(phase_at(cell[s]["phases"].get("htsr", []), step))

        def m(k, d=2):
            v = vals.get(k, [])
            return f"{sum(v) / len(v):.{d}f}" if v else "-"
        out.append(f"| {NAMES[c]} | {m('acc', 4)} | {m('a1')} | {m('a2')} | {m('s1', 1)} | {m('s2', 1)} | "
                   f"{m('t1', 1)} / {m('t2', 1)} | {m('norm', 1)} | {', '.join(vals['phase'])} |")
    return "\n".join(out) + "\n"


def path_figure(runs, path):
    """FC1/FC2 alpha and stable rank against test accuracy: one polyline per run, a colour per cell."""
    colors = {("off", "0.01"): "#0072B2", ("off", "2"): "#E69F00", ("ema", "0.01"): "#009E73", ("ema", "2"): "#D55E00",
              ("strong", "0.01"): "#CC79A7"}
    panels = [("fc1", "alpha"), ("fc2", "alpha"), ("fc1", "stable_rank"), ("fc2", "stable_rank")]
    W, H, pw, ph, ml, mt = 1080, 820, 400, 260, 90, 70
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="DejaVu Sans" font-size="13">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="28" text-anchor="middle" font-size="16">The HTSR path against test accuracy (each line one run, in step order)</text>']
    for i, (layer, key) in enumerate(panels):
        x0 = ml + (i % 2) * (pw + 110)
        y0 = mt + (i // 2) * (ph + 90)
        series = []
        for c in CELLS:
            for s, run in sorted(runs.get(c, {}).items()):
                pts = []
                for r in run["metrics"]:
                    h = run["htsr"].get(int(r["step"]), {}).get(layer, {})
                    a, v = num(r["test_acc"]), num(h.get(key))
                    if a is not None and v is not None:
                        pts.append((a, v))
                if pts:
                    series.append((c, pts))
        ys = [v for _, p in series for _, v in p]
        if not ys:
            continue
        lo, hi = min(ys), max(ys)
        pad = 0.05 * (hi - lo or 1)
        lo, hi = lo - pad, hi + pad

        def X(a):
            return x0 + (a - 0.0) / 1.0 * pw

        def Y(v):
            return y0 + ph - (v - lo) / (hi - lo) * ph
        svg.append(f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
        for t in range(0, 11, 2):
            a = t / 10
            svg.append(f'<line x1="{X(a)}" y1="{y0 + ph}" x2="{X(a)}" y2="{y0 + ph + 5}" stroke="#444"/>')
            svg.append(f'<text x="{X(a)}" y="{y0 + ph + 19}" text-anchor="middle">{a:.1f}</text>')
        for k in range(5):
            v = lo + (hi - lo) * k / 4
            svg.append(f'<line x1="{x0 - 5}" y1="{Y(v)}" x2="{x0}" y2="{Y(v)}" stroke="#444"/>')
            svg.append(f'<text x="{x0 - 8}" y="{Y(v) + 4}" text-anchor="end">{v:.3g}</text>')
        svg.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph + 38}" text-anchor="middle">test accuracy</text>')
        svg.append(f'<text x="{x0 + pw / 2}" y="{y0 - 8}" text-anchor="middle" font-size="14">{key.replace("_", " ")} {layer.upper()}</text>')
        for c, pts in series:
            d = " ".join(f"{X(a):.1f},{Y(v):.1f}" for a, v in pts)
            svg.append(f'<polyline points="{d}" fill="none" stroke="{colors[c]}" stroke-width="1.3" opacity="0.8"/>')
    for j, c in enumerate(c for c in CELLS if runs.get(c)):
        x, ly = ml + (j % 2) * 420, mt + 2 * ph + 90 + 62 + (j // 2) * 24
        svg.append(f'<line x1="{x}" y1="{ly}" x2="{x + 24}" y2="{ly}" stroke="{colors[c]}" stroke-width="3"/>')
        svg.append(f'<text x="{x + 30}" y="{ly + 4}">{NAMES[c]}</text>')
    svg.append("</svg>")
    with open(path + ".svg", "w") as f:
        f.write("\n".join(svg) + "\n")
    try:
        subprocess.run(["rsvg-convert", "-o", path + ".png", path + ".svg"], check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"note: {path}.png not written ({e})", file=sys.stderr)


def main():
    runs = load()
    text = tables(runs)
    readme = os.path.join(HERE, "README.md")
    with open(readme) as f:
        doc = f.read()
    begin, end = "<!-- tables:begin -->\n", "<!-- tables:end -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    with open(readme, "w") as f:
        f.write(doc[:i] + text + doc[j:])
    os.makedirs(os.path.join(HERE, "figures"), exist_ok=True)
    path_figure(runs, os.path.join(HERE, "figures", "path"))


if __name__ == "__main__":
    main()

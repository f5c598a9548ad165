#!/usr/bin/env python3
"""Tables of the injected-noise escape experiments, from the committed files only:
langevin/arrhenius.csv (+ langevin.log for the theory's barrier line) and
label-noise/arrhenius.csv, as grok-hysteresis arrhenius wrote them. Rewrites README.md between
<!-- noise:begin --> and <!-- noise:end -->. Standard library only."""
import csv, math, os, re

HERE = os.path.dirname(os.path.abspath(__file__))


def levels(path, key):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        out.setdefault(float(r[key]), []).append(r)
    return [(k, out[k]) for k in sorted(out)]


def fit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    a = my - b * mx
    res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    tot = sum((y - my) ** 2 for y in ys)
    se = math.sqrt(res / (n - 2) / sxx) if n > 2 else float("nan")
    return a, b, se, (1 - res / tot if tot > 0 else 1.0)


def langevin(name, barrier):
    """The per-temperature table, the fits and the local slopes of one Langevin experiment."""
    lv = levels(os.path.join(HERE, name, "arrhenius.csv"), "temperature")
    budget = int(lv[0][1][0]["budget"])
    out = [f"`{name}`: lr {lv[0][1][0]['lr']}, batch {lv[0][1][0]['batch']}, {len(lv[0][1])} seeds per T "
           f"(batch-order and noise seeds 1-{len(lv[0][1])}), budget {budget:,} epochs.", "",
           "| T | 1/T | barrier/T | escaped | censored | escape epoch: median (min - max) | mean (censored MLE) | ln mean |",
           "|---|---|---|---|---|---|---|---|"]
    pts = []
    for t, rows in lv:
        esc = sorted(int(r["escape_epoch_mse"]) for r in rows if r["censored"] == "false")
        cens = len(rows) - len(esc)
        trapped = sum(int(r["escape_epoch_mse"]) if r["censored"] == "false" else int(r["budget"]) for r in rows)
        mle = trapped / len(esc) if esc else None
        med = f"{esc[len(esc) // 2]:,} ({esc[0]:,} - {esc[-1]:,})" if esc else "-"
        if mle:
            pts.append((1 / t, math.log(mle), cens))
        out.append(f"| {t:g} | {1 / t:.1f} | {barrier / t:.1f} | {len(esc)} of {len(rows)} | {cens} | {med} | "
                   f"{f'{mle:,.0f}' if mle else f'none (> {budget:,})'} | {f'{math.log(mle):.2f}' if mle else '-'} |")
    out.append("")
    a, b, se, r2 = fit([p[0] for p in pts], [p[1] for p in pts])
    out.append(f"Fit over the {len(pts)} temperatures with an escape (censored MLE means): ln(mean escape epoch) = "
               f"{a:.2f} + **({b:.4f} +- {se:.4f}) / T**, R^2 {r2:.3f}.")
    full = [p for p in pts if p[2] == 0]
    if len(full) >= 3 and len(full) < len(pts):
        a2, b2, se2, r22 = fit([p[0] for p in full], [p[1] for p in full])
        out.append(f"Over the {len(full)} temperatures where every run escaped: slope {b2:.4f} +- {se2:.4f}, R^2 {r22:.3f}.")
    out.append("")
    out.append("Local slopes between neighbouring temperatures, cold to hot:")
    out.append("")
    out.append(f"| T | to T | d ln(mean) / d(1/T) | over the barrier {barrier} |")
    out.append("|---|---|---|---|")
    for (x1, y1, _), (x2, y2, _) in zip(pts, pts[1:]):
        s = (y1 - y2) / (x1 - x2)
        out.append(f"| {1 / x1:g} | {1 / x2:g} | {s:.4f} | {s / barrier:.2f} |")
    out.append("")
    return out


def main():
    with open(os.path.join(HERE, "langevin.log")) as f:
        log = f.read()
    m = re.search(r"barrier ([\d.]+) at lambda ([\d.]+) \(weakest mode, training-set eta ([\d.]+), beta ([\d.]+)\)", log)
    barrier, top, eta, beta = (float(g) for g in m.groups())
    out = [f"The trap of sections 3 and 4 (beta 0.38, 2,000 epochs, lr 0.01, seed 0: sigma2 ~ 1e-18), continued at "
           f"beta {beta} with lr 0.005 and Langevin noise of temperature T. Escape = test MSE below the "
           f"midpoint of plateau and global minimum. Theory (balanced path, weakest mode, training-set "
           f"eta {eta}): barrier **{barrier}** in loss units, its top at lambda = {top}.", ""]
    out += langevin("langevin", barrier)
    if os.path.exists(os.path.join(HERE, "langevin-full-batch", "arrhenius.csv")):
        out.append("The same without minibatch noise (full batch 512: one step per epoch, so epochs are steps "
                   "here; the trap read from `trap/trap-state.json`, the same state):")
        out.append("")
        out += langevin("langevin-full-batch", barrier)
    ln = levels(os.path.join(HERE, "label-noise", "arrhenius.csv"), "label_noise")
    out.append(f"Label noise (the same trap, lr {ln[0][1][0]['lr']}, batch {ln[0][1][0]['batch']}, "
               f"{len(ln[0][1])} seeds per S, budget {int(ln[0][1][0]['budget']):,} epochs):")
    out.append("")
    out.append("| S | escaped | censored | largest final sigma2 | final test MSE (min - max) |")
    out.append("|---|---|---|---|---|")
    for s, rows in ln:
        esc = sum(r["censored"] == "false" for r in rows)
        sig = max(float(r["final_sigma2"]) for r in rows)
        mses = [float(r["final_test_mse"]) for r in rows]
        out.append(f"| {s:g} | {esc} of {len(rows)} | {len(rows) - esc} | {sig:.2g} | {min(mses):.3f} - {max(mses):.3f} |")
    text = "\n".join(out) + "\n"
    readme = os.path.join(HERE, "README.md")
    with open(readme) as f:
        doc = f.read()
    begin, end = "<!-- noise:begin -->\n", "<!-- noise:end -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    with open(readme, "w") as f:
        f.write(doc[:i] + text + doc[j:])


if __name__ == "__main__":
    main()

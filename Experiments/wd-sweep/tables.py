#!/usr/bin/env python3
"""The weight-decay sweep's tables, from the committed results/summary.csv only (written by
grok-sweep summary): per weight decay, both seeds' T_mem, T_grok, accuracies, final alphas and
weight norms, and how far the two seeds' T_grok lie apart. Rewrites README.md between
<!-- tables:begin --> and <!-- tables:end -->. Standard library only."""
import csv, math, os

HERE = os.path.dirname(os.path.abspath(__file__))


def number(text, digits=None):
    x = float(text)
    if digits is None:
        return f"{int(round(x)):,}"
    return f"{x:.{digits}f}"


def main():
    with open(os.path.join(HERE, "results", "summary.csv")) as f:
        rows = list(csv.DictReader(f))
    wds = sorted({r["wd"] for r in rows}, key=float)
    seeds = sorted({r["seed"] for r in rows}, key=int)
    threshold = rows[0]["grok_threshold"]
    out = [f"| wd | T_mem seed {' / '.join(seeds)} | T_grok seed {' / '.join(seeds)} (test acc >= {threshold}) | "
           f"peak test acc | final test acc | final alpha FC1 | final alpha FC2 | final L2 norm | T_grok spread |",
           "|---|---|---|---|---|---|---|---|---|"]
    means = []
    for wd in wds:
        rs = sorted((r for r in rows if r["wd"] == wd), key=lambda r: int(r["seed"]))
        col = lambda key, digits=None: " / ".join(number(r[key], digits) if r[key] else "-" for r in rs)
        t = [float(r["t_grok"]) for r in rs if r["t_grok"]]
        spread = f"{(max(t) - min(t)) / min(t) * 100:.1f}%" if len(t) == len(rs) else "censored"
        means.append((wd, sum(t) / len(t) if t else float("nan")))
        out.append(f"| {wd} | {col('t_mem')} | {col('t_grok')} | {col('peak_test_acc', 3)} | {col('final_test_acc', 3)} | "
                   f"{col('final_alpha_fc1', 2)} | {col('final_alpha_fc2', 2)} | {col('final_l2_norm', 1)} | {spread} |")
    out.append("")
    out.append("T_grok spread = (largest - smallest) / smallest over the seeds. Mean T_grok per weight decay: "
               + ", ".join(f"{number(m)} (wd {wd})" for wd, m in means)
               + f"; wd {means[0][0]} over wd {means[-1][0]}: {means[0][1] / means[-1][1]:.1f}x.")
    text = "\n".join(out) + "\n"
    readme = os.path.join(HERE, "README.md")
    with open(readme) as f:
        doc = f.read()
    begin, end = "<!-- tables:begin -->\n", "<!-- tables:end -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    with open(readme, "w") as f:
        f.write(doc[:i] + text + doc[j:])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The paper-size delay-law tables, from the committed CSVs only: the fit next to the scaled-down
model's (../delay-law-fit.csv) and T_grok per rho and seed (delay-law.csv, written by
grok-sweep delay-law). Rewrites ../README.md between <!-- paper-size:begin --> and
<!-- paper-size:end -->. Standard library only."""
import csv, math, os

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    small = next(r for r in rows(os.path.join(ROOT, "delay-law-fit.csv")) if r["task"].startswith("modular addition"))
    big = rows(os.path.join(HERE, "delay-law-fit.csv"))[0]
    runs = rows(os.path.join(HERE, "delay-law.csv"))
    a1, s1, a2, s2 = float(small["a"]), float(small["a_stderr"]), float(big["a"]), float(big["a_stderr"])
    z = (a2 - a1) / math.hypot(s1, s2)
    out = ["| model | P, F | seeds | runs | grokked | censored | a (+- s.e.) | b | R^2 |", "|---|---|---|---|---|---|---|---|---|"]
    out.append(f"| scaled down: d 64, H 128 (above) | 59, 0.5 | 5 | {small['runs']} | {small['grokked']} | {small['censored']} | "
               f"{a1:.2f} +- {s1:.2f} | {float(small['b']):.2f} | {float(small['r2']):.3f} |")
    seeds = sorted({r["seed"] for r in runs}, key=int)
    out.append(f"| **paper size: d 128, H 256** | 59, 0.5 | {len(seeds)} | {big['runs']} | {big['grokked']} | {big['censored']} | "
               f"**{a2:.2f} +- {s2:.2f}** | {float(big['b']):.2f} | {float(big['r2']):.3f} |")
    out.append("| the paper (arXiv 2606.13753) | 59, 0.4 | | | | | ~7.5 | | |")
    out.append("")
    out.append(f"Difference paper size - scaled down: {a2 - a1:+.2f} +- {math.hypot(s1, s2):.2f} "
               f"({z:+.1f} combined standard errors); paper size - 7.5: {a2 - 7.5:+.2f} ({(a2 - 7.5) / s2:+.1f} s.e.).")
    out.append("")
    out.append("T_grok per rho at paper size (seeds " + ", ".join(seeds) + "; geometric mean; a censored run "
               "shows its last step with '>'):")
    out.append("")
    out.append("| rho | T_grok per seed | geo. mean | W_C per seed |")
    out.append("|---|---|---|---|")
    for rho in sorted({r["rho"] for r in runs}, key=float):
        rs = sorted((r for r in runs if r["rho"] == rho), key=lambda r: int(r["seed"]))
        ts = [(">" + r["last_step"]) if r["censored"] == "1" else r["t_grok"] for r in rs]
        ok = [float(r["t_grok"]) for r in rs if r["censored"] != "1"]
        gm = f"{math.exp(sum(map(math.log, ok)) / len(ok)):,.0f}" if len(ok) == len(rs) else "censored"
        out.append(f"| {rho} | {', '.join(ts)} | {gm} | {', '.join(f'{float(r['w_c']):.2f}' for r in rs)} |")
    text = "\n".join(out) + "\n"
    readme = os.path.join(ROOT, "README.md")
    with open(readme) as f:
        doc = f.read()
    begin, end = "<!-- paper-size:begin -->\n", "<!-- paper-size:end -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    with open(readme, "w") as f:
        f.write(doc[:i] + text + doc[j:])


if __name__ == "__main__":
    main()

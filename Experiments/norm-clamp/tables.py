#!/usr/bin/env python3
"""The scaled-down delay-law tables, from the committed CSVs only (delay-law.csv and
delay-law-fit.csv, written by grok-sweep delay-law): the fit per task, T_grok per rho and seed
with the geometric mean, and each seed's W_C. Rewrites README.md between <!-- results:begin -->
and <!-- results:end -->. Standard library only."""
import csv, math, os

HERE = os.path.dirname(os.path.abspath(__file__))


def rows(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    fits = rows(os.path.join(HERE, "delay-law-fit.csv"))
    runs = rows(os.path.join(HERE, "delay-law.csv"))
    tasks = [f["task"] for f in fits]
    out = ["| task | T_grok at test acc >= | seeds | runs | grokked | censored | a (± s.e.) | b | R^2 |",
           "|---|---|---|---|---|---|---|---|---|"]
    for f in fits:
        seeds = {r["seed"] for r in runs if r["task"] == f["task"]}
        out.append(f"| {f['task']} | {f['threshold']} | {len(seeds)} | {f['runs']} | {f['grokked']} | {f['censored']} | "
                   f"**{float(f['a']):.2f} ± {float(f['a_stderr']):.2f}** | {float(f['b']):.2f} | **{float(f['r2']):.3f}** |")
    out += ["", "T_grok per rho (every seed, in seed order; geometric mean; a censored run shows its last step with '>'):", ""]
    header, rule = "| rho |", "|---|"
    for t in tasks:
        seeds = sorted({r["seed"] for r in runs if r["task"] == t}, key=int)
        header += f" {t}: seeds {seeds[0]}-{seeds[-1]} | geo. mean |"
        rule += "---|---|"
    out += [header, rule]
    for rho in sorted({r["rho"] for r in runs}, key=float):
        line = f"| {rho} |"
        for t in tasks:
            rs = sorted((r for r in runs if r["task"] == t and r["rho"] == rho), key=lambda r: int(r["seed"]))
            ts = [(">" + r["last_step"]) if r["censored"] == "1" else r["t_grok"] for r in rs]
            ok = [float(r["t_grok"]) for r in rs if r["censored"] != "1"]
            gm = f"{math.exp(sum(map(math.log, ok)) / len(ok)):,.0f}" if ok and len(ok) == len(rs) else "censored"
            line += f" {', '.join(ts)} | {gm} |"
        out.append(line)
    out += ["", "W_C (the free run's weight norm at its T_grok) per seed: " + "; ".join(
        t + ": " + ", ".join(f"{float(w):.2f}" for _, w in sorted({(int(r["seed"]), r["w_c"]) for r in runs if r["task"] == t}))
        for t in tasks) + "."]
    text = "\n".join(out) + "\n"
    readme = os.path.join(HERE, "README.md")
    with open(readme) as f:
        doc = f.read()
    begin, end = "<!-- results:begin -->\n", "<!-- results:end -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    with open(readme, "w") as f:
        f.write(doc[:i] + text + doc[j:])


if __name__ == "__main__":
    main()

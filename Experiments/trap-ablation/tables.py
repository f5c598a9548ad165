#!/usr/bin/env python3
"""The trap-ablation tables, from the committed CSVs only (grok-analyze traps --format csv on the
snapshot named in README.md): each trap's size and spread (traps-noise.csv), and each layer's
ablation effect under the three methods (traps-noise.csv, traps-random-u.csv, traps-random-v.csv), and the anti-grokked snapshot's traps
(traps-anti-grokked.csv). Rewrites README.md between <!-- tables:begin --> and <!-- tables:end -->,
and <!-- anti-grokked:begin --> and <!-- anti-grokked:end -->. Standard library only."""
import csv, os
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = [("noise", "noise (WW 0.8)"), ("random-u", "random-u"), ("random-v", "random-v")]
SHAPES = {"fc1": "200x784", "fc2": "200x200", "fc3": "10x200"}


def fixed(text, places):
    """The CSV's decimal text rounded half up (0.79775 -> 0.7978, as a reader rounds it)."""
    return str(Decimal(text).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def rows(name):
    with open(os.path.join(HERE, name)) as f:
        return list(csv.DictReader(f))


def main():
    noise = rows("traps-noise.csv")
    layer = lambda r: r["layer"].replace(".weight", "")
    before = noise[0]
    out = ["## The traps", "",
           "| layer | trap | s | lambda / threshold | IPR entries | IPR rows | IPR columns | share of ‖W‖² |",
           "|---|---|---|---|---|---|---|---|"]
    for r in noise:
        if r["trap"] == "":
            continue
        out.append(f"| {layer(r)} ({SHAPES.get(layer(r), '?')}) | {r['trap']} | {float(r['singular_value']):.4g} | "
                   f"{float(r['over_threshold']):.3g} | {float(r['ipr_entries']):.2g} | {float(r['ipr_rows']):.2g} | "
                   f"{float(r['ipr_columns']):.2g} | {100 * float(r['frobenius_share']):.1f}% |")
    out += ["", f"## Ablation effects (test accuracy before {fixed(before['test_acc_before'], 4)}; "
                f"train accuracy {float(before['train_acc_before']):.1f})", "",
            "| layer | method | test acc after | train acc after | JS (Gaussian probes) | traps after | verdict |",
            "|---|---|---|---|---|---|---|"]
    for name in ["fc1", "fc2", "fc3"]:
        for method, label in METHODS:
            r = next(r for r in rows(f"traps-{method}.csv") if layer(r) == name)
            out.append(f"| {name} | {label} | {fixed(r['test_acc_after'], 4)} | {fixed(r['train_acc_after'], 3)} | "
                       f"{fixed(r['js_divergence'], 4)} | {r['traps_after']} | {r['verdict']} |")
    text = "\n".join(out) + "\n"
    replace(text, "tables")
    # The anti-grokked snapshot (traps-anti-grokked.csv, rewritten by make-tables.sh).
    anti = rows("traps-anti-grokked.csv")
    out = ["| layer | traps | s (lambda / MP threshold) | share of ‖W‖² | test acc after ablating the layer's traps | verdict |",
           "|---|---|---|---|---|---|"]
    for name in ["fc1", "fc2", "fc3"]:
        rs = [r for r in anti if layer(r) == name and r["trap"] != ""]
        if not rs:
            continue
        s = sorted(float(r["singular_value"]) for r in rs)
        x = sorted(float(r["over_threshold"]) for r in rs)
        share = sorted(100 * float(r["frobenius_share"]) for r in rs)
        span = lambda v, f: f.format(v[0]) if len(v) == 1 else f.format(v[0]) + "-" + f.format(v[-1])
        out.append(f"| {name} | {len(rs)} | {span(s, '{:.3g}')} ({span(x, '{:.2g}')}x) | {span(share, '{:.1f}')}%{' each' if len(rs) > 1 else ''} | "
                   f"{fixed(rs[0]['test_acc_before'], 4)} -> {fixed(rs[0]['test_acc_after'], 4)} | "
                   f"{rs[0]['verdict']} |")
    replace("\n".join(out) + "\n", "anti-grokked")


def replace(text, name):
    readme = os.path.join(HERE, "README.md")
    with open(readme) as f:
        doc = f.read()
    begin, end = f"<!-- {name}:begin -->\n", f"<!-- {name}:end -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    with open(readme, "w") as f:
        f.write(doc[:i] + text + doc[j:])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Writes the target graph of Package.swift into README.md (between <!-- BEGIN targets --> and
<!-- END targets -->), so the Layout section cannot go stale: each library and executable
target at its layer (0 = no target dependencies; otherwise one more than its highest
dependency) with the targets it imports. RepositoryTests checks the README against
Package.swift. Standard library only. Usage: scripts/target-graph.py [--check]"""
import os, re, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def targets(package):
    """(name, kind, [dependencies]) of every non-test target, in file order."""
    out = []
    for m in re.finditer(r'\.(target|executableTarget|systemLibrary)\(', package):
        depth, i = 1, m.end()
        while depth:   # the call's arguments: up to its balanced closing parenthesis
            depth += {"(": 1, ")": -1}.get(package[i], 0)
            i += 1
        call = package[m.end():i - 1]
        name = re.match(r'\s*name:\s*"([^"]+)"', call).group(1)
        d = re.search(r'dependencies:\s*\[(.*?)\]', call, re.S)
        deps = re.findall(r'"([^"]+)"', re.sub(r'\.product\([^)]*\)', "", d.group(1))) if d else []
        out.append((name, m.group(1), deps))
    return out


def render(package):
    ts = [t for t in targets(package) if t[0] != "TestSupport"]
    deps = {name: [d for d in ds] for name, _, ds in ts}
    level = {}

    def depth(n):
        if n not in level:
            level[n] = 1 + max((depth(d) for d in deps[n]), default=-1)
        return level[n]

    for n, _, _ in ts:
        depth(n)
    lines = ["| layer | target | imports |", "|---|---|---|"]
    for lv in range(max(level.values()) + 1):
        for n, kind, ds in ts:
            if level[n] != lv:
                continue
            label = n + (" (tool)" if kind == "executableTarget" else " (C library)" if kind == "systemLibrary" else "")
            lines.append(f"| {lv} | {label} | {', '.join(sorted(ds, key=lambda d: (-level[d], d))) or '-'} |")
    return "\n".join(lines) + "\n"


def main():
    with open(os.path.join(ROOT, "Package.swift")) as f:
        table = render(f.read())
    readme = os.path.join(ROOT, "README.md")
    with open(readme) as f:
        doc = f.read()
    begin, end = "<!-- BEGIN targets -->\n", "<!-- END targets -->"
    i, j = doc.index(begin) + len(begin), doc.index(end)
    new = doc[:i] + table + doc[j:]
    if "--check" in sys.argv[1:]:
        if new != doc:
            sys.exit("README.md's target graph differs from Package.swift: run scripts/target-graph.py")
        return
    with open(readme, "w") as f:
        f.write(new)


if __name__ == "__main__":
    main()

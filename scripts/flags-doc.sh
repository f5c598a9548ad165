#!/usr/bin/env bash
# Prints docs/flags.md: every tool's and subcommand's own --help, so the flag reference cannot
# differ from the tools. Regenerate after changing a flag:
#     scripts/flags-doc.sh > docs/flags.md          B=DIR: where the built executables are
# (RepositoryTests runs it and compares.)
set -euo pipefail
B="${B:-$(cd "$(dirname "$0")/.." && pwd)/.build/release}"
export COLUMNS=100 GROKLAB_REEXEC=1
unset OPENBLAS_CORETYPE
echo "# Flag reference"
echo
echo "Each tool's \`--help\`, as the tools print it (made by \`scripts/flags-doc.sh\`; a test checks"
echo "it is current)."
for tool in grok-train grok-analyze grok-report grok-sweep grok-hysteresis; do
    # The tool, then each subcommand it shows in its help, from its machine-readable help.
    subcommands=$("$B/$tool" --experimental-dump-help | python3 -c '
import json, sys
def walk(c, path):
    for s in c.get("subcommands", []) or []:
        if s.get("shouldDisplay", True) and s["commandName"] != "help":
            yield path + [s["commandName"]]
            yield from walk(s, path + [s["commandName"]])
for p in walk(json.load(sys.stdin)["command"], []):
    print(" ".join(p))
')
    echo
    echo "## $tool"
    echo
    echo '```'
    "$B/$tool" --help
    echo '```'
    while IFS= read -r sub; do
        [ -n "$sub" ] || continue
        echo
        echo "### $tool $sub"
        echo
        echo '```'
        # shellcheck disable=SC2086
        "$B/$tool" $sub --help
        echo '```'
    done <<< "$subcommands"
done

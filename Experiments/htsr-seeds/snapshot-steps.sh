#!/usr/bin/env bash
# Prints the steps whose snapshots a finished run keeps, one line: the centres of its
# pre-grokking and anti-grokking phases (as `grok-report seeds` finds them), its accuracy peak
# (phases.json's peak_step) and its last step. Steps without a snapshot on disk are left out.
#     snapshot-steps.sh RUN_DIR
set -euo pipefail
run="${1:?usage: snapshot-steps.sh RUN_DIR}"
bin="$(cd "$(dirname "$0")/../.." && pwd)/.build/release"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$bin/grok-report" seeds "$run" --out "$tmp/report" --no-png > /dev/null
centres=$(awk -F, 'NR > 1 && ($4 == "pre-grokking" || $4 == "anti-grokking") { print $5 }' "$tmp/report/phase-centres.csv")
peak=$(sed -n 's/^ *"peak_step" *: *\([0-9]*\).*/\1/p' "$run/phases.json")
last=$(tail -n 1 "$run/metrics.csv" | cut -d, -f1)
for s in $centres $peak $last; do
    [ -f "$run/snapshots/$(printf 'step-%010d.safetensors' "$s")" ] && echo "$s"
done | sort -n -u | tr '\n' ' ' | sed 's/ $/\n/'

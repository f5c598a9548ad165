#!/usr/bin/env bash
# Saves the sweep into sweep/ for committing (stop it first: Ctrl-C on grok-sweep checkpoints
# every run): the sweep's own files, then each run through ../save-run.sh (re-analysed, small
# files, the checkpoint while unfinished). A finished run keeps the snapshots snapshot-steps.sh
# picks (pre-grokking and anti-grokking centres, the accuracy peak, the end), or those listed
# for its cell in snapshots.txt (lines "CELL STEP STEP ...") where that file names it.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
src=runs/htsr-seeds
[ -f "$src/sweep.json" ] || { echo "error: $src is not a sweep directory" >&2; exit 1; }
mkdir -p "$here/sweep"
cp "$src/sweep.json" "$here/sweep/"
for d in configs state logs; do rm -rf "$here/sweep/$d"; cp -r "$src/$d" "$here/sweep/$d"; done
for run in "$src"/runs/*/; do
    cell=$(basename "$run")
    steps=$(awk -v c="$cell" '$1 == c { $1 = ""; print }' "$here/snapshots.txt" 2>/dev/null || true)
    total=$(sed -n 's/^ *"steps" *: *\([0-9]*\).*/\1/p' "$run/config.json")
    if [ -z "$steps" ] && [ "$(tail -n 1 "$run/metrics.csv" | cut -d, -f1)" = "$total" ]; then
        steps=$("$here/snapshot-steps.sh" "${run%/}")
    fi
    # shellcheck disable=SC2086
    Experiments/save-run.sh "${run%/}" "$here/sweep/runs/$cell" $steps
done

#!/usr/bin/env bash
# Writes this experiment's tables and figures from the committed run directories, and puts the
# tables into README.md: warn.md / warn.csv (grok-analyze warn: when each weight-only signal
# first fires, scored against the collapse, thresholds held out by seed) and report/ (grok-report
# seeds: the figures with seed bands, phase-centres.md / .csv).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${B:-$here/../../.build/release}"
cd "$here"
runs=(../htsr-anti-grokking/results ../htsr-anti-grokking-wd0.01/results)
for cell in "wd=0,seed=1" "wd=0,seed=2" "wd=0.01,seed=1" "wd=0.01,seed=2"; do
    [ -f "sweep/runs/$cell/htsr.csv" ] && runs+=("sweep/runs/$cell")
done
{
    echo "| run | step reached | of | test accuracy there | state |"
    echo "|---|---|---|---|---|"
    for r in "${runs[@]}"; do
        steps=$(sed -n 's/^ *"steps" *: *\([0-9]*\).*/\1/p' "$r/config.json")
        last=$(tail -n 1 "$r/metrics.csv" | cut -d, -f1,5)
        state=$([ "${last%%,*}" = "$steps" ] && echo "finished" || echo "unfinished (checkpoint committed)")
        echo "| $r | ${last%%,*} | $steps | ${last##*,} | $state |"
    done
} > status.md
"$bin/grok-analyze" warn "${runs[@]}" --format markdown > warn.md
"$bin/grok-analyze" warn "${runs[@]}" --format csv > warn.csv
"$bin/grok-report" seeds "${runs[@]}" --out report > /dev/null
../splice.sh README.md status status.md
../splice.sh README.md warn warn.md
../splice.sh README.md phase-centres report/phase-centres.md

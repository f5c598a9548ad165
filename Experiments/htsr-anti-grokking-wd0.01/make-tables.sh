#!/usr/bin/env bash
# Rewrites the README's generated blocks from the committed run in results/: the run's summary
# (steps reached, test accuracy peak and end, the last decade's accuracies, the parameter norm,
# the accuracy labeller's collapse and the HTSR rule's first warning, from metrics.csv and
# phases.json) and the phase-centre table (grok-report seeds: at the centre of each accuracy
# phase and at the end, test accuracy, alpha, traps, KS). B=DIR: where the built executables are.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
B="${B:-$here/../../.build/release}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
run="$here/results"
json() { sed -n "s/^ *\"$1\" *: *\\([^,]*\\),*\$/\\1/p" "$run/phases.json" | head -n 1; }
steps=$(sed -n 's/^ *"steps" *: *\([0-9]*\).*/\1/p' "$run/config.json")
awk -F, -v total="$steps" -v peak="$(json peak_step)" -v peakacc="$(json peak_test_acc)" \
    -v collapse="$(json collapse_step)" -v warn="$(json warning_step)" -v warnacc="$(json warning_test_acc)" '
    function group(n) { s = sprintf("%d", n); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9](,|$)/, ",&", s); return s }
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { step[NR] = $1; test[NR] = $col["test_acc"]; train[NR] = $col["train_acc"]; norm[NR] = $col["l2_norm"]; last = NR }
    END {
        lo = 2; while (lo < last && step[lo] * 10 < step[last]) lo++
        tmin = 1; tmax = 0; rmin = 1
        for (i = lo; i <= last; i++) {
            if (test[i] < tmin) tmin = test[i]; if (test[i] > tmax) tmax = test[i]; if (train[i] < rmin) rmin = train[i]
        }
        state = step[last] == total ? "finished" : "unfinished"
        print "| | this run |"
        print "|---|---|"
        printf "| steps reached | %s of %s (%s) |\n", group(step[last]), group(total), state
        printf "| test accuracy: peak (step) | %.3f (%s) |\n", peakacc, group(peak)
        printf "| test accuracy at the last step | %.3f |\n", test[last]
        printf "| last decade (steps %s to %s): test accuracy, train accuracy | %.3f to %.3f; at least %.3f |\n", group(step[lo]), group(step[last]), tmin, tmax, rmin
        printf "| parameter norm (l2_norm) at step 0 and at the last step | %.1f, %.1f |\n", norm[2], norm[last]
        printf "| accuracy labeller: collapse | %s |\n", collapse == "null" ? "none" : group(collapse)
        printf "| HTSR rule: first warning (test accuracy there) | %s |\n", warn == "null" ? "none" : sprintf("%s (%.3f)", group(warn), warnacc)
    }' "$run/metrics.csv" > "$tmp/summary.md"
"$here/../splice.sh" "$here/README.md" summary "$tmp/summary.md"
"$B/grok-report" seeds "$run" --out "$tmp/report" > /dev/null
"$here/../splice.sh" "$here/README.md" phase-centres "$tmp/report/phase-centres.md"

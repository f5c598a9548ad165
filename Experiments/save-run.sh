#!/usr/bin/env bash
# Copies a stopped (or finished) run into an experiment folder for committing:
#     Experiments/save-run.sh RUN_DIR DEST [STEP ...]
# First re-analyses the run's snapshots with this build (grok-analyze relabel: the same
# shuffles, plus any columns newer than the run; evaluations whose snapshot is gone keep their
# rows), then copies its small files (config.json, metrics.csv, htsr.csv, timing.csv,
# phases.json), its checkpoint while the run is unfinished (removed from DEST once it is
# finished), figures/ and report.html once finished, and the snapshots of the STEPs given.
# The relabel takes the run's lock: a run still training is refused (stop it with Ctrl-C first).
set -euo pipefail
run="${1:?usage: save-run.sh RUN_DIR DEST [STEP ...]}"; dest="${2:?usage: save-run.sh RUN_DIR DEST [STEP ...]}"; shift 2
cd "$(dirname "$0")/.."
[ -f "$run/config.json" ] || { echo "error: $run is not a run directory (no config.json)" >&2; exit 1; }
.build/release/grok-analyze relabel "$run" > /dev/null
mkdir -p "$dest"
for f in config.json metrics.csv htsr.csv timing.csv phases.json clamp.csv; do
    [ -f "$run/$f" ] && cp "$run/$f" "$dest/$f"
done
steps=$(sed -n 's/^ *"steps" *: *\([0-9]*\).*/\1/p' "$run/config.json")
last=$(tail -n 1 "$run/metrics.csv" | cut -d, -f1)
if [ "$last" = "$steps" ]; then
    rm -f "$dest/checkpoint.safetensors"
    .build/release/grok-report "$run" > /dev/null
    rm -rf "$dest/figures"; cp -r "$run/figures" "$dest/figures"; cp "$run/report.html" "$dest/report.html"
    echo "$run: finished at $last; saved without its checkpoint"
else
    cp "$run/checkpoint.safetensors" "$dest/checkpoint.safetensors"
    echo "$run: at step $last of $steps; saved with its checkpoint"
fi
mkdir -p "$dest/snapshots"
for s in "$@"; do
    name=$(printf "step-%010d.safetensors" "$s")
    [ -f "$run/snapshots/$name" ] || { echo "error: $run/snapshots/$name does not exist" >&2; exit 1; }
    cp "$run/snapshots/$name" "$dest/snapshots/$name"
done

#!/usr/bin/env bash
# Continues an experiment's committed run: Experiments/NAME/results holds a complete run
# directory with its checkpoint. It is copied to runs/NAME (git-ignored) once and resumed
# there, bit-identically to an uninterrupted run. Extra flags pass through (e.g. --threads 2).
#     Experiments/continue.sh htsr-anti-grokking
set -euo pipefail
name="${1:?usage: Experiments/continue.sh NAME [grok-train flags]}"; shift
cd "$(dirname "$0")/.."
[ -d "Experiments/$name/results" ] || { echo "error: Experiments/$name/results does not exist" >&2; exit 1; }
swift build -c release --product grok-train
if [ ! -e "runs/$name" ]; then
    mkdir -p runs
    cp -r "Experiments/$name/results" "runs/$name"
fi
.build/release/grok-train --resume --out "runs/$name" "$@"

#!/usr/bin/env bash
# The paper's runs across seeds: --preset paper (f64, 10^7 steps, embedded data) for seeds 1 and 2
# at weight decay 0 and 0.01, one grok-sweep, one cell per core, every snapshot kept (the ERG
# columns and the trap tools need them). Seed 0 is ../htsr-anti-grokking (wd 0) and
# ../htsr-anti-grokking-wd0.01 (wd 0.01). ~3.5 h of a free core per run. Rerunning this script
# resumes the sweep; after a fresh clone, continue.sh restores the committed state first.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product grok-train
swift build -c release --product grok-sweep
.build/release/grok-sweep --preset paper --wd 0,0.01 --seeds 1,2 --keep-snapshots all --jobs 2 \
    --out runs/htsr-seeds "$@"

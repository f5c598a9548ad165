#!/usr/bin/env bash
# Weight-decay sweep on this machine: Omnigrok's MNIST recipe, 1e5 steps, wd in
# {0, 1e-3, 1e-2, 3e-2, 1e-1}, seeds 0 and 1 (10 runs, two at a time on 2 cores, one BLAS
# thread each). Rerunning this script resumes an interrupted sweep. Extra flags pass through.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product grok-train
swift build -c release --product grok-sweep
.build/release/grok-sweep --preset omnigrok --steps 1e5 --wd 0,1e-3,1e-2,3e-2,1e-1 --seeds 0,1 \
    --out sweeps/wd-sweep "$@"
# The summary (summary.csv, summary.html, figures/) is written when the sweep ends; the PNGs to
# commit here are sweeps/wd-sweep/figures/*.png.

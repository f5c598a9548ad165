#!/bin/sh
# Grokfast (Lee et al. 2024) on the Omnigrok MNIST MLP, separated from weight decay: the 2x2 of
# the EMA filter (alpha 0.8, lambda 0.1: the authors' MNIST command) off/on x weight decay
# 0.01 (their baseline) / 2.0 (their accelerated run), 3 seeds each, 10^5 steps, float32, every
# run to the end (the peak and the HTSR path need the whole run). Run from the repository root
# after `swift build -c release`; the sweep goes to sweeps/ (git-ignored), rerunning resumes and
# skips finished runs. One run at a time, one thread, niced: the machine is shared.
# B=dir overrides where the executables are.
set -eu
B=${B:-.build/release}
OUT=Experiments/grokfast

# --seeds first: it varies slowest, so each seed's four cells finish together.
env -u OPENBLAS_CORETYPE nice -n 10 $B/grok-sweep --preset omnigrok --dtype f32 --steps 1e5 \
  --seeds 0,1,2 --grokfast off,ema --grokfast-alpha 0.8 --grokfast-lambda 0.1 --wd 0.01,2 \
  --grok-threshold 0.85 --no-report --jobs 1 --quiet --out sweeps/grokfast

# One seed of the filter at the authors' default strength (alpha 0.98, lambda 2: 20x the
# amplification of their MNIST command) without the strong weight decay: can it speed grokking
# up on its own?
env -u OPENBLAS_CORETYPE nice -n 10 $B/grok-sweep --preset omnigrok --dtype f32 --steps 1e5 \
  --seeds 0 --grokfast ema --grokfast-alpha 0.98 --grokfast-lambda 2 --wd 0.01 \
  --grok-threshold 0.85 --no-report --jobs 1 --quiet --out sweeps/grokfast-strong

# The runs' small files kept with the results: config.json, metrics.csv, htsr.csv, phases.json
# (the strong filter's run under runs-strong/, named like the others).
keep() { mkdir -p "$2"; cp "$1"/config.json "$1"/metrics.csv "$1"/htsr.csv "$1"/phases.json "$2"/; }
for r in sweeps/grokfast/runs/*; do keep "$r" "$OUT/runs/$(basename "$r")"; done
keep sweeps/grokfast-strong/runs/run "$OUT/runs-strong/seed=0,grokfast=ema,wd=0.01"

# Tables (README) and figures, from the committed files only.
$OUT/make-tables.sh

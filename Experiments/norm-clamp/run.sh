#!/bin/sh
# Issue 11's experiment: the grokking delay law T_grok ~ exp(a * rho) under the weight-norm
# clamp (arXiv 2606.13753), on modular addition and on the MNIST MLP. Run from the repository
# root after `swift build -c release`. Sweeps go to sweeps/ (git-ignored); the analysis
# (tables, fit, figures) goes to Experiments/norm-clamp/. Rerunning resumes and skips finished
# runs. Single-threaded, niced: the machine is shared.
set -eu
B=.build/release
RUN="env -u OPENBLAS_CORETYPE nice -n 5"
OUT=Experiments/norm-clamp
RHOS=0.85,0.95,1.05,1.15,1.25

# Modular addition, scaled down from the paper's P 59, F 0.4, d 128, H 256 to fit the budget:
# F 0.5, d 64, H 128 (P 59, full batch, CE, AdamW lr 1e-3 wd 1 on E/W1/W2, f32). A run ends
# at T_grok (first evaluation with test accuracy >= 0.9) or at the budget (censored).
MA="--preset delay-law --train-fraction 0.5 --embed-dim 64 --hidden 128 --htsr off --keep-snapshots 2 --no-report --grok-threshold 0.9 --stop-at-test-acc 0.9 --jobs 1 --quiet"
# (--force: the free sweep first had seeds 0,1,2; finished runs are kept, seeds 3,4 added.)
$RUN $B/grok-sweep $MA --steps 12000 --snapshots 150 --seeds 0,1,2,3,4 --out sweeps/modadd-free --force
for s in 0 1 2 3 4; do
  $RUN $B/grok-sweep $MA --steps 20000 --snapshots 300 --seed $s --clamp-norm $RHOS --clamp-from 500 \
    --clamp-ref auto --clamp-ref-run "sweeps/modadd-free/runs/seed=$s" --clamp-ref-threshold 0.9 \
    --out sweeps/modadd-clamp-seed$s
done

# The MNIST MLP, the Omnigrok recipe (784-200-200-10, init x 8, MSE, AdamW lr 1e-3 wd 0.01,
# batch 200 reshuffled, the first 1,000 embedded images) in f32. T_grok threshold 0.8: the
# 4,000-image embedded test set tops out near 0.89-0.90 with 1,000 training images, so the
# paper's 0.9 is at or above the plateau; 0.8 is reached only well after memorization.
MN="--preset omnigrok --dtype f32 --htsr off --keep-snapshots 2 --no-report --grok-threshold 0.8 --stop-at-test-acc 0.8 --jobs 1 --quiet"
for s in 0 1 2; do
  $RUN $B/grok-sweep $MN --steps 6e4 --snapshots 150 --seed $s --out sweeps/mnist-free-seed$s
  $RUN $B/grok-sweep $MN --steps 6e4 --snapshots 150 --seed $s --clamp-norm $RHOS --clamp-from 500 \
    --clamp-ref auto --clamp-ref-run "sweeps/mnist-free-seed$s/runs/run" --clamp-ref-threshold 0.8 \
    --out sweeps/mnist-clamp-seed$s
done

# The one-shot control (the paper: only the sustained clamp matters): modular addition, seed 0,
# the weight matrices multiplied once by 0.8 or 1.2 right after step 500, then free.
$RUN $B/grok-sweep $MA --steps 20000 --snapshots 300 --seed 0 --rescale-once 0.8,1.2 --at 500 \
  --out sweeps/modadd-once-seed0

# The runs' small files (config.json, metrics.csv, clamp.csv) kept with the results.
for d in sweeps/modadd-free sweeps/modadd-clamp-seed* sweeps/modadd-once-seed0 sweeps/mnist-free-seed* sweeps/mnist-clamp-seed*; do
  for r in "$d"/runs/*; do
    dst="$OUT/runs/$(basename "$d")/$(basename "$r")"
    mkdir -p "$dst"
    cp "$r"/config.json "$r"/metrics.csv "$dst"/
    [ -f "$r"/clamp.csv ] && cp "$r"/clamp.csv "$dst"/ || true
  done
done

# The fit of log T_grok = a * rho + b per task, the tables and figure 8 (--force: replace the
# committed ones).
$B/grok-sweep delay-law --force --out $OUT \
  --task "modular addition (CE);0.9;sweeps/modadd-clamp-seed0,sweeps/modadd-clamp-seed1,sweeps/modadd-clamp-seed2,sweeps/modadd-clamp-seed3,sweeps/modadd-clamp-seed4" \
  --task "MNIST MLP (MSE);0.8;sweeps/mnist-clamp-seed0,sweeps/mnist-clamp-seed1,sweeps/mnist-clamp-seed2"

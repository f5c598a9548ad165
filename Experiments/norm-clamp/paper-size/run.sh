#!/bin/sh
# The delay law at the paper's model size: embedding d = 128, hidden H = 256 (the scaled-down
# grid of ../run.sh had d 64, H 128), everything else as there (P 59, F 0.5, full batch, CE,
# AdamW lr 1e-3 wd 1 on E/W1/W2, f32), 5 rho x 5 seeds, clamp from step 500, W_C from each
# seed's free run. Run from the repository root after `swift build -c release`. Sweeps go to
# sweeps/ (git-ignored); rerunning resumes and skips finished runs. One run at a time, one
# thread, niced: the machine is shared. B=dir overrides where the executables are.
set -eu
B=${B:-.build/release}
RUN="env -u OPENBLAS_CORETYPE nice -n 10"
OUT=Experiments/norm-clamp/paper-size
RHOS=0.85,0.95,1.05,1.15,1.25
MA="--preset delay-law --train-fraction 0.5 --embed-dim 128 --hidden 256 --htsr off --keep-snapshots 2 --no-report --grok-threshold 0.9 --stop-at-test-acc 0.9 --jobs 1 --quiet"

$RUN $B/grok-sweep $MA --steps 12000 --snapshots 150 --seeds 0,1,2,3,4 --out sweeps/dl-paper-free
for s in 0 1 2 3 4; do
  $RUN $B/grok-sweep $MA --steps 20000 --snapshots 300 --seed $s --clamp-norm $RHOS --clamp-from 500 \
    --clamp-ref auto --clamp-ref-run "sweeps/dl-paper-free/runs/seed=$s" --clamp-ref-threshold 0.9 \
    --out sweeps/dl-paper-clamp-seed$s
done

# The runs' small files (config.json, metrics.csv, clamp.csv) kept with the results.
for d in sweeps/dl-paper-free sweeps/dl-paper-clamp-seed*; do
  for r in "$d"/runs/*; do
    dst="$OUT/runs/$(basename "$d")/$(basename "$r")"
    mkdir -p "$dst"
    cp "$r"/config.json "$r"/metrics.csv "$dst"/
    [ -f "$r"/clamp.csv ] && cp "$r"/clamp.csv "$dst"/ || true
  done
done

# The fit of ln T_grok = a rho + b, its table and figures, then the README's tables.
$B/grok-sweep delay-law --out $OUT \
  --task "modular addition (CE), d 128, H 256;0.9;sweeps/dl-paper-clamp-seed0,sweeps/dl-paper-clamp-seed1,sweeps/dl-paper-clamp-seed2,sweeps/dl-paper-clamp-seed3,sweeps/dl-paper-clamp-seed4"
Experiments/norm-clamp/make-tables.sh

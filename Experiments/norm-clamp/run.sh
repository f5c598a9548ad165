#!/usr/bin/env bash
# Weight-norm clamp on the MNIST MLP (Omnigrok preset, MSE), PARTIAL: one free run for W_C,
# then rho 0.9 and 1.1 clamped from step 500, and the one-shot rescale control (rho 0.9 at 500).
# One seed, 1e5 steps each. Extra flags pass through to every run (e.g. --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product grok-train
T=.build/release/grok-train
C=(--preset omnigrok --steps 1e5 --threads 1 --htsr off --no-report --quiet --snapshots 100 --keep-snapshots none)
D=runs/norm-clamp
$T "${C[@]}" --out $D/free "$@"
# the clamped runs and the control are independent: run them at once
$T "${C[@]}" --clamp-norm 0.9 --clamp-from 500 --clamp-ref auto --clamp-ref-run $D/free --out $D/rho0.9 "$@" &
$T "${C[@]}" --clamp-norm 1.1 --clamp-from 500 --clamp-ref auto --clamp-ref-run $D/free --out $D/rho1.1 "$@" &
$T "${C[@]}" --rescale-once 0.9 --at 500 --out $D/once0.9 "$@" &
wait

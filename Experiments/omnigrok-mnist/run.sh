#!/usr/bin/env bash
# Omnigrok MNIST grokking, 1e5 steps (minutes). Extra flags pass through (e.g. --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product grok-train
.build/release/grok-train --preset omnigrok --steps 1e5 --out runs/omnigrok-mnist "$@"

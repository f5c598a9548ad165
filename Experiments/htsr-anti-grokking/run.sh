#!/usr/bin/env bash
# The paper's anti-grokking run: 1e7 steps, float64 (hours). Extra flags pass through.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product grok-train
.build/release/grok-train --preset paper --threads 1 --out runs/htsr-anti-grokking "$@"

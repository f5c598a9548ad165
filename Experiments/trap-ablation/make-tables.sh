#!/bin/sh
# Rewrites traps-anti-grokked.csv (grok-analyze traps on the committed anti-grokked snapshot of
# ../htsr-anti-grokking) and the README's tables from the committed CSVs (tables.py).
# B=DIR: where the built executables are.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=${B:-$here/../../.build/release}
run="$here/../htsr-anti-grokking/results"
"$B/grok-analyze" traps "$run/snapshots/step-0002967302.safetensors" --run "$run" --method noise --format csv \
    > "$here/traps-anti-grokked.csv"
python3 "$here/tables.py"

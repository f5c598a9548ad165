#!/bin/sh
# Rewrites the README's tables from the committed results/summary.csv (tables.py).
set -eu
python3 "$(dirname "$0")/tables.py"

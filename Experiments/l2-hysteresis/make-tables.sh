#!/bin/sh
# Rewrites the README's injected-noise tables from the committed CSVs and log.
set -eu
python3 "$(dirname "$0")/noise_tables.py"

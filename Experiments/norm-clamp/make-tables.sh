#!/bin/sh
# Rewrites the README's tables from the committed CSVs: the scaled-down grid's (delay-law.csv and
# delay-law-fit.csv, written by grok-sweep delay-law; tables.py) and, once its CSVs are committed,
# the paper-size grid's (paper-size/tables.py).
set -eu
here=$(dirname "$0")
python3 "$here/tables.py"
if [ -f "$here/paper-size/delay-law.csv" ]; then
    python3 "$here/paper-size/tables.py"
fi

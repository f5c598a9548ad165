#!/bin/sh
# Rewrites the README's paper-size tables from the committed CSVs (paper-size/delay-law.csv and
# delay-law-fit.csv, written by grok-sweep delay-law; delay-law-fit.csv of the scaled-down grid).
set -eu
python3 "$(dirname "$0")/paper-size/tables.py"

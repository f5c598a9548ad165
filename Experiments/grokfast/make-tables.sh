#!/bin/sh
# Rewrites the README's tables and figures/path.{svg,png} from the committed runs/ (tables.py),
# and the seed-band figures and phase-centre tables (grok-report seeds, one report per filter
# setting, each grouped by weight decay) into seeds/, from the same files. B=dir overrides where
# the executables are.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
B=${B:-$here/../../.build/release}
python3 "$here/tables.py"
"$B/grok-report" seeds "$here"/runs/*grokfast=off* --out "$here/seeds/filter-off" > /dev/null
"$B/grok-report" seeds "$here"/runs/*grokfast=ema* --out "$here/seeds/filter-ema" > /dev/null

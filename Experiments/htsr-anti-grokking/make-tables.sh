#!/usr/bin/env bash
# Rewrites the README's phase-centre table from the committed run in results/ (grok-report
# seeds: at the centre of each accuracy phase and at the end, test accuracy, alpha, traps, KS).
# B=DIR: where the built executables are.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
B="${B:-$here/../../.build/release}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$B/grok-report" seeds "$here/results" --out "$tmp/report" > /dev/null
"$here/../splice.sh" "$here/README.md" phase-centres "$tmp/report/phase-centres.md"

#!/usr/bin/env bash
# Continues this experiment's committed run (results/ holds a complete run directory with its
# checkpoint) from where it stopped, bit-identically to an uninterrupted run: the directory is
# copied to runs/ (git-ignored) and resumed there. Extra flags pass through (e.g. --threads 2).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
name="$(basename "$here")"
swift build -c release --product grok-train
if [ ! -e "runs/$name" ]; then
    mkdir -p runs
    cp -r "$here/results" "runs/$name"
fi
.build/release/grok-train --resume --out "runs/$name" "$@"

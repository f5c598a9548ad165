#!/usr/bin/env bash
# Continues this experiment's committed run (see ../continue.sh).
exec "$(dirname "$0")/../continue.sh" "$(basename "$(cd "$(dirname "$0")" && pwd)")" "$@"

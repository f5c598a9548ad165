#!/usr/bin/env bash
# Continues the committed, unfinished sweep on any machine: restores sweep/ (the sweep's small
# files and each unfinished run's checkpoint) to runs/htsr-seeds once, then reruns run.sh's
# command, which resumes every unfinished cell from its checkpoint and leaves finished ones alone
# (state/ says which are done; a recorded pid of another machine's process is recognised as gone).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
if [ ! -e runs/htsr-seeds ]; then
    mkdir -p runs
    cp -r "$here/sweep" runs/htsr-seeds
fi
exec "$here/run.sh" "$@"

#!/usr/bin/env bash
# Checks that each experiment README's tables are what the folder's make-tables.sh makes from
# its committed data: copies the files git tracks under Experiments/ (as they are in the working
# tree; nothing git does not track, so data that is not committed cannot make a table) to a
# temporary folder, runs every make-tables.sh there, and compares each README.md with the
# original. Prints the differences and exits 1 when any README differs.
#     Experiments/check-tables.sh            B=DIR: where the built executables are
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
B="${B:-$root/.build/release}"
# The scripts run in other folders: a relative B is taken from where this was started.
[ -d "$B" ] || { echo "check-tables.sh: no executables directory $B (build first, or set B)" >&2; exit 2; }
export B="$(cd "$B" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && git ls-files -z Experiments | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$work"
status=0
for script in "$work"/Experiments/*/make-tables.sh; do
    dir="$(dirname "$script")"; name="$(basename "$dir")"
    if ! (cd "$dir" && bash ./make-tables.sh > "$work/$name.log" 2>&1); then
        echo "FAILED $name/make-tables.sh:"; cat "$work/$name.log"; status=1; continue
    fi
    if diff -u "$here/$name/README.md" "$dir/README.md" > "$work/$name.diff"; then
        echo "ok $name"
    else
        echo "DIFFERS $name/README.md (its tables are not what make-tables.sh makes from the committed data):"
        cat "$work/$name.diff"; status=1
    fi
done
exit $status

#!/usr/bin/env bash
# Replaces what stands between the lines "<!-- BEGIN NAME -->" and "<!-- END NAME -->" of a
# Markdown file with the contents of FILE (a table written by a command), in place:
#     Experiments/splice.sh README.md NAME FILE
set -euo pipefail
doc="${1:?usage: splice.sh DOC NAME FILE}"; name="${2:?usage: splice.sh DOC NAME FILE}"; file="${3:?usage: splice.sh DOC NAME FILE}"
grep -q "^<!-- BEGIN $name -->\$" "$doc" || { echo "error: $doc has no line '<!-- BEGIN $name -->'" >&2; exit 1; }
grep -q "^<!-- END $name -->\$" "$doc" || { echo "error: $doc has no line '<!-- END $name -->'" >&2; exit 1; }
tmp="$doc.tmp-$$"
awk -v name="$name" -v file="$file" '
    $0 == "<!-- BEGIN " name " -->" { print; while ((getline line < file) > 0) print line; skip = 1; next }
    $0 == "<!-- END " name " -->" { skip = 0 }
    !skip { print }
' "$doc" > "$tmp"
mv "$tmp" "$doc"

#!/usr/bin/env bash
# The live report, checked in a real headless browser (Debian's chromium; apt-get install
# chromium). Trains a short run with --no-report under a 70-character directory name, keeps
# its page live with `grok-report --watch --every 2`, and checks in Chromium:
#   1. while the run trains: the page loads, says "live, step N of 4,000, updated HH:MM",
#      carries its reload script, and every figure has its inline SVG image;
#   2. after the run has ended: the banner and the reload script are gone, the figures are
#      there;
#   3. every text of every figure (titles included) lies inside its canvas, as Chromium
#      lays it out (getBoundingClientRect of each <text> against its <svg>).
# Screenshots of both pages go to OUT (default: a temporary folder, printed at the end).
# Usage: scripts/check-live-report.sh [BUILD_DIR [OUT]]   (BUILD_DIR default .build/release)
# Exit status 0 when every check passes, 1 otherwise; about 1-2 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/release}
tmp=$(mktemp -d)
out=${2:-$tmp}
mkdir -p "$out"
browser=$(command -v chromium || command -v chromium-browser || true)
[ -n "$browser" ] || { echo "error: chromium not found (apt-get install chromium)" >&2; exit 1; }
for tool in grok-train grok-report; do
    [ -x "$bin/$tool" ] || { echo "error: $bin/$tool not built (swift build -c release)" >&2; exit 1; }
done

name=20261130-041740-omnigrok-adamw-mse-lr0.001-wd0.01-seed0-live-check-x70
[ ${#name} -eq 70 ] || { echo "error: run name must be 70 characters, is ${#name}" >&2; exit 1; }
run="$tmp/$name"
failures=0
check() { if eval "$2"; then echo "ok: $1"; else echo "FAIL: $1"; failures=$((failures + 1)); fi; }

chrome() {  # chrome URL ARGS...: headless Chromium on a file
    local url=$1; shift
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --virtual-time-budget=3000 "$@" "file://$url" 2>/dev/null
}

"$bin/grok-train" --preset omnigrok --steps 4000 --threads 1 --no-report --quiet --out "$run" \
    > "$tmp/train.log" 2>&1 &
train=$!
# Wait for the run directory, then watch it.
for _ in $(seq 100); do [ -f "$run/config.json" ] && break; sleep 0.2; done
"$bin/grok-report" --watch --every 2 "$run" > "$tmp/watch.log" 2>&1 &
watch=$!

# 1. A live page drawn from at least 100 steps (the watcher's first page, at once, may show
#    none yet; the next comes once 99 times a build's duration has passed).
live=""
for _ in $(seq 600); do
    if [ -f "$run/report.html" ]; then
        cp "$run/report.html" "$tmp/live.html"
        shown=$(grep -o 'id="live-banner">live, step [0-9,]*' "$tmp/live.html" | grep -o '[0-9,]*$' | tr -d , || true)
        if [ -n "$shown" ] && [ "$shown" -ge 100 ]; then live=yes; break; fi
    fi
    sleep 0.5
done
check "a live page was written while the run trained" '[ -n "$live" ]'
if [ -n "$live" ]; then
    chrome "$tmp/live.html" --dump-dom > "$tmp/live-dom.html"
    chrome "$tmp/live.html" --screenshot="$out/live.png" --window-size=1100,2400 > /dev/null
    check "live page loads in Chromium" '[ -s "$tmp/live-dom.html" ]'
    check "live banner: live, step N of 4,000, updated HH:MM" \
        'grep -Eq "id=\"live-banner\"[^>]*>live, step [0-9,]+ of 4,000, updated [0-9]{2}:[0-9]{2}<" "$tmp/live-dom.html"'
    check "live page carries its reload script" 'grep -q "window.location.reload" "$tmp/live-dom.html"'
    figures=$(grep -o '<figure id="fig-[0-9]*"' "$tmp/live-dom.html" | wc -l)
    images=$(tr -d '\n' < "$tmp/live-dom.html" | grep -o '<figure id="fig-[0-9]*"><h3>[^<]*</h3><svg' | wc -l)
    check "live page: $figures figures, each with its SVG image ($images)" '[ "$figures" -ge 4 ] && [ "$images" -eq "$figures" ]'
    check "live screenshot written" '[ -s "$out/live.png" ]'
fi

# 2. The run ends; the watcher builds the final page and exits.
wait "$train"; train_status=$?
wait "$watch"; watch_status=$?
check "training completed" '[ "$train_status" -eq 0 ]'
check "grok-report --watch exited 0 after the run" '[ "$watch_status" -eq 0 ]'
chrome "$run/report.html" --dump-dom > "$tmp/final-dom.html"
chrome "$run/report.html" --screenshot="$out/final.png" --window-size=1100,2400 > /dev/null
check "final page loads in Chromium" '[ -s "$tmp/final-dom.html" ]'
check "final page: no live banner" '! grep -q "live-banner" "$tmp/final-dom.html"'
check "final page: no reload script" '! grep -q "location.reload" "$tmp/final-dom.html"'
figures=$(grep -o '<figure id="fig-[0-9]*"' "$tmp/final-dom.html" | wc -l)
images=$(tr -d '\n' < "$tmp/final-dom.html" | grep -o '<figure id="fig-[0-9]*"><h3>[^<]*</h3><svg' | wc -l)
check "final page: $figures figures, each with its SVG image ($images)" '[ "$figures" -ge 6 ] && [ "$images" -eq "$figures" ]'

# 3. Text extents against the canvas, as laid out by the browser.
cat > "$tmp/measure.js" <<'JS'
var out = [];
document.querySelectorAll("figure svg").forEach(function (svg) {
  var c = svg.getBoundingClientRect();
  svg.querySelectorAll("text").forEach(function (t) {
    var b = t.getBoundingClientRect();
    if (b.left < c.left - 0.5 || b.right > c.right + 0.5)
      out.push(svg.parentNode.id + ": '" + t.textContent + "' spans " + (b.left - c.left).toFixed(1) +
               " to " + (b.right - c.left).toFixed(1) + " of " + c.width.toFixed(1));
  });
});
var pre = document.createElement("pre");
pre.id = "fit";
pre.textContent = out.length ? out.join(" | ") : "all-texts-inside";
document.body.appendChild(pre);
JS
{ grep -v -e '^</body>$' -e '^</html>$' "$run/report.html"
  echo "<script>"; cat "$tmp/measure.js"; echo "</script></body></html>"; } > "$tmp/measure.html"
chrome "$tmp/measure.html" --window-size=1100,900 --dump-dom > "$tmp/measure-dom.html"
check "every figure text inside its canvas in Chromium (70-character run name)" \
    'grep -q "<pre id=\"fit\">all-texts-inside</pre>" "$tmp/measure-dom.html"'
grep -o '<pre id="fit">[^<]*' "$tmp/measure-dom.html" | grep -v "all-texts-inside" | tr '|' '\n' || true

echo "screenshots: $out/live.png $out/final.png"
[ "$failures" -eq 0 ] || { echo "$failures check(s) failed; files in $tmp" >&2; exit 1; }
echo "all checks passed"

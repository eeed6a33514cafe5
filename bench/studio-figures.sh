#!/usr/bin/env bash
# The studio figures of docs/PERFORMANCE.md, measured in one run on this machine in Debian's Chromium (headless,
# /usr/bin/chromium, or $CHROMIUM) driven by playwright-core (bench/studio, pinned; installed here with `npm ci` on
# the first run), against the server on loopback with its own data directory:
#  1. first load of `/` over a fresh browser context each time (no cache), 3 warm-ups then 20: bytes transferred
#     (each response's encoded size, Network.loadingFinished) until the studio is interactive (the sign-in field
#     visible and enabled), and the time to it from navigation start, with DOMContentLoaded and the load event;
#     references in the same run, interleaved: /healthz (the smallest document: the floor of a fresh navigation) and
#     /openapi/unified.json (one uncompressed 111 KB document);
#  2. painting on a 2048x2048 canvas: a new account signs in, uploads a 2048x2048 PNG, sets the canvas to 2048x2048,
#     paints the mask with the brush (the default size and 200) in long strokes of many small mouse moves; the
#     editor's own work per frame (its getStats()) and the page's frame intervals (requestAnimationFrame), against
#     the frame intervals of the same page with nothing drawn and with the same moves without the button.
# Usage: bench/studio-figures.sh [loads] [strokes-per-brush]     (defaults 20 and 8; 0 skips a part)
# EASEL_SERVER_DIR=<dir with Easel.Server.dll> skips the build and runs that copy instead;
# EASEL_BRUSHES=40,200 sets the brush sizes (canvas pixels).
set -euo pipefail
cd "$(dirname "$0")/.."
loads="${1:-20}"
strokes="${2:-8}"

if [ -z "${EASEL_SERVER_DIR:-}" ]; then
  dotnet build -c Release src/Easel.Server >/dev/null
  server_dir=src/Easel.Server/bin/Release/net10.0
else
  server_dir="$EASEL_SERVER_DIR"
fi
server_dll="$(cd "$server_dir" && pwd)/Easel.Server.dll"
if [ ! -d bench/studio/node_modules/playwright-core ]; then
  (cd bench/studio && npm ci --no-audit --no-fund >/dev/null)
fi

work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
admin="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

port=$(free_port)
mkdir -p "$work/data"
env Easel__DataDirectory="$work/data" Easel__BootstrapKey="$admin" Easel__Workers=2 Logging__LogLevel__Default=Warning \
  dotnet "$server_dll" --urls "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
pids+=("$!")
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null || { echo "the server did not start:"; cat "$work/server.log"; exit 1; }

echo "machine: $(nproc) cores; load before: $(uptime | sed 's/.*load average/load average/')"
node bench/studio/figures.mjs "http://127.0.0.1:$port" "$admin" "$loads" 3 "$strokes"
if [ -s "$work/server.log" ]; then echo "the server logged (warnings and errors), last lines:"; tail -n 5 "$work/server.log" | sed 's/^/  /'; fi
echo "load after: $(uptime | sed 's/.*load average/load average/')"

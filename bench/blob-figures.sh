#!/usr/bin/env bash
# The blob-store figure of docs/PERFORMANCE.md ("Results in a bucket"): an upstream's four result images re-hosted by
# Easel's ResultRehosting into the file store and into an S3 bucket, alternately, in one run on loopback; prints the
# time per 4-image task of each and the ratio. The bucket is s3rver (tests/S3rver, the tests' S3 server), run by node
# on loopback with a data directory of its own.
# Usage: bench/blob-figures.sh [runs] [side]       (default 200 tasks per store, 1024x1024 PNG results)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-200}"
side="${2:-1024}"

if ! npm ls --prefix tests/S3rver >/dev/null 2>&1; then
  npm ci --prefix tests/S3rver --no-audit --no-fund
fi
dotnet build -c Release bench/Easel.Bench.Service >/dev/null

work=$(mktemp -d)
s3pid=""
cleanup() {
  if [ -n "$s3pid" ]; then kill "$s3pid" 2>/dev/null || true; wait "$s3pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# serve.js prints {"port": N} once it listens, and stops when its stdin ends (here: when this script exits).
mkfifo "$work/ready" "$work/stdin"
exec 3<>"$work/stdin"   # held open by this script: s3rver's stdin ends only with it
(cd tests/S3rver && exec node serve.js --directory "$work/s3" --bucket bench <"$work/stdin" >"$work/ready") &
s3pid=$!
read -r line <"$work/ready"
port=$(echo "$line" | sed 's/[^0-9]//g')
echo "s3rver on 127.0.0.1:$port (pid $s3pid); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

dotnet bench/Easel.Bench.Service/bin/Release/net10.0/Easel.Bench.Service.dll rehost \
  --s3-endpoint "http://127.0.0.1:$port/" --bucket bench --runs "$runs" --side "$side"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

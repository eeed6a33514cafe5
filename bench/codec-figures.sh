#!/usr/bin/env bash
# Issue 13's service figure: create -> completed of a 1024x1024 upload-paint (25% to fill, four variants) on this
# tree's server against the same on a server built from REF (default f553b4e, the last commit with Easel's own
# codecs), both running at once on loopback, measured in alternating rounds by the same client.
# Usage: bench/codec-figures.sh [REF] [RUNS-PER-ROUND] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ref="${1:-f553b4e}"
runs="${2:-8}"
rounds="${3:-3}"
before=$(mktemp -d /tmp/easel-before.XXXXXX)
git worktree add --detach -q "$before" "$ref"
cleanup() {
    kill "${servers[@]}" 2>/dev/null || true
    wait 2>/dev/null || true
    git worktree remove --force "$before" 2>/dev/null || true
    rm -rf "$before" "${data[@]}"
}
servers=()
data=()
trap cleanup EXIT

dotnet build -c Release src/Easel.Server >/dev/null
dotnet build -c Release bench/Easel.Bench.Service >/dev/null
dotnet build -c Release "$before/src/Easel.Server" >/dev/null

# Starts a server of the tree $1 on a free port; sets port and key (globals: a subshell would lose the pid).
start() {
    local tree=$1 dir
    dir=$(mktemp -d)
    data+=("$dir")
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    Easel__DataDirectory="$dir" Easel__BootstrapKey="$key" Logging__LogLevel__Default=Warning \
      dotnet "$tree/src/Easel.Server/bin/Release/net10.0/Easel.Server.dll" --urls "http://127.0.0.1:$port" >"$dir/server.log" 2>&1 &
    servers+=($!)
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
}
start "$before"
old_port=$port old_key=$key
start "$PWD"
new_port=$port new_key=$key
client=bench/Easel.Bench.Service/bin/Release/net10.0/Easel.Bench.Service.dll

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); before = $ref, after = $(git rev-parse --short HEAD)"
old_all=()
new_all=()
median() { awk '/create -> completed/ {print $6}' <<<"$1"; }
for round in $(seq "$rounds"); do
    old=$(dotnet "$client" latency --url "http://127.0.0.1:$old_port" --key "$old_key" --runs "$runs" --side 1024)
    new=$(dotnet "$client" latency --url "http://127.0.0.1:$new_port" --key "$new_key" --runs "$runs" --side 1024)
    old_all+=("$(median "$old")")
    new_all+=("$(median "$new")")
    echo "round $round: before $(median "$old") ms, after $(median "$new") ms (medians of $runs)"
done
python3 - "${old_all[*]}" "${new_all[*]}" <<'PY'
import sys, statistics
old = [float(v) for v in sys.argv[1].split()]
new = [float(v) for v in sys.argv[2].split()]
print(f"1024x1024 upload-paint, 25% to fill, create -> completed: before {statistics.median(old):.0f} ms, "
      f"after {statistics.median(new):.0f} ms, ratio after/before {statistics.median(new) / statistics.median(old):.2f}x")
PY

#!/usr/bin/env bash
# Creates with reservation on the embedded store (SQLite) and in scale-out mode (PostgreSQL), measured in one run:
# one account (every create takes the same balance row) and eight accounts (creates of different accounts should
# not wait on each other), each against GET /v1/tasks/{id} of the same server as the reference.
# Usage: bench/scaleout-figures.sh [seconds-per-wrk-run]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
dotnet build -c Release src/Easel.Server >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
work=$(mktemp -d)
chmod 755 "$work" # the postgres user must reach its cluster inside
server=
cleanup() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
  [ -f "$work/pg/data/postmaster.pid" ] && as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# A throwaway PostgreSQL cluster on loopback, with its default durability (fsync, synchronous_commit on).
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgport=$(free_port)
mkdir -p "$work/pg" && [ "$(id -u)" != 0 ] || chown postgres "$work/pg"
as_postgres "$pgbin/initdb" -D "$work/pg/data" -A trust -U easel >/dev/null
as_postgres "$pgbin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
  -o "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
as_postgres "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U easel easel

key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
port=$(free_port)
base="http://127.0.0.1:$port"
run_wrk() { wrk -t2 -c32 -d"${duration}s" --latency "$@" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
p99() { awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$1"; }
non2xx() { awk '/Non-2xx/ {print $5}' <<<"$1"; }

measure() {
  local mode=$1; shift
  local data="$work/data-$mode"
  mkdir -p "$data"
  env Easel__DataDirectory="$data" Easel__BootstrapKey="$key" Easel__Workers=2 Logging__LogLevel__Default=Warning "$@" \
    dotnet src/Easel.Server/bin/Release/net10.0/Easel.Server.dll --urls "$base" >"$data/server.log" 2>&1 &
  server=$!
  for _ in $(seq 200); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done

  # Eight funded accounts without an active-task cap. Their tasks name an image on a refused address, so workers
  # fail and refund them at once: the run measures the create path (parse, reserve, insert), not the engine.
  local keys=()
  for i in $(seq 8); do
    local account
    account=$(curl -sf -H "Authorization: Bearer $key" "$base/admin/accounts" \
      -d "{\"name\":\"bench-$i\",\"credits\":100000000,\"max_active_tasks\":100000}")
    keys+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["api_key"])' "$account")")
  done
  local body='{"model":"mj-v7-upload-paint","prompt":"bench","image_urls":["http://127.0.0.1:9/x.png"],"model_params":{"canvas":{"width":512,"height":512},"img_pos":{"width":512,"height":384,"x":0,"y":0},"mask":{"areas":[{"width":512,"height":512,"points":[0,400,511,400,511,511,0,511]}]}}}'
  write_lua() {
    local file=$1; shift
    {
      printf 'keys = {'; printf '"%s",' "$@"; printf '}\n'
      printf "body = '%s'\n" "$body"
      printf 'n = 0\n'
      printf 'request = function()\n  n = n + 1\n  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. keys[(n %% #keys) + 1]}, body)\nend\n'
    } >"$file"
  }
  write_lua "$data/one.lua" "${keys[0]}"
  write_lua "$data/eight.lua" "${keys[@]}"
  local id
  id=$(curl -sf -H "Authorization: Bearer ${keys[0]}" "$base/v1/images/generations" -d "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

  local one eight get
  one=$(run_wrk -s "$data/one.lua" "$base/v1/images/generations")
  eight=$(run_wrk -s "$data/eight.lua" "$base/v1/images/generations")
  get=$(run_wrk -H "Authorization: Bearer ${keys[0]}" "$base/v1/tasks/$id")
  echo "== $mode"
  printf '  %-28s %12s %12s\n' "" "requests/s" "p99 (ms)"
  printf '  %-28s %12s %12s\n' "POST create, 1 account" "$(rps "$one")" "$(p99 "$one")"
  printf '  %-28s %12s %12s\n' "POST create, 8 accounts" "$(rps "$eight")" "$(p99 "$eight")"
  printf '  %-28s %12s %12s\n' "GET /v1/tasks/{id}" "$(rps "$get")" "$(p99 "$get")"
  python3 - "$(rps "$one")" "$(rps "$eight")" "$(rps "$get")" "$(p99 "$one")" "$(p99 "$eight")" "$(p99 "$get")" <<'PY'
import sys
one, eight, get, one99, eight99, get99 = map(float, sys.argv[1:])
print(f"  ratio create / task GET: 1 account {one / get:.3f}x (p99 {one99 / get99:.1f}x), 8 accounts {eight / get:.3f}x (p99 {eight99 / get99:.1f}x)")
print(f"  8 accounts / 1 account: {eight / one:.2f}x")
PY
  for run in "$one" "$eight" "$get"; do
    [ -z "$(non2xx "$run")" ] || echo "  WARNING: non-2xx answers: $(non2xx "$run")"
  done
  kill "$server"; wait "$server" 2>/dev/null || true
  server=
}

measure sqlite
measure postgres Easel__Database__Provider=postgres "Easel__Database__ConnectionString=Host=127.0.0.1;Port=$pgport;Database=easel;Username=easel"

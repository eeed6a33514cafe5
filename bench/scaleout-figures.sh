#!/usr/bin/env bash
# Creates with reservation on the embedded store (SQLite) and in scale-out mode (PostgreSQL), measured in one run:
# one account (every create takes the same balance row) and eight accounts (creates of different accounts should
# not wait on each other), each against GET /v1/tasks/{id} of the same server as the reference.
# Then (issue 18) three nodes on one PostgreSQL database against one of them, in the same run: creates per second
# and GET /v1/tasks/{id} per second, one wrk per node at once, and the ratio three nodes / one node.
# Usage: bench/scaleout-figures.sh [seconds-per-wrk-run] [all|creates|nodes]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
what="${2:-all}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
dotnet build -c Release src/Easel.Server >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
work=$(mktemp -d)
chmod 755 "$work" # the postgres user must reach its cluster inside
server=
nodes=()
cleanup() {
  [ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; }
  for pid in "${nodes[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
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

# Three nodes on one PostgreSQL database (each its own data directory: these tasks write no file) against node 1
# alone, in one run: wrk with 32 connections at node 1, then three wrk with 11 connections each, one per node, at
# once. Eight accounts, so one account's row lock is not what is measured.
measure_nodes() {
  as_postgres "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U easel easel_nodes
  local connection="Host=127.0.0.1;Port=$pgport;Database=easel_nodes;Username=easel;Maximum Pool Size=60"
  local urls=()
  for i in 1 2 3; do
    local node_port data="$work/node-$i"
    node_port=$(free_port)
    mkdir -p "$data"
    env Easel__DataDirectory="$data" Easel__BootstrapKey="$key" Easel__Workers=2 Easel__NodeId="node-$i" \
      Easel__Database__Provider=postgres "Easel__Database__ConnectionString=$connection" Logging__LogLevel__Default=Warning \
      dotnet src/Easel.Server/bin/Release/net10.0/Easel.Server.dll --urls "http://127.0.0.1:$node_port" >"$data/server.log" 2>&1 &
    nodes+=($!)
    urls+=("http://127.0.0.1:$node_port")
    # One at a time: the first migrates the schema.
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$node_port/healthz" >/dev/null && break; sleep 0.1; done
  done
  local keys=()
  for i in $(seq 8); do
    local account
    account=$(curl -sf -H "Authorization: Bearer $key" "${urls[0]}/admin/accounts" \
      -d "{\"name\":\"nodes-$i\",\"credits\":100000000,\"max_active_tasks\":100000}")
    keys+=("$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["api_key"])' "$account")")
  done
  local body='{"model":"mj-v7-upload-paint","prompt":"bench","image_urls":["http://127.0.0.1:9/x.png"],"model_params":{"canvas":{"width":512,"height":512},"img_pos":{"width":512,"height":384,"x":0,"y":0},"mask":{"areas":[{"width":512,"height":512,"points":[0,400,511,400,511,511,0,511]}]}}}'
  {
    printf 'keys = {'; printf '"%s",' "${keys[@]}"; printf '}\n'
    printf "body = '%s'\n" "$body"
    printf 'n = 0\n'
    printf 'request = function()\n  n = n + 1\n  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. keys[(n %% #keys) + 1]}, body)\nend\n'
  } >"$work/nodes.lua"
  local id
  id=$(curl -sf -H "Authorization: Bearer ${keys[0]}" "${urls[0]}/v1/images/generations" -d "$body" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  sleep 1 # the task fails (refused address) and is then a finished task on every node

  local load_before one_create one_get
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  one_create=$(rps "$(wrk -t2 -c32 -d"${duration}s" -s "$work/nodes.lua" "${urls[0]}/v1/images/generations" 2>&1)")
  one_get=$(rps "$(wrk -t2 -c32 -d"${duration}s" -H "Authorization: Bearer ${keys[0]}" "${urls[0]}/v1/tasks/$id" 2>&1)")
  # Three wrk at once, one per node; their rates add up.
  three() {
    local pids=() total=0
    for i in 0 1 2; do
      wrk -t1 -c11 -d"${duration}s" "$@" "${urls[$i]}$path" >"$work/wrk-$i.out" 2>&1 &
      pids+=($!)
    done
    wait "${pids[@]}"
    for i in 0 1 2; do total=$(python3 -c "print($total + $(rps "$(cat "$work/wrk-$i.out")"))"); done
    echo "$total"
  }
  local three_create three_get
  three_create=$(path=/v1/images/generations; three -s "$work/nodes.lua")
  three_get=$(path="/v1/tasks/$id"; three -H "Authorization: Bearer ${keys[0]}")
  echo "== three nodes on one PostgreSQL vs one node (load average before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores)"
  printf '  %-28s %12s %12s %8s\n' "" "1 node" "3 nodes" "ratio"
  python3 - "$one_create" "$three_create" "$one_get" "$three_get" <<'PY'
import sys
one_create, three_create, one_get, three_get = map(float, sys.argv[1:])
print(f"  {'POST create, 8 accounts':<28} {one_create:>12.0f} {three_create:>12.0f} {three_create / one_create:>7.2f}x")
print(f"  {'GET /v1/tasks/{id}':<28} {one_get:>12.0f} {three_get:>12.0f} {three_get / one_get:>7.2f}x")
PY
  for pid in "${nodes[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; done
  nodes=()
}

if [ "$what" != nodes ]; then
  measure sqlite
  measure postgres Easel__Database__Provider=postgres "Easel__Database__ConnectionString=Host=127.0.0.1;Port=$pgport;Database=easel;Username=easel"
fi
if [ "$what" != creates ]; then
  measure_nodes
fi

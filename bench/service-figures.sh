#!/usr/bin/env bash
# The service figures of docs/PERFORMANCE.md, measured in one run on this machine:
#  1. create -> completed of a 512x512 upload-paint (25% to fill), against the engine alone;
#  2. GET /v1/tasks/{id} under load (wrk on loopback), against the bare /healthz of the same server;
#  3. creates under load; 4. callbacks;
#  5. telemetry: GET /v1/tasks/{id} with metrics and tracing on (OTLP to a loopback sink, the default sampler), against
#     the bare /healthz of the same server, and the same GET with every request traced.
# Usage: bench/service-figures.sh [seconds-per-wrk-run] [all|telemetry]   (telemetry: only 5, after one task to GET)
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
sections="${2:-all}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

dotnet build -c Release src/Easel.Server >/dev/null
dotnet build -c Release bench/Easel.Bench.Service >/dev/null

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
key="bench-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
Easel__DataDirectory="$data" Easel__BootstrapKey="$key" Logging__LogLevel__Default=Warning \
  dotnet src/Easel.Server/bin/Release/net10.0/Easel.Server.dll --urls "http://127.0.0.1:$port" >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "== latency"
dotnet bench/Easel.Bench.Service/bin/Release/net10.0/Easel.Bench.Service.dll latency --url "http://127.0.0.1:$port" --key "$key" --runs "$([ "$sections" = all ] && echo 20 || echo 1)"

# Any completed task of the account will do: take the newest one from the latency run.
id=$(sqlite3 "$data/easel.db" "SELECT id FROM tasks WHERE state = 2 ORDER BY finished_at DESC LIMIT 1" 2>/dev/null \
  || python3 -c "import sqlite3,sys; print(sqlite3.connect('$data/easel.db').execute('SELECT id FROM tasks WHERE state = 2 ORDER BY finished_at DESC LIMIT 1').fetchone()[0])")
run_wrk() { wrk -t2 -c32 -d"${duration}s" --latency "$@" 2>&1; }
rps() { awk '/Requests\/sec/ {print $2}' <<<"$1"; }
p99() { awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}' <<<"$1"; }
non2xx() { awk '/Non-2xx/ {print $5}' <<<"$1"; }
requests() { awk '/requests in/ {print $1}' <<<"$1"; }

# 5. The server again on the same data, now exporting over OTLP to a sink on loopback (it answers every POST 200 and
# counts them), with the default sampler (parent-based, 10% of roots) and then with every request traced.
telemetry() {
  local rounds=4 slice=3
  echo "== telemetry: GET of a task with metrics and tracing on (OTLP to a loopback sink), against the bare /healthz"
  echo "   (three servers at once, interleaved: ${rounds} rounds of wrk -t2 -c32 -d${slice}s per server and route; sums of the rounds)"
  kill $server 2>/dev/null; wait $server 2>/dev/null || true
  sink_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  python3 - "$sink_port" "$data/sink.count" <<'PY' &
import http.server, sys, threading
counts, lock = {}, threading.Lock()
class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            open(sys.argv[2], "w").write(" ".join(f"{k}={v}" for k, v in sorted(counts.items())))
        self.send_response(200); self.send_header("Content-Type", "application/x-protobuf"); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Sink).serve_forever()
PY
  sink=$!
  # off: no OTEL_* variable (the reference: metrics only); default: OTLP on, the default sampler; always_on: all
  # traced. Each on its own copy of the data (one server per SQLite file), all running at once, so that whatever
  # else loads the machine falls on the three alike.
  local samplers=(off default always_on) sampler otel
  declare -A ports pids reqs ticks
  for sampler in "${samplers[@]}"; do
    cp -r "$data" "$data-$sampler"
    ports[$sampler]=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    otel=()
    [ "$sampler" = off ] || otel=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_SERVICE_NAME="easel-bench-$sampler")
    [ "$sampler" = always_on ] && otel+=(OTEL_TRACES_SAMPLER=always_on)
    env Easel__DataDirectory="$data-$sampler" Easel__BootstrapKey="$key" Logging__LogLevel__Default=Warning "${otel[@]}" \
      dotnet src/Easel.Server/bin/Release/net10.0/Easel.Server.dll --urls "http://127.0.0.1:${ports[$sampler]}" >"$data-$sampler/server.log" 2>&1 &
    pids[$sampler]=$!
  done
  trap 'kill ${pids[*]} $sink 2>/dev/null; wait ${pids[*]} $sink 2>/dev/null; rm -rf "$data" "$data"-*' EXIT
  for sampler in "${samplers[@]}"; do
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:${ports[$sampler]}/healthz" >/dev/null && break; sleep 0.1; done
    curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:${ports[$sampler]}/v1/tasks/$id" >/dev/null # warm
  done
  local round route out before i
  for round in $(seq "$rounds"); do
    # Each round starts with the next server, so none is always measured first (or last) in a round.
    for i in 0 1 2; do
      sampler=${samplers[$(( (round + i) % 3 ))]}
      for route in healthz get; do
        before=$(awk '{print $14 + $15}' "/proc/${pids[$sampler]}/stat")
        if [ "$route" = healthz ]; then
          out=$(wrk -t2 -c32 -d"${slice}s" "http://127.0.0.1:${ports[$sampler]}/healthz" 2>&1)
        else
          out=$(wrk -t2 -c32 -d"${slice}s" -H "Authorization: Bearer $key" "http://127.0.0.1:${ports[$sampler]}/v1/tasks/$id" 2>&1)
          [ -z "$(non2xx "$out")" ] || echo "  WARNING: non-2xx answers ($sampler): $(non2xx "$out")"
        fi
        reqs[$sampler-$route]=$(( ${reqs[$sampler-$route]:-0} + $(requests "$out") ))
        ticks[$sampler-$route]=$(( ${ticks[$sampler-$route]:-0} + $(awk '{print $14 + $15}' "/proc/${pids[$sampler]}/stat") - before ))
      done
    done
  done
  sleep 6 # the last batch of spans (the exporter sends every 5 s)
  python3 - "$rounds" "$slice" "$(getconf CLK_TCK)" \
    "${reqs[off-healthz]}" "${reqs[off-get]}" "${reqs[default-healthz]}" "${reqs[default-get]}" "${reqs[always_on-healthz]}" "${reqs[always_on-get]}" \
    "${ticks[off-healthz]}" "${ticks[off-get]}" "${ticks[default-healthz]}" "${ticks[default-get]}" "${ticks[always_on-healthz]}" "${ticks[always_on-get]}" <<'PY'
import sys
rounds, slice_s, hz = map(float, sys.argv[1:4])
r = list(map(float, sys.argv[4:10])); t = list(map(float, sys.argv[10:16]))
seconds = rounds * slice_s
print(f"  {'':20} {'healthz req/s':>14} {'task GET req/s':>15} {'GET / healthz':>14} {'CPU us/req healthz':>19} {'GET':>6}")
for i, name in enumerate(["no OTLP", "default sampler", "all traced"]):
    h, g = r[2 * i] / seconds, r[2 * i + 1] / seconds
    ch, cg = t[2 * i] / hz / r[2 * i] * 1e6, t[2 * i + 1] / hz / r[2 * i + 1] * 1e6
    print(f"  {name:20} {h:14,.0f} {g:15,.0f} {g / h:13.2f}x {ch:19.1f} {cg:6.1f}")
print(f"  ratio task GET with metrics and tracing on (default sampler) / bare healthz: {r[3] / r[2]:.2f}x (same server), {r[3] / r[0]:.2f}x (the server without OTLP)")
print(f"  task GET against the one without OTLP: default sampler {r[3] / r[1]:.2f}x, all traced {r[5] / r[1]:.2f}x")
PY
  echo "  the OTLP sink received (POSTs): $(cat "$data/sink.count" 2>/dev/null || echo nothing)"
  kill "${pids[@]}" $sink; wait "${pids[@]}" $sink 2>/dev/null || true
  rm -rf "$data"-*
}
if [ "$sections" = telemetry ]; then
  telemetry
  exit 0
fi

echo "== GET of a task under load (wrk -t2 -c32 -d${duration}s, loopback)"
hello=$(run_wrk "http://127.0.0.1:$port/healthz")
get=$(run_wrk -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/tasks/$id")
printf '  %-22s %12s %12s\n' "" "requests/s" "p99 (ms)"
printf '  %-22s %12s %12s\n' "GET /healthz (hello)" "$(rps "$hello")" "$(p99 "$hello")"
printf '  %-22s %12s %12s\n' "GET /v1/tasks/{id}" "$(rps "$get")" "$(p99 "$get")"
python3 - "$(rps "$get")" "$(rps "$hello")" "$(p99 "$get")" "$(p99 "$hello")" <<'PY'
import sys
get, hello, get99, hello99 = map(float, sys.argv[1:])
print(f"  ratio task GET / hello: throughput {get / hello:.2f}x, p99 {get99 / hello99:.2f}x")
PY
[ -z "$(non2xx "$get")" ] || echo "  WARNING: non-2xx answers during the GET run: $(non2xx "$get")"

echo "== creates with reservation under load (wrk -t2 -c32 -d${duration}s, loopback)"
# A funded account without an active-task cap; its tasks name an image on a refused address, so workers fail
# and refund them at once: the run measures the create path (parse, reserve, insert), not the engine.
account=$(curl -sf -H "Authorization: Bearer $key" "http://127.0.0.1:$port/admin/accounts" \
  -d '{"name":"bench","credits":100000000,"max_active_tasks":100000}')
user_key=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["api_key"])' "$account")
cat >"$data/create.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $user_key"
wrk.body = '{"model":"mj-v7-upload-paint","prompt":"bench","image_urls":["http://127.0.0.1:9/x.png"],"model_params":{"canvas":{"width":512,"height":512},"img_pos":{"width":512,"height":384,"x":0,"y":0},"mask":{"areas":[{"width":512,"height":512,"points":[0,400,511,400,511,511,0,511]}]}}}'
LUA
create=$(run_wrk -s "$data/create.lua" "http://127.0.0.1:$port/v1/images/generations")
get2=$(run_wrk -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/tasks/$id")
printf '  %-22s %12s %12s\n' "" "requests/s" "p99 (ms)"
printf '  %-22s %12s %12s\n' "POST create (reserve)" "$(rps "$create")" "$(p99 "$create")"
printf '  %-22s %12s %12s\n' "GET /v1/tasks/{id}" "$(rps "$get2")" "$(p99 "$get2")"
python3 - "$(rps "$create")" "$(rps "$get2")" "$(p99 "$create")" "$(p99 "$get2")" <<'PY'
import sys
create, get, create99, get99 = map(float, sys.argv[1:])
print(f"  ratio create / task GET: throughput {create / get:.2f}x, p99 {create99 / get99:.2f}x")
PY
[ -z "$(non2xx "$create")" ] || echo "  WARNING: non-2xx answers during the create run: $(non2xx "$create")"
python3 - "$data/easel.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
bad = db.execute("SELECT COUNT(*) FROM accounts a WHERE a.balance_micros != (SELECT COALESCE(SUM(amount_micros), 0) FROM ledger l WHERE l.account_id = a.id)").fetchone()[0]
tasks = db.execute("SELECT COUNT(*) FROM tasks").fetchone()[0]
print(f"  after the run: {tasks} tasks; accounts whose balance differs from their ledger: {bad}")
PY

telemetry

echo "== callbacks: 1000 tasks on the passthrough engine, each calling back a receiver on loopback"
cb_data=$(mktemp -d)
Easel__DataDirectory="$cb_data" Easel__BootstrapKey="$key" Easel__Engine=passthrough Easel__Outbound__AllowPrivateNetworks=true \
  Easel__Workers=16 Easel__Limits__MaxActiveTasksPerAccount=100000 \
  Logging__LogLevel__Default=Warning dotnet src/Easel.Server/bin/Release/net10.0/Easel.Server.dll --urls "http://127.0.0.1:$port" >"$cb_data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data" "$cb_data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
dotnet bench/Easel.Bench.Service/bin/Release/net10.0/Easel.Bench.Service.dll callbacks --url "http://127.0.0.1:$port" --key "$key" --db "$cb_data/easel.db" --tasks 1000 --warmup 1000

echo "== callbacks: a burst of 1000 terminal states (pending tasks cancelled at once), one worker held busy"
kill $server; wait $server 2>/dev/null || true
burst_data=$(mktemp -d)
Easel__DataDirectory="$burst_data" Easel__BootstrapKey="$key" Easel__Outbound__AllowPrivateNetworks=true \
  Easel__Workers=1 Easel__Limits__MaxActiveTasksPerAccount=100000 \
  Logging__LogLevel__Default=Warning dotnet src/Easel.Server/bin/Release/net10.0/Easel.Server.dll --urls "http://127.0.0.1:$port" >"$burst_data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data" "$cb_data" "$burst_data"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
dotnet bench/Easel.Bench.Service/bin/Release/net10.0/Easel.Bench.Service.dll callbacks --url "http://127.0.0.1:$port" --key "$key" --db "$burst_data/easel.db" --tasks 1000 --burst cancel --warmup 1000

#!/usr/bin/env bash
# The upstream-engine figures of docs/PERFORMANCE.md, measured in one run on this machine against a fake upstream
# (python3, stdlib only) that speaks both wire dialects on loopback:
#  1. relay overhead: a create through Easel (engine Type unified) until the fake has the submission, against a
#     create sent straight to the fake; sequential, 20 warm-up then 200 of each, interleaved;
#  2. wake-up -> completed: engine Type classic (so Easel sends its `callback`), PollInterval 10 min so that only
#     wake-ups make it poll; the fake completes a job, POSTs the wake-up URL, and the client reads the task every
#     2 ms until it is completed with its 4 images re-hosted; 20 warm-up then 100;
#  3. many waiting: N imagine tasks (default 10,000) on the fake, each taking 60 s there (it says so in
#     estimated_time, and UseUpstreamEstimate is on): the front's RSS and CPU while they wait, and at the end how
#     many completed, each submitted and re-hosted exactly once.
# Usage: bench/upstream-figures.sh [tasks-for-3]     (0 skips 3)
# EASEL_SERVER_DIR=<dir with Easel.Server.dll> skips the build and runs that copy instead.
set -euo pipefail
cd "$(dirname "$0")/.."
many="${1:-10000}"

if [ -z "${EASEL_SERVER_DIR:-}" ]; then
  dotnet build -c Release src/Easel.Server >/dev/null
  server_dir=src/Easel.Server/bin/Release/net10.0
else
  server_dir="$EASEL_SERVER_DIR"
fi
server_dll="$(cd "$server_dir" && pwd)/Easel.Server.dll"

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
upstream_key="upstream-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# The fake upstream and the clients, in one file: `fake` serves, the others measure.
cat >"$work/upstream.py" <<'PY'
import http.client, http.server, json, os, random, struct, sys, threading, time, urllib.parse, urllib.request, zlib
from concurrent.futures import ThreadPoolExecutor

def png(width, height, seed):
    rows = b"".join(b"\x00" + bytes(((x * 3 + seed * 40) & 255, (y * 5) & 255, ((x ^ y) + seed * 60) & 255)[c]
                                   for x in range(width) for c in range(3)) for y in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 6)) + chunk(b"IEND", b""))

# ---------------------------------------------------------------------------------------------------- the fake
def fake(port, key, job_seconds, estimate):
    images = [png(64, 64, n) for n in range(4)]
    lock = threading.Condition()
    jobs, by_key, by_prompt = {}, {}, {}
    stats = {"submissions": 0, "replayed_keys": 0, "polls": 0, "image_fetches": 0, "wakeups_sent": 0, "wakeup_failures": 0}
    counter = iter(range(1, 1 << 62))

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 4096

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: with Nagle on, the body would wait for the front's delayed ACK (40 ms).
        disable_nagle_algorithm = True
        def log_message(self, *args): pass

        def reply(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return json.loads(self.rfile.read(n) or b"{}") if n else {}

        def authorised(self):
            if self.headers.get("Authorization") == "Bearer " + key:
                return True
            self.reply(401, {"error": {"code": "unauthorized", "message": "bad key"}})
            return False

        def submit(self, dialect):
            arrived = time.monotonic()
            body = self.body()
            if not self.authorised():
                return
            idem = self.headers.get("Idempotency-Key")
            prompt = body.get("prompt") or body.get("text") or ""
            with lock:
                stats["submissions"] += 1
                job = jobs.get(by_key.get(idem)) if idem else None
                if job is not None:
                    stats["replayed_keys"] += 1
                else:
                    n = next(counter)
                    job_id = (f"task-unified-{n:08d}-{random.getrandbits(32):08x}" if dialect == "unified"
                              else f"job{n:08d}{random.getrandbits(32):08x}")
                    job = {"id": job_id, "prompt": prompt, "key": idem, "arrived": arrived, "dialect": dialect,
                           "callback": body.get("callback") or body.get("callback_url"), "done": None, "fetches": []}
                    jobs[job_id] = job
                    if idem:
                        by_key[idem] = job_id
                    by_prompt.setdefault(prompt, job_id)
                    lock.notify_all()
            if dialect == "unified":
                self.reply(200, {"id": job["id"], "status": "pending", "progress": 0,
                                 "task_info": {"can_cancel": True, "estimated_time": estimate}, "usage": {"credits_reserved": 5.4}})
            else:
                self.reply(200, {"id": job["id"], "status": "pending", "progress": 0})

        def done(self, job, now):
            if job["done"] is None and job["dialect"] == "unified" and job_seconds >= 0 and now - job["arrived"] >= job_seconds:
                job["done"] = now
            return job["done"] is not None

        def urls(self, job):
            host = f"http://127.0.0.1:{port}"
            return [f"{host}/img/{job['id']}/{n}.png" for n in range(4)]

        def poll(self, job_id, dialect):
            if not self.authorised():
                return
            now = time.monotonic()
            with lock:
                stats["polls"] += 1
                job = jobs.get(job_id)
                finished = job is not None and self.done(job, now)
                if job is not None and finished and "first_done_poll" not in job:
                    job["first_done_poll"] = now
            if job is None:
                return self.reply(404, {"error": {"code": "resource_not_found", "message": "no such task"}})
            if dialect == "unified":
                if finished:
                    return self.reply(200, {"id": job_id, "status": "completed", "progress": 100, "results": self.urls(job)})
                left = max(1, round(job_seconds - (now - job["arrived"]))) if job_seconds >= 0 else estimate
                return self.reply(200, {"id": job_id, "status": "processing", "progress": 50, "task_info": {"estimated_time": left}})
            if finished:
                return self.reply(200, {"id": job_id, "status": "completed", "progress": 1,
                                        "output": [{"content": [{"type": "image", "url": u} for u in self.urls(job)]}],
                                        "usage": {"cost": "0.08", "discount": 0}})
            return self.reply(200, {"id": job_id, "status": "in_progress", "progress": 0.5})

        def do_POST(self):
            path = self.path.split("?")[0]
            if path == "/v1/images/generations":
                return self.submit("unified")
            if path == "/model/v1/generation":
                return self.submit("classic")
            if path.startswith("/_complete/"):
                # Control: finish the job now, then (on another thread, as a real upstream would) POST its wake-up URL.
                self.body()
                with lock:
                    job = jobs.get(path[len("/_complete/"):])
                    if job is None:
                        return self.reply(404, {})
                    job["done"] = time.monotonic()
                threading.Thread(target=wake, args=(job,), daemon=True).start()
                return self.reply(200, {"id": job["id"]})
            if path.endswith("/cancel"):
                return self.reply(200, {})
            self.reply(404, {})

        def do_GET(self):
            path, _, query = self.path.partition("?")
            if path.startswith("/v1/tasks/"):
                return self.poll(path[len("/v1/tasks/"):], "unified")
            if path.startswith("/model/v1/generation/task/"):
                return self.poll(path[len("/model/v1/generation/task/"):], "classic")
            if path.startswith("/img/"):
                now = time.monotonic()
                _, _, job_id, name = path.split("/")
                with lock:
                    stats["image_fetches"] += 1
                    job = jobs.get(job_id)
                    if job is not None:
                        job["fetches"].append(now)
                return self.reply(200, images[int(name[0]) % 4], "image/png")
            if path == "/_wait":
                # Control: block until a submission with this prompt has arrived; its job and arrival time.
                prompt = urllib.parse.unquote(dict(p.split("=", 1) for p in query.split("&"))["prompt"])
                with lock:
                    if not lock.wait_for(lambda: prompt in by_prompt, timeout=30):
                        return self.reply(404, {})
                    job = jobs[by_prompt[prompt]]
                    answer = {"id": job["id"], "arrived": job["arrived"], "key": job["key"], "callback": job["callback"]}
                return self.reply(200, answer)
            if path == "/_job":
                job_id = dict(p.split("=", 1) for p in query.split("&"))["id"]
                with lock:
                    job = dict(jobs[job_id])
                    job["fetches"] = list(job["fetches"])
                return self.reply(200, job)
            if path == "/_stats":
                with lock:
                    keys = {}
                    for job in jobs.values():
                        keys[job["key"]] = keys.get(job["key"], 0) + 1
                    fetches = [len(j["fetches"]) for j in jobs.values()]
                    answer = dict(stats, jobs=len(jobs), keys_with_two_jobs=sum(1 for k, v in keys.items() if k and v > 1),
                                  jobs_fetched_once=sum(1 for f in fetches if f == 4), jobs_fetched_more=sum(1 for f in fetches if f > 4),
                                  first_arrival=min((j["arrived"] for j in jobs.values()), default=None),
                                  last_arrival=max((j["arrived"] for j in jobs.values()), default=None),
                                  first_done_poll=min((j["first_done_poll"] for j in jobs.values() if "first_done_poll" in j), default=None),
                                  last_fetch=max((f for j in jobs.values() for f in j["fetches"]), default=None))
                return self.reply(200, answer)
            self.reply(404, {})

    def wake(job):
        req = urllib.request.Request(job["callback"], data=b'{"status":"completed"}', method="POST",
                                     headers={"Content-Type": "application/json"})
        job["woken"] = time.monotonic()
        try:
            urllib.request.urlopen(req, timeout=10).read()
            with lock:
                stats["wakeups_sent"] += 1
        except Exception:
            with lock:
                stats["wakeup_failures"] += 1

    Server(("127.0.0.1", port), Handler).serve_forever()

# -------------------------------------------------------------------------------------------------- the clients
class Client:
    """One keep-alive connection; JSON in and out."""
    def __init__(self, port, key=None):
        self.port, self.key, self.conn = port, key, None
    def call(self, method, path, body=None, headers=None):
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            h = {"Content-Type": "application/json"}
            if self.key:
                h["Authorization"] = "Bearer " + self.key
            h.update(headers or {})
            try:
                self.conn.request(method, path, json.dumps(body) if body is not None else None, h)
                r = self.conn.getresponse()
                data = r.read()
                return r.status, (json.loads(data) if data else None)
            except (http.client.HTTPException, ConnectionError):
                self.conn.close(); self.conn = None
                if attempt:
                    raise

def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]

def relay(front_port, front_key, fake_port, fake_key, warmup, runs):
    front, fake_direct, control = Client(front_port, front_key), Client(fake_port, fake_key), Client(fake_port)
    tag = f"{os.getpid()}-{random.getrandbits(24):06x}"
    direct_rtt, direct_oneway, relayed, front_rtt = [], [], [], []
    for i in range(warmup + runs):
        # (a) straight to the fake, as a client of the upstream would.
        prompt = f"direct {tag} {i}"
        t0 = time.monotonic()
        status, answer = fake_direct.call("POST", "/v1/images/generations", {"model": "mj-v7", "prompt": prompt},
                                          {"Idempotency-Key": f"direct-{tag}-{i}"})
        t1 = time.monotonic()
        assert status == 200, (status, answer)
        status, seen = control.call("GET", "/_wait?prompt=" + prompt.replace(" ", "%20"))
        assert status == 200, "the fake never saw " + prompt
        # (b) through Easel: from the client's create at the front until the fake has the submission.
        prompt = f"relay {tag} {i}"
        t2 = time.monotonic()
        status, answer = front.call("POST", "/v1/images/generations", {"model": "mj-v7", "prompt": prompt})
        t3 = time.monotonic()
        assert status in (200, 201), (status, answer)
        status, arrived = control.call("GET", "/_wait?prompt=" + prompt.replace(" ", "%20"))
        assert status == 200, "the front never submitted " + prompt
        if i >= warmup:
            direct_rtt.append((t1 - t0) * 1000); direct_oneway.append((seen["arrived"] - t0) * 1000)
            relayed.append((arrived["arrived"] - t2) * 1000); front_rtt.append((t3 - t2) * 1000)
    row = lambda name, v: print(f"  {name:58} p50 {pct(v, 50):7.2f} ms   p95 {pct(v, 95):7.2f} ms   max {max(v):7.2f} ms")
    print(f"  sequential, {warmup} warm-up then {runs} of each, interleaved")
    row("(a) create straight to the fake (client round trip)", direct_rtt)
    row("    the same, one way (client send -> fake has it)", direct_oneway)
    row("(b) create at the front -> the fake has the submission", relayed)
    row("    the front's own create answer (client round trip)", front_rtt)
    added = pct(relayed, 50) - pct(direct_rtt, 50)
    print(f"  added by the relay, p50 (b) - p50 (a): {added:.2f} ms "
          f"(p95 {pct(relayed, 95) - pct(direct_rtt, 95):.2f} ms; against the one-way direct: p50 {pct(relayed, 50) - pct(direct_oneway, 50):.2f} ms)"
          f"   target <= 5 ms: {'met' if added <= 5 else 'MISSED'}")
    print(f"  ratio p50 (b) / p50 (a): {pct(relayed, 50) / pct(direct_rtt, 50):.2f}x")

def wakeups(front_port, front_key, fake_port, db, warmup, runs):
    import sqlite3
    front, control = Client(front_port, front_key), Client(fake_port)
    tag = f"{os.getpid()}-{random.getrandbits(24):06x}"
    wall = time.time() - time.monotonic()  # the front stamps finished_at in wall-clock ms; the fake and we use the monotonic clock
    measured, bad = [], 0
    for i in range(warmup + runs):
        prompt = f"wake {tag} {i}"
        status, task = front.call("POST", "/v1/images/generations", {"model": "mj-v7", "prompt": prompt})
        assert status in (200, 201), (status, task)
        status, job = control.call("GET", "/_wait?prompt=" + prompt.replace(" ", "%20"))
        assert status == 200 and job["callback"], ("no callback URL in the submission", job)
        time.sleep(0.02)  # the front records the upstream's id after the answer; let that land first
        control.call("POST", "/_complete/" + job["id"], {})
        deadline = time.monotonic() + 30
        while True:
            status, view = front.call("GET", "/v1/tasks/" + task["id"])
            now = time.monotonic()
            if view.get("status") in ("completed", "failed") or now > deadline:
                break
            time.sleep(0.002)
        _, record = control.call("GET", "/_job?id=" + job["id"])
        results = view.get("results") or []
        ok = view.get("status") == "completed" and len(results) == 4 and all(f"127.0.0.1:{fake_port}" not in u for u in results)
        if not ok:
            bad += 1
            print(f"  task {task['id']}: {view.get('status')} {view.get('error')} results={len(results)}", file=sys.stderr)
        elif i >= warmup:
            measured.append((task["id"], record["woken"], record["first_done_poll"], min(record["fetches"]), max(record["fetches"]), now))
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    finished = {}
    for task_id, *_ in measured:
        finished[task_id] = c.execute("SELECT finished_at FROM tasks WHERE id = ?", (task_id,)).fetchone()[0] / 1000 - wall
    c.close()
    ms = lambda a, b: (b - a) * 1000
    row = lambda name, v: print(f"  {name:58} p50 {pct(v, 50):7.1f} ms   p99 {pct(v, 99):7.1f} ms   max {max(v):7.1f} ms")
    print(f"  sequential, {warmup} warm-up then {runs}; PollInterval 10 min, so only the wake-up makes the front poll")
    row("fake POSTs the wake-up -> the front's poll arrives", [ms(m[1], m[2]) for m in measured])
    row("poll arrives -> 1st image fetched", [ms(m[2], m[3]) for m in measured])
    row("1st -> 4th image fetched", [ms(m[3], m[4]) for m in measured])
    row("4th image fetched -> the front stamps the completion (*)", [ms(m[4], finished[m[0]]) for m in measured])
    row("stamped -> client reads completed (GETs every 2 ms) (*)", [ms(finished[m[0]], m[5]) for m in measured])
    total = [ms(m[1], m[5]) for m in measured]
    row("fake POSTs the wake-up -> client reads completed, 4 images", total)
    print("  (*) the stamp is the front's wall clock in whole ms, before the completing transaction")
    print(f"  tasks not completed with 4 re-hosted images: {bad}   target p99 <= 300 ms: {'met' if pct(total, 99) <= 300 else 'MISSED'}")

def many(front_port, front_key, fake_port, front_pid, db, count, threads, job_seconds, out):
    """Create `count` tasks, then sample the front's RSS and CPU until all are finished (or a deadline)."""
    hz = os.sysconf("SC_CLK_TCK")
    def sample():
        with open(f"/proc/{front_pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{front_pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        return time.monotonic(), (int(fields[11]) + int(fields[12])) / hz, rss / 1024
    samples, stop = [sample()], threading.Event()
    def sampler():
        while not stop.wait(0.5):
            samples.append(sample())
    threading.Thread(target=sampler, daemon=True).start()
    tag = f"{os.getpid()}-{random.getrandbits(24):06x}"
    failures = []
    def creator(k):
        c = Client(front_port, front_key)
        for i in range(k, count, threads):
            status, answer = c.call("POST", "/v1/images/generations", {"model": "mj-v7", "prompt": f"many {tag} {i}"})
            if status not in (200, 201):
                failures.append((status, answer))
    t0 = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(creator, range(threads)))
    t1 = time.monotonic()
    print(f"  {count:,} creates at the front in {t1 - t0:.1f} s ({count / (t1 - t0):,.0f}/s, {threads} client connections); refused: {len(failures)}"
          + (f" e.g. {failures[0]}" if failures else ""))
    import sqlite3
    def states():
        c = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return dict(c.execute("SELECT state, COUNT(*) FROM tasks GROUP BY state").fetchall())
        finally:
            c.close()
    control = Client(fake_port)
    # Every task submitted?
    while True:
        _, st = control.call("GET", "/_stats")
        if st["jobs"] >= count - len(failures) or time.monotonic() - t1 > 120:
            break
        time.sleep(0.5)
    t2 = time.monotonic()
    print(f"  all {st['jobs']:,} on the fake {t2 - t0:.1f} s after the first create (submissions from {st['first_arrival'] - t0:.1f} s to {st['last_arrival'] - t0:.1f} s)")
    deadline = st["last_arrival"] + job_seconds + 300
    while time.monotonic() < deadline:
        s = states()
        if s.get(2, 0) + s.get(3, 0) + s.get(4, 0) >= count - len(failures):
            break
        time.sleep(1)
    t3 = time.monotonic()
    time.sleep(1)
    stop.set()
    _, st = control.call("GET", "/_stats")
    s = states()
    # The wait: from the last submission until a second before the first job's 60 s are up (nothing is due at the
    # front meanwhile; the second keeps the first polls of the completion wave out of it).
    w0, w1 = st["last_arrival"], st["first_arrival"] + job_seconds - 1
    def cpu_between(a, b):
        inside = [x for x in samples if a <= x[0] <= b]
        if len(inside) < 2:
            return None, 0
        return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0]) * 100, inside[-1][0] - inside[0][0]
    wait_cpu, wait_len = cpu_between(w0, w1)
    wave_cpu, wave_len = cpu_between(w1, t3)
    rss_wait = max((x[2] for x in samples if w0 <= x[0] <= w1), default=float("nan"))
    rss_max = max(x[2] for x in samples)
    print(f"  waiting: {wait_len:.0f} s, from the last submission to 1 s before the first job's end ({job_seconds:.0f} s after the first submission)")
    if wait_cpu is not None:
        print(f"    front CPU while {count:,} wait: {wait_cpu:.1f}% of one core   target <= 10%: {'met' if wait_cpu <= 10 else 'MISSED'}")
    else:
        print("    no quiet wait to measure: the creates took longer than the jobs")
    print(f"    front RSS while they wait: max {rss_wait:.0f} MB; max over the whole run {rss_max:.0f} MB (at start {samples[0][2]:.0f} MB)"
          f"   target <= 400 MB: {'met' if rss_max <= 400 else 'MISSED'}")
    if wave_cpu is not None:
        print(f"  completion wave: {wave_len:.0f} s from the first job's end until all finished, front CPU {wave_cpu:.0f}% of one core")
    print(f"  at the end: completed {s.get(2, 0):,}, failed {s.get(3, 0):,}, still waiting {s.get(0, 0) + s.get(1, 0):,} (of {count:,})")
    print(f"  fake: {st['jobs']:,} jobs from {st['submissions']:,} submissions (replayed keys {st['replayed_keys']}, keys with two jobs {st['keys_with_two_jobs']}),"
          f" {st['polls']:,} polls ({st['polls'] / max(1, st['jobs']):.2f} a job), {st['image_fetches']:,} image fetches;"
          f" jobs whose 4 images were fetched exactly once: {st['jobs_fetched_once']:,}, more than once: {st['jobs_fetched_more']}")
    # The front's CPU and RSS in 5 s steps from the first create, and where the quiet wait lies among them.
    steps, t, cpu_line, rss_line = 5.0, t0, [], []
    while t + steps <= samples[-1][0]:
        inside = [x for x in samples if t <= x[0] <= t + steps]
        if len(inside) >= 2:
            cpu_line.append(f"{(inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0]) * 100:.0f}")
            rss_line.append(f"{max(x[2] for x in inside):.0f}")
        t += steps
    print(f"  the front, every 5 s from the first create (the quiet wait is {w0 - t0:.0f}-{w1 - t0:.0f} s):")
    print("    CPU % of one core: " + " ".join(cpu_line))
    print("    RSS MB:            " + " ".join(rss_line))
    blobs = sum(1 for _, _, files in os.walk(os.path.join(os.path.dirname(db), "files")) for f in files if not f.endswith(".tmp"))
    print(f"  the front's blob store holds {blobs:,} files ({4 * s.get(2, 0):,} expected: 4 per completed task; a duplicate re-host must be deleted)")
    with open(out, "w") as f:
        for t, cpu, rss in samples:
            f.write(f"{t - t0:.2f} {cpu:.2f} {rss:.1f}\n")

if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "fake":
        fake(int(args[0]), args[1], float(args[2]), int(args[3]))
    elif mode == "relay":
        relay(int(args[0]), args[1], int(args[2]), args[3], int(args[4]), int(args[5]))
    elif mode == "wake":
        wakeups(int(args[0]), args[1], int(args[2]), args[3], int(args[4]), int(args[5]))
    elif mode == "many":
        many(int(args[0]), args[1], int(args[2]), int(args[3]), args[4], int(args[5]), int(args[6]), float(args[7]), args[8])
PY

# start_fake NAME JOB_SECONDS ESTIMATE: a fake upstream on a free port (fake_port, fake_pid).
start_fake() {
  fake_port=$(free_port)
  python3 "$work/upstream.py" fake "$fake_port" "$upstream_key" "$2" "$3" >"$work/fake-$1.log" 2>&1 &
  fake_pid=$!
  pids+=("$fake_pid")
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$fake_port/_stats" && break; sleep 0.05; done
}
# start_front NAME VAR=VALUE...: Easel with its own data directory, an engine named fake (front_port, front_pid,
# front_data), and a funded account without an active-task cap (user_key).
start_front() {
  local name=$1; shift
  front_port=$(free_port)
  front_data="$work/front-$name"
  mkdir -p "$front_data"
  env Easel__DataDirectory="$front_data" Easel__BootstrapKey="$admin" Easel__Workers=2 Logging__LogLevel__Default=Warning \
    Easel__Engines__fake__BaseUrl="http://127.0.0.1:$fake_port" Easel__Engines__fake__ApiKey="$upstream_key" "$@" \
    dotnet "$server_dll" --urls "http://127.0.0.1:$front_port" >"$front_data/server.log" 2>&1 &
  front_pid=$!
  pids+=("$front_pid")
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$front_port/healthz" >/dev/null && break; sleep 0.1; done
  curl -sf "http://127.0.0.1:$front_port/healthz" >/dev/null || { echo "the front did not start:"; cat "$front_data/server.log"; exit 1; }
  user_key=$(curl -sf -H "Authorization: Bearer $admin" "http://127.0.0.1:$front_port/admin/accounts" \
    -d '{"name":"bench","credits":1000000,"max_active_tasks":100000}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])')
}
stop() { kill "$@" 2>/dev/null || true; wait "$@" 2>/dev/null || true; }

echo "machine: $(nproc) cores; load before: $(uptime | sed 's/.*load average/load average/')"

echo "== 1. relay overhead: unified engine, create -> the upstream has the submission"
start_fake relay 3600 60
start_front relay Easel__Engines__fake__Type=unified Easel__Engines__fake__MaxInFlight=1000
python3 "$work/upstream.py" relay "$front_port" "$user_key" "$fake_port" "$upstream_key" 20 200
stop "$front_pid" "$fake_pid"

echo "== 2. wake-up -> completed: classic engine (callback), PollInterval 10 min"
start_fake wake -1 60
start_front wake Easel__Engines__fake__Type=classic Easel__Engines__fake__MaxInFlight=1000 Easel__Engines__fake__PollInterval=00:10:00 Easel__Engines__fake__SlowPollInterval=00:10:00
python3 "$work/upstream.py" wake "$front_port" "$user_key" "$fake_port" "$front_data/easel.db" 20 100
stop "$front_pid" "$fake_pid"

if [ "$many" -gt 0 ]; then
  echo "== 3. $many tasks waiting on the upstream, 60 s each (unified, estimated_time 60, UseUpstreamEstimate)"
  start_fake many 60 60
  start_front many Easel__Engines__fake__Type=unified Easel__Engines__fake__MaxInFlight=20000 Easel__Engines__fake__UseUpstreamEstimate=true
  python3 "$work/upstream.py" many "$front_port" "$user_key" "$fake_port" "$front_pid" "$front_data/easel.db" "$many" 8 60 "$work/samples.txt"
  if [ -s "$front_data/server.log" ]; then echo "  the front logged (warnings and errors), last lines:"; tail -n 5 "$front_data/server.log" | sed 's/^/    /'; fi
  stop "$front_pid" "$fake_pid"
fi
echo "load after: $(uptime | sed 's/.*load average/load average/')"

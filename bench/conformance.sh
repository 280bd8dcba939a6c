#!/usr/bin/env bash
# Times the full okta and entra --write flows of `scimdoctor scim` against
# `scimdoctor serve` on a new SQLite database on 127.0.0.1, RUNS times each
# (default 9). For each profile it prints the median wall time of one run,
# process start included, and the median server time: the sum of the
# response times the engine measured. It also prints the requests per run.
# Copy the lines into docs/benchmarks.md with the date and the machine.
#
# Needs: go, curl, python3. Everything runs on 127.0.0.1 in a temporary
# folder that the script removes, with the server's rate limit off.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-9}
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

bin=$work/scimdoctor
go build -o "$bin" ./cmd/scimdoctor

db=$work/bench.db
token=$("$bin" serve --db "$db" token create --name bench 2>/dev/null)

# A free port on 127.0.0.1, from the kernel.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --db "$db" --listen "127.0.0.1:$port" --rate 0 --inspector=false \
  --log-format json >"$work/serve.log" 2>&1 &
server_pid=$!

# serve writes its self-signed certificate next to the database on start.
for _ in $(seq 1 100); do
  if curl -sf --cacert "$work/scimdoctor-tls.pem" "https://localhost:$port/healthz" >/dev/null 2>&1; then
    break
  fi
  sleep 0.1
done
if ! curl -sf --cacert "$work/scimdoctor-tls.pem" "https://localhost:$port/healthz" >/dev/null; then
  echo "bench: error: scimdoctor serve did not respond to GET /healthz on 127.0.0.1:$port within 10 s; its log follows" >&2
  cat "$work/serve.log" >&2
  exit 1
fi

for profile in okta entra; do
  : >"$work/$profile.tsv"
  for i in $(seq 1 "$runs"); do
    start=$(date +%s%N)
    "$bin" scim --write --profile "$profile" --format json --token "$token" \
      --cacert "$work/scimdoctor-tls.pem" "https://localhost:$port/scim/v2" >"$work/$profile-$i.json"
    end=$(date +%s%N)
    # Requests sent, failed steps and the sum of the measured response times.
    python3 - "$work/$profile-$i.json" "$start" "$end" >>"$work/$profile.tsv" <<'PY'
import json, sys, re
result = json.load(open(sys.argv[1]))
units = {"ns": 1e-6, "us": 1e-3, "µs": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}
def ms(d):
    return sum(float(v) * units[u] for v, u in re.findall(r"([0-9.]+)(ns|us|µs|ms|s|m|h)", d))
sent = failed = 0
server_ms = 0.0
for p in result["profiles"]:
    for s in p["steps"]:
        if s["verdict"]["status"] == "fail":
            failed += 1
        if s.get("response"):
            sent += 1
            server_ms += ms(s["response"]["duration"])
wall_ms = (int(sys.argv[3]) - int(sys.argv[2])) / 1e6
print(f"{wall_ms:.1f}\t{server_ms:.1f}\t{sent}\t{failed}\t{len(result['cleanup']['left'])}")
PY
  done
done

python3 - "$work" "$runs" <<'PY'
import statistics, sys
work, runs = sys.argv[1], sys.argv[2]
for profile in ("okta", "entra"):
    rows = [line.split("\t") for line in open(f"{work}/{profile}.tsv").read().splitlines()]
    wall = statistics.median(float(r[0]) for r in rows)
    server = statistics.median(float(r[1]) for r in rows)
    requests = sorted({int(r[2]) for r in rows})
    failed = sum(int(r[3]) for r in rows)
    left = sum(int(r[4]) for r in rows)
    print(f"{profile} --write: median {wall:.0f} ms per run (min {min(float(r[0]) for r in rows):.0f}, max {max(float(r[0]) for r in rows):.0f}), "
          f"server time {server:.1f} ms, requests per run {'/'.join(map(str, requests))}, "
          f"failed steps {failed}, resources left {left}, {runs} runs")
PY

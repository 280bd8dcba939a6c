#!/usr/bin/env bash
# Load test of `scimdoctor serve` on SQLite and on PostgreSQL. For each store
# the script starts the built binary on 127.0.0.1 with TLS (its self-signed
# certificate), the inspector on as by default and the rate limit off. Then
# bench/scimload seeds USERS Users through /Bulk and Groups of MEMBERS
# members through PATCH, and runs each operation for DURATION with WORKERS
# workers. scimload prints Markdown table rows, the seeding time and the
# server's peak RSS (VmHWM).
#
# Settings (environment): STORES (default "sqlite postgres"), USERS (100000),
# MEMBERS (10,1000,50000), WORKERS (8), DURATION (10s), LOADER_PROCS
# (GOMAXPROCS of the loader, 1), OPS (all), INSPECTOR (true).
#
# PostgreSQL comes from Debian's postgresql package (/usr/lib/postgresql/*/bin),
# runs from a new cluster in a temporary folder on 127.0.0.1 with
# synchronous_commit=off, the counterpart of SQLite's synchronous=NORMAL in
# serve: a crash loses no committed data, but a power failure may lose the
# last commits. As root, it runs as user postgres.
#
# Needs: go, curl, python3, and for PostgreSQL the postgresql package.
set -euo pipefail
cd "$(dirname "$0")/.."

stores=${STORES:-sqlite postgres}
users=${USERS:-100000}
members=${MEMBERS:-10,1000,50000}
workers=${WORKERS:-8}
duration=${DURATION:-10s}
loader_procs=${LOADER_PROCS:-1}
ops=${OPS:-lookup,create,put,patch,list}
inspector=${INSPECTOR:-true}

work=$(mktemp -d)
chmod 755 "$work"
server_pid=""
pg_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
stop_postgres() {
  if [ -n "$pg_pid" ]; then
    # As root, $pg_pid is runuser; the server's own pid is the first line
    # of postmaster.pid. SIGINT requests a fast shutdown.
    local postmaster
    postmaster=$(head -n1 "$work/pg/data/postmaster.pid" 2>/dev/null || true)
    kill -INT "${postmaster:-$pg_pid}" 2>/dev/null || true
    wait "$pg_pid" 2>/dev/null || true
    pg_pid=""
  fi
}
cleanup() {
  stop_server
  stop_postgres
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bin=$work/scimdoctor
go build -o "$bin" ./cmd/scimdoctor
go build -o "$work/scimload" ./bench/scimload

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), $(go version | cut -d' ' -f3)"
echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet 2>/dev/null || echo ' with uncommitted changes')"
echo "settings: USERS=$users MEMBERS=$members WORKERS=$workers DURATION=$duration LOADER_PROCS=$loader_procs INSPECTOR=$inspector"

start_postgres() {
  local bindir
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/postgres" ]; then
    echo "bench: error: PostgreSQL server binaries not found under /usr/lib/postgresql; install Debian package postgresql, or run with STORES=sqlite" >&2
    exit 1
  fi
  local pgdir=$work/pg as=()
  mkdir "$pgdir"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$pgdir"
    as=(runuser -u postgres --)
  fi
  "${as[@]}" "$bindir/initdb" -D "$pgdir/data" -U scimdoctor --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$work/initdb.log" 2>&1
  pg_port=$(free_port)
  "${as[@]}" "$bindir/postgres" -D "$pgdir/data" -k "$pgdir" -h 127.0.0.1 -p "$pg_port" \
    -c synchronous_commit=off -c shared_buffers=256MB >"$work/postgres.log" 2>&1 &
  pg_pid=$!
  for _ in $(seq 1 100); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
      break
    fi
    sleep 0.1
  done
  if ! "$bindir/pg_isready" -q -h 127.0.0.1 -p "$pg_port"; then
    echo "bench: error: PostgreSQL did not start on 127.0.0.1:$pg_port; its log follows" >&2
    cat "$work/postgres.log" >&2
    exit 1
  fi
  echo "postgres: $("$bindir/postgres" --version)"
}

for store in $stores; do
  dir=$work/$store
  mkdir "$dir"
  case $store in
  sqlite) db=$dir/bench.db label=SQLite ;;
  postgres)
    start_postgres
    db="postgres://scimdoctor@127.0.0.1:$pg_port/postgres?sslmode=disable"
    label=PostgreSQL
    ;;
  *)
    echo "bench: error: unknown store $store in STORES; use sqlite, postgres or both" >&2
    exit 2
    ;;
  esac

  # serve keeps its self-signed certificate next to an SQLite database and
  # in the working folder for PostgreSQL, so both run from $dir.
  token=$(cd "$dir" && "$bin" serve --db "$db" token create --name bench 2>/dev/null)
  port=$(free_port)
  (cd "$dir" && exec "$bin" serve --db "$db" --listen "127.0.0.1:$port" --rate 0 \
    --inspector="$inspector" --log-format json >"$dir/serve.log" 2>&1) &
  server_pid=$!
  for _ in $(seq 1 100); do
    if curl -sf --cacert "$dir/scimdoctor-tls.pem" "https://127.0.0.1:$port/healthz" >/dev/null 2>&1; then
      break
    fi
    sleep 0.1
  done
  if ! curl -sf --cacert "$dir/scimdoctor-tls.pem" "https://127.0.0.1:$port/healthz" >/dev/null; then
    echo "bench: error: scimdoctor serve did not respond to GET /healthz on 127.0.0.1:$port within 10 s; its log follows" >&2
    cat "$dir/serve.log" >&2
    exit 1
  fi

  echo
  echo "== $label"
  "$work/scimload" -url "https://127.0.0.1:$port/scim/v2" -token "$token" -cacert "$dir/scimdoctor-tls.pem" \
    -users "$users" -members "$members" -workers "$workers" -duration "$duration" \
    -gomaxprocs "$loader_procs" -serve-pid "$server_pid" -ops "$ops" -label "$label"
  stop_server
  stop_postgres
done

#!/usr/bin/env bash
# Measures scimdoctor on loopback: the go test benchmarks of check (per lab
# endpoint, with TCP connections per run) and of the version scan, then the
# wall time of the built binary's demo. Results go to stdout; copy them into
# docs/benchmarks.md with the date and the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

go test -run '^$' -bench . -benchtime "${BENCHTIME:-50x}" ./check ./tlsprobe

bin=$(mktemp -d)/scimdoctor
go build -o "$bin" ./cmd/scimdoctor
for i in 1 2 3; do
  start=$(date +%s.%N)
  "$bin" demo >/dev/null
  end=$(date +%s.%N)
  echo "demo run $i: $(echo "$end - $start" | bc) s"
done
rm -rf "$(dirname "$bin")"

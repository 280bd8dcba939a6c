#!/usr/bin/env bash
# Runs every test of scimdoctor: installs what the integration tests need
# (scripts/install-test-deps.sh), runs go vet and go test on every package,
# then each fuzz target for a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
export PATH="$PATH:/usr/sbin"

go vet ./...
go test -count=1 -timeout 15m ./...

# Each fuzz target runs for a bounded time; a crash fails the run and leaves
# the input under the package's testdata/fuzz folder.
fuzz_seconds=${FUZZ_SECONDS:-5}
go list -f '{{.Dir}} {{.ImportPath}}' ./... | while read -r dir pkg; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz: $pkg $target for ${fuzz_seconds}s"
    out=$(mktemp)
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "${fuzz_seconds}s" -fuzzminimizetime 2s "$pkg" 2>&1 | tee "$out"; then
      # On a loaded machine the fuzzing engine can stop with "context
      # deadline exceeded" while an input is still running, without a
      # failing input. Only that case gets one more run.
      if grep -q 'context deadline exceeded' "$out" && ! grep -q 'Failing input written' "$out"; then
        echo "fuzz: $pkg $target stopped at its deadline without a failing input; running it once more"
        go test -run '^$' -fuzz "^${target}\$" -fuzztime "${fuzz_seconds}s" -fuzzminimizetime 2s "$pkg"
      else
        rm -f "$out"
        exit 1
      fi
    fi
    rm -f "$out"
  done
done

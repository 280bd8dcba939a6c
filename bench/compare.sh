#!/usr/bin/env bash
# Compares `scimdoctor tls` with sslscan and nmap's ssl-enum-ciphers script on
# four lab endpoints (good, tls10-only, client-cert-required, 3des-only). For
# each tool and endpoint it prints the accepted TLS versions, the number of
# cipher suites listed per version, what the output reports about a
# client certificate requirement, and the median wall time of RUNS runs (default 3).
#
# Needs jq, bc, sslscan and nmap, from the Debian packages of the same
# names. Every scan targets 127.0.0.1 or localhost, where the lab listens.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-3}
endpoints=(good tls10-only client-cert-required 3des-only)

for tool in jq bc sslscan nmap; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "compare.sh: $tool not found. Install the Debian package $tool." >&2
    exit 2
  fi
done

# The scimdoctor runs name localhost, so it must resolve to loopback only.
if getent ahosts localhost | awk '{ print $1 }' | grep -Eqv '^(127\.|::1$)'; then
  echo "compare.sh: localhost resolves to a non-loopback address. Fix /etc/hosts before running." >&2
  exit 2
fi

tmp=$(mktemp -d)
lab_pid=
stop_lab() {
  if [ -n "$lab_pid" ] && kill -0 "$lab_pid" 2>/dev/null; then
    kill -INT "$lab_pid"
    wait "$lab_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap stop_lab EXIT

go build -o "$tmp/scimdoctor" ./cmd/scimdoctor

"$tmp/scimdoctor" lab "${endpoints[@]}" >"$tmp/lab.out" 2>&1 &
lab_pid=$!
for _ in $(seq 1 100); do
  grep -q 'press Ctrl-C' "$tmp/lab.out" && break
  if ! kill -0 "$lab_pid" 2>/dev/null; then
    echo "compare.sh: scimdoctor lab exited before it printed its endpoints. Its output:" >&2
    cat "$tmp/lab.out" >&2
    exit 1
  fi
  sleep 0.1
done
cafile=$(sed -n 's/^lab CA (give it to clients with --cacert): //p' "$tmp/lab.out")
if [ -z "$cafile" ]; then
  echo "compare.sh: no CA file in the output of scimdoctor lab. Its output:" >&2
  cat "$tmp/lab.out" >&2
  exit 1
fi

# port_of NAME prints the port of the lab endpoint NAME. The lab prints URLs
# of the form https://localhost:PORT/scim/v2.
port_of() {
  awk -v name="$1" '$1 == name { print $2 }' "$tmp/lab.out" |
    sed -n 's|^https://localhost:\([0-9][0-9]*\)/.*|\1|p'
}

# median prints the middle value of the numbers on stdin.
median() {
  sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# timed OUTFILE COMMAND... runs COMMAND RUNS times, keeps the output of the
# last run in OUTFILE and prints the median wall time in seconds.
timed() {
  local out=$1
  shift
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s.%N)
    "$@" >"$out" 2>&1 || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc
  done | median
}

# The parsers print "versions|suites per version|client certificate", with
# versions as 1.0 to 1.3, ssl3 and ssl2.

parse_scimdoctor() {
  jq -r '
    def short: sub("^TLS "; "") | sub("^SSL 3.0$"; "ssl3") | sub("^SSL 2.0$"; "ssl2");
    ([.versions[] | select(.accepted) | .version | short] | join(" ")) + "|" +
    ([.suites[] | "\(.version | short):\(.suites | length)"] | join(" ")) + "|" +
    ([(.client_auth.versions // [])[] | select(.requested) | "\(.requirement) at \(.version | short)"]
      | if length == 0 then "none requested" else join(", ") end)
  ' "$1"
}

parse_sslscan() {
  local versions suites client
  versions=$(awk '$2 == "enabled" && $1 ~ /^(SSLv|TLSv)/ { print $1 }' "$1" |
    sed 's/^TLSv//; s/^SSLv3$/ssl3/; s/^SSLv2$/ssl2/' | paste -sd' ')
  suites=$(awk '$1 == "Preferred" || $1 == "Accepted" { n[$2]++ }
    END { for (v in n) print v ":" n[v] }' "$1" |
    sed 's/^TLSv//; s/^SSLv3/ssl3/' | sort | paste -sd' ')
  if grep -qi 'client cert' "$1"; then client=mentioned; else client="not reported"; fi
  echo "$versions|$suites|$client"
}

parse_nmap() {
  local versions suites client
  versions=$(sed -n 's/^|   \(SSLv3\|TLSv1\.[0-3]\): *$/\1/p' "$1" |
    sed 's/^TLSv//; s/^SSLv3$/ssl3/' | paste -sd' ')
  suites=$(awk '
    /^\|   (SSLv3|TLSv1\.[0-3]): *$/ { v = $2; sub(":", "", v); inside = 0; next }
    /^\|     ciphers: *$/ { inside = 1; next }
    inside && /^\|       / { n[v]++; next }
    { inside = 0 }
    END { for (v in n) print v ":" n[v] }' "$1" |
    sed 's/^TLSv//; s/^SSLv3/ssl3/' | sort | paste -sd' ')
  if grep -qi 'client cert' "$1"; then client=mentioned; else client="not reported"; fi
  echo "$versions|$suites|$client"
}

echo "scimdoctor tls, sslscan and nmap ssl-enum-ciphers on loopback, median of $runs runs"
echo "sslscan: $(sslscan --version 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | awk 'NF { print $1; exit }')," \
  "$(nmap --version | head -1)"
echo
printf '%-22s %-10s %-10s %-16s %-34s %s\n' ENDPOINT TOOL VERSIONS SUITES "CLIENT CERTIFICATE" "TIME (s)"
for name in "${endpoints[@]}"; do
  port=$(port_of "$name")
  if [ -z "$port" ]; then
    echo "compare.sh: no port for the lab endpoint $name in the output of scimdoctor lab" >&2
    exit 1
  fi

  t=$(timed "$tmp/scimdoctor.json" "$tmp/scimdoctor" tls --format json --cacert "$cafile" "localhost:$port")
  IFS='|' read -r v s c < <(parse_scimdoctor "$tmp/scimdoctor.json")
  printf '%-22s %-10s %-10s %-16s %-34s %.3f\n' "$name" scimdoctor "$v" "$s" "$c" "$t"

  t=$(timed "$tmp/sslscan.txt" sslscan --no-colour "127.0.0.1:$port")
  IFS='|' read -r v s c < <(parse_sslscan "$tmp/sslscan.txt")
  printf '%-22s %-10s %-10s %-16s %-34s %.3f\n' "" sslscan "$v" "$s" "$c" "$t"

  t=$(timed "$tmp/nmap.txt" nmap -Pn -n -p "$port" --script ssl-enum-ciphers 127.0.0.1)
  IFS='|' read -r v s c < <(parse_nmap "$tmp/nmap.txt")
  printf '%-22s %-10s %-10s %-16s %-34s %.3f\n' "" nmap "$v" "$s" "$c" "$t"
done

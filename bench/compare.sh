#!/usr/bin/env bash
# Compares `scimdoctor tls` with sslscan and nmap's ssl-enum-ciphers script on
# the same local servers in one run. The servers are four lab endpoints (good,
# tls10-only, client-cert-required, 3des-only) and two servers with an RSA 2048
# key and many suites, which are the slow case for every scanner. These two are
# `openssl s_server -www` with its default settings and nginx accepting TLS
# 1.0 to 1.3 with `ssl_ciphers ALL:@SECLEVEL=0`.
#
# For each endpoint the tools run in turn, RUNS times (default 5): scimdoctor
# with all client profiles, scimdoctor with --client okta,entra, sslscan, nmap,
# then again. A load spike on a busy machine thus hits every tool alike. The
# script prints for each endpoint and tool the versions, the suite count per
# version, the median wall time (process start included) and the ratios of
# scimdoctor's median to sslscan's and to nmap's. For scimdoctor it also
# prints the TCP connections per scan (the JSON field `connections`, the
# maximum over the runs) and flags a count above 150. A line per endpoint
# states whether scimdoctor found every version and suite that each other tool
# found, compared by IANA suite name.
#
# With LATENCY set to a Go duration such as LATENCY=10ms, every scan goes
# through bench/latencyproxy, one proxy per endpoint, which delays each
# direction by LATENCY. A round trip then costs 2×LATENCY, and so does each
# TCP connect. Without LATENCY the tools scan the servers directly.
#
# Needs jq, sslscan, nmap, nginx and openssl, from the Debian packages of the
# same names. Every server listens on 127.0.0.1 and every scan targets
# 127.0.0.1 or localhost. Everything the script starts is stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-5}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "compare.sh: RUNS=$runs is not a positive whole number. Set RUNS to 1 or more, such as RUNS=5." >&2
  exit 2
fi
max_connections=150
latency=${LATENCY:-}
if [ -n "$latency" ] && ! [[ $latency =~ ^[0-9]+(\.[0-9]+)?(us|ms|s)$ ]]; then
  echo "compare.sh: LATENCY=$latency is not a delay. Set it to a number with the unit us, ms or s, such as LATENCY=10ms, or leave it unset." >&2
  exit 2
fi
lab_endpoints=(good tls10-only client-cert-required 3des-only)

for tool in jq sslscan nmap openssl go; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "compare.sh: $tool not found. Install the Debian package $tool (for go, the Go toolchain)." >&2
    exit 2
  fi
done
nginx_bin=$(command -v nginx || true)
if [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ]; then
  nginx_bin=/usr/sbin/nginx
fi
if [ -z "$nginx_bin" ]; then
  echo "compare.sh: nginx not found in PATH or /usr/sbin. Install the Debian package nginx." >&2
  exit 2
fi

# The scimdoctor runs name localhost, so it must resolve to loopback only.
if getent ahosts localhost | awk '{ print $1 }' | grep -Eqv '^(127\.|::1$)'; then
  echo "compare.sh: localhost resolves to a non-loopback address. Fix /etc/hosts before running." >&2
  exit 2
fi

tmp=$(mktemp -d)
lab_pid=
server_pids=()
# stop_all stops the lab with SIGINT, its documented Ctrl-C stop that also
# removes its temp files, and the other servers with SIGTERM, because bash
# starts background jobs of a script with SIGINT ignored and openssl s_server
# keeps it that way.
stop_all() {
  local pid
  if [ -n "$lab_pid" ] && kill -0 "$lab_pid" 2>/dev/null; then
    kill -INT "$lab_pid" 2>/dev/null || true
    wait "$lab_pid" 2>/dev/null || true
  fi
  for pid in "${server_pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$tmp"
}
trap stop_all EXIT

go build -o "$tmp/scimdoctor" ./cmd/scimdoctor
if [ -n "$latency" ]; then
  go build -o "$tmp/latencyproxy" ./bench/latencyproxy
fi

# --- servers -----------------------------------------------------------------

"$tmp/scimdoctor" lab "${lab_endpoints[@]}" >"$tmp/lab.out" 2>&1 &
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
lab_ca=$(sed -n 's/^lab CA (give it to clients with --cacert): //p' "$tmp/lab.out")
if [ -z "$lab_ca" ]; then
  echo "compare.sh: no CA file in the output of scimdoctor lab. Its output:" >&2
  cat "$tmp/lab.out" >&2
  exit 1
fi

# The endpoint tables: port and trusted CA file of each endpoint, by name.
endpoints=()
declare -A port_of ca_of

# The lab prints one line per endpoint: NAME https://localhost:PORT/scim/v2 ...
for name in "${lab_endpoints[@]}"; do
  port=$(awk -v name="$name" '$1 == name { print $2 }' "$tmp/lab.out" |
    sed -n 's|^https://localhost:\([0-9][0-9]*\)/.*|\1|p')
  if [ -z "$port" ]; then
    echo "compare.sh: no port for the lab endpoint $name in the output of scimdoctor lab" >&2
    exit 1
  fi
  endpoints+=("$name")
  port_of[$name]=$port
  ca_of[$name]=$lab_ca
done

# Self-signed RSA 2048 certificate for the openssl and nginx servers, so the
# certificate is its own CA.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost \
  -keyout "$tmp/rsa.key" -out "$tmp/rsa.pem" 2>"$tmp/req.err" || {
  echo "compare.sh: openssl req could not make the RSA test certificate:" >&2
  cat "$tmp/req.err" >&2
  exit 1
}

# listening PORT succeeds when something listens on 127.0.0.1:PORT. It reads
# the socket table instead of connecting, so the servers see no extra
# connection.
listening() {
  ss -Hltn "sport = :$1" | grep -q .
}

# start_server NAME COMMAND... picks a free port, runs COMMAND with every
# @PORT@ in its arguments replaced by it, and waits until the server listens.
# It tries 3 ports, because another process can take a free port before the
# server binds it.
start_server() {
  local name=$1 port pid arg try
  shift
  for try in 1 2 3; do
    port=$((20000 + RANDOM % 40000))
    listening "$port" && continue
    local args=()
    for arg in "$@"; do args+=("${arg//@PORT@/$port}"); done
    "${args[@]}" >"$tmp/$name.log" 2>&1 &
    pid=$!
    server_pids+=("$pid")
    for _ in $(seq 1 100); do
      if listening "$port"; then
        endpoints+=("$name")
        port_of[$name]=$port
        ca_of[$name]=$tmp/rsa.pem
        return 0
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "compare.sh: $name did not listen on 127.0.0.1:$port (try $try of 3). Its output:" >&2
    cat "$tmp/$name.log" >&2
  done
  echo "compare.sh: could not start $name. Run its command by hand to see why: $*" >&2
  exit 1
}

# openssl s_server with its defaults: TLS 1.2 and 1.3 and OpenSSL's default
# suite list at security level 2 (about 20 TLS 1.2 suites, ECDHE and DHE with
# RSA and static RSA). It handles one connection at a time.
openssl_cmd=(openssl s_server -accept 127.0.0.1:@PORT@ -www -quiet
  -cert "$tmp/rsa.pem" -key "$tmp/rsa.key")
start_server openssl-rsa "${openssl_cmd[@]}"

# nginx as one process (master_process off) with TLS 1.0 to 1.3 and every suite
# that its OpenSSL has, at security level 0.
mkdir -p "$tmp/nginx"
nginx_conf_template="master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/client_body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:@PORT@ ssl;
        server_name localhost;
        ssl_certificate $tmp/rsa.pem;
        ssl_certificate_key $tmp/rsa.key;
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
        ssl_ciphers ALL:@SECLEVEL=0;
        location / { return 200 \"ok\\n\"; }
    }
}"
# nginx_start PORT writes the configuration for PORT and replaces the shell
# with nginx, so the pid that start_server records is nginx's own.
nginx_start() {
  local conf=$tmp/nginx/nginx-$1.conf
  printf '%s\n' "${nginx_conf_template//@PORT@/$1}" >"$conf"
  exec "$nginx_bin" -p "$tmp/nginx" -c "$conf" -e "$tmp/nginx/error.log" -g 'daemon off;'
}
export -f nginx_start
export tmp nginx_bin nginx_conf_template
nginx_cmd=(bash -c 'nginx_start "$1"' nginx_start @PORT@)
start_server nginx-rsa-wide "${nginx_cmd[@]}"

# --- delay proxies -----------------------------------------------------------

# scan_port_of contains the port that the tools scan: the server's own port, or
# with LATENCY set, the port of a latencyproxy in front of it.
declare -A scan_port_of
for name in "${endpoints[@]}"; do
  scan_port_of[$name]=${port_of[$name]}
done

# start_proxy NAME starts a latencyproxy in front of the endpoint NAME and
# waits for the address that it prints on its first line.
start_proxy() {
  local name=$1 addr="" pid
  "$tmp/latencyproxy" -listen 127.0.0.1:0 -target "127.0.0.1:${port_of[$name]}" \
    -delay "$latency" >"$tmp/proxy-$name.addr" 2>"$tmp/proxy-$name.log" &
  pid=$!
  server_pids+=("$pid")
  for _ in $(seq 1 100); do
    addr=$(head -1 "$tmp/proxy-$name.addr")
    [ -n "$addr" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if ! [[ $addr =~ ^127\.0\.0\.1:[0-9]+$ ]]; then
    echo "compare.sh: latencyproxy for $name printed no listen address. Its log:" >&2
    cat "$tmp/proxy-$name.log" >&2
    exit 1
  fi
  scan_port_of[$name]=${addr##*:}
}

if [ -n "$latency" ]; then
  for name in "${endpoints[@]}"; do
    start_proxy "$name"
  done
fi

# --- parsers -----------------------------------------------------------------

# Each parser prints "versions|suites per version" with versions as 1.0 to 1.3,
# ssl3 and ssl2, and writes "VERSION IANA_NAME" lines, sorted, to the file
# given as its second argument.

parse_scimdoctor() {
  jq -r '
    def short: sub("^TLS "; "") | sub("^SSL 3.0$"; "ssl3") | sub("^SSL 2.0$"; "ssl2");
    ([.versions[] | select(.accepted) | .version | short] | join(" ")) + "|" +
    ([.suites[] | "\(.version | short):\(.suites | length)"] | join(" "))
  ' "$1"
  jq -r '
    def short: sub("^TLS "; "") | sub("^SSL 3.0$"; "ssl3") | sub("^SSL 2.0$"; "ssl2");
    .suites[] | (.version | short) as $v | .suites[] | "\($v) \(.name)"
  ' "$1" | sort -u >"$2"
}

# sslscan prints OpenSSL suite names, which openssl ciphers -stdname maps to
# IANA names. A name it does not know stays as sslscan printed it, so it shows
# up as missing from scimdoctor's list.
openssl ciphers -stdname 'ALL:COMPLEMENTOFALL:@SECLEVEL=0' 2>/dev/null |
  awk '$2 == "-" { print $3, $1 }' >"$tmp/openssl-names"

parse_sslscan() {
  local versions suites
  versions=$(awk '$2 == "enabled" && $1 ~ /^(SSLv|TLSv)/ { print $1 }' "$1" |
    sed 's/^TLSv//; s/^SSLv3$/ssl3/; s/^SSLv2$/ssl2/' | paste -sd' ')
  suites=$(awk '$1 == "Preferred" || $1 == "Accepted" { n[$2]++ }
    END { for (v in n) print v ":" n[v] }' "$1" |
    sed 's/^TLSv//; s/^SSLv3/ssl3/; s/^SSLv2/ssl2/' | sort | paste -sd' ')
  echo "$versions|$suites"
  awk 'NR == FNR { iana[$1] = $2; next }
    $1 == "Preferred" || $1 == "Accepted" {
      v = $2; sub("^TLSv", "", v); sub("^SSLv3$", "ssl3", v); sub("^SSLv2$", "ssl2", v)
      print v, ($5 in iana ? iana[$5] : $5)
    }' "$tmp/openssl-names" "$1" | sort -u >"$2"
}

# nmap 7.93 names the TLS 1.3 suites with the draft prefix TLS_AKE_WITH_, which
# the final RFC 8446 names drop.
parse_nmap() {
  local versions suites
  versions=$(sed -n 's/^|   \(SSLv3\|TLSv1\.[0-3]\): *$/\1/p' "$1" |
    sed 's/^TLSv//; s/^SSLv3$/ssl3/' | paste -sd' ')
  suites=$(awk '
    /^\|   (SSLv3|TLSv1\.[0-3]): *$/ { v = $2; sub(":", "", v); inside = 0; next }
    /^\|     ciphers: *$/ { inside = 1; next }
    inside && /^\|       / { n[v]++; next }
    { inside = 0 }
    END { for (v in n) print v ":" n[v] }' "$1" |
    sed 's/^TLSv//; s/^SSLv3/ssl3/' | sort | paste -sd' ')
  echo "$versions|$suites"
  awk '
    /^\|   (SSLv3|TLSv1\.[0-3]): *$/ {
      v = $2; sub(":", "", v); sub("^TLSv", "", v); sub("^SSLv3$", "ssl3", v)
      inside = 0; next
    }
    /^\|     ciphers: *$/ { inside = 1; next }
    inside && /^\|       / { name = $2; sub("^TLS_AKE_WITH_", "TLS_", name); print v, name; next }
    { inside = 0 }' "$1" | sort -u >"$2"
}

# found_all SCIMDOCTOR_LIST OTHER_LIST OTHER_VERSIONS SCIMDOCTOR_VERSIONS
# prints "yes" when scimdoctor found every version and suite of the other
# tool, else "no" and what it missed.
found_all() {
  local missed_suites missed_versions="" v
  for v in $3; do
    [[ " $4 " == *" $v "* ]] || missed_versions+=" $v"
  done
  missed_suites=$(comm -13 "$1" "$2" | paste -sd, -)
  if [ -z "$missed_versions" ] && [ -z "$missed_suites" ]; then
    echo yes
  else
    echo "no: missed versions [${missed_versions# }], suites [${missed_suites}]"
  fi
}

# --- timing ------------------------------------------------------------------

# median prints the middle value of the numbers on stdin, or the mean of the
# two middle values for an even count.
median() {
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# run_timed TIMES OUTFILE COMMAND... runs COMMAND once, writes its output to
# OUTFILE and appends its wall time in seconds to the file TIMES. The scanners
# exit non-zero on findings, so the exit code is not checked here. A failed
# run shows up as an empty result in the parsers' output.
run_timed() {
  local times=$1 out=$2 start end
  shift 2
  start=$EPOCHREALTIME
  "$@" >"$out" 2>&1 || true
  end=$EPOCHREALTIME
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f\n", e - s }' >>"$times"
}

tools=(scimdoctor scimdoctor-okta-entra sslscan nmap)
tool_label() {
  case $1 in
    scimdoctor-okta-entra) echo "scimdoctor --client okta,entra" ;;
    *) echo "$1" ;;
  esac
}

# scan TOOL ENDPOINT runs TOOL once against ENDPOINT, with output on stdout.
scan() {
  local port=${scan_port_of[$2]} ca=${ca_of[$2]}
  case $1 in
    scimdoctor)
      "$tmp/scimdoctor" tls --format json --cacert "$ca" "localhost:$port" ;;
    scimdoctor-okta-entra)
      "$tmp/scimdoctor" tls --format json --client okta,entra --cacert "$ca" "localhost:$port" ;;
    sslscan)
      sslscan --no-colour "127.0.0.1:$port" ;;
    nmap)
      nmap -Pn -n -p "$port" --script ssl-enum-ciphers 127.0.0.1 ;;
  esac
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for name in "${endpoints[@]}"; do
  for _ in $(seq 1 "$runs"); do
    for tool in "${tools[@]}"; do
      run_timed "$tmp/$name.$tool.times" "$tmp/$name.$tool.out" scan "$tool" "$name"
      if [[ $tool == scimdoctor* ]]; then
        jq -r '.connections // "none"' "$tmp/$name.$tool.out" >>"$tmp/$name.$tool.conns" 2>/dev/null ||
          echo none >>"$tmp/$name.$tool.conns"
      fi
    done
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- report ------------------------------------------------------------------

if [ -n "$latency" ]; then
  echo "scimdoctor tls, sslscan and nmap ssl-enum-ciphers on loopback through latencyproxy" \
    "with a one-way delay of $latency (round trip 2×$latency), median of $runs interleaved runs"
else
  echo "scimdoctor tls, sslscan and nmap ssl-enum-ciphers on loopback, median of $runs interleaved runs"
fi
echo "sslscan: $(sslscan --version 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | awk 'NF { print $1; exit }')," \
  "$(nmap --version | head -1), $(openssl version), $(go version | awk '{ print $3 }'), $(nproc) cores, kernel $(uname -r)"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  commit+=" with uncommitted changes"
fi
echo "scimdoctor built from commit $commit"
echo "load average (1, 5, 15 min): $load_before before, $load_after after"
for name in "${endpoints[@]}"; do
  if [ -n "$latency" ]; then
    echo "$name: port ${port_of[$name]}, scanned through the proxy on port ${scan_port_of[$name]}"
  else
    echo "$name: port ${port_of[$name]}"
  fi
done
echo
printf '%-22s %-31s %-17s %-30s %9s %6s %6s %s\n' \
  ENDPOINT TOOL VERSIONS SUITES "TIME (s)" "/SSLS" "/NMAP" CONNECTIONS
for name in "${endpoints[@]}"; do
  declare -A median_of=()
  for tool in "${tools[@]}"; do
    median_of[$tool]=$(median <"$tmp/$name.$tool.times")
  done
  declare -A versions_of=()
  first=$name
  for tool in "${tools[@]}"; do
    out=$tmp/$name.$tool.out
    case $tool in
      scimdoctor*) IFS='|' read -r v s < <(parse_scimdoctor "$out" "$tmp/$name.$tool.names") ;;
      sslscan) IFS='|' read -r v s < <(parse_sslscan "$out" "$tmp/$name.$tool.names") ;;
      nmap) IFS='|' read -r v s < <(parse_nmap "$out" "$tmp/$name.$tool.names") ;;
    esac
    versions_of[$tool]=$v
    ratios=("" "")
    conns=""
    if [[ $tool == scimdoctor* ]]; then
      ratios[0]=$(awk -v a="${median_of[$tool]}" -v b="${median_of[sslscan]}" 'BEGIN { printf "%.2f", a / b }')
      ratios[1]=$(awk -v a="${median_of[$tool]}" -v b="${median_of[nmap]}" 'BEGIN { printf "%.2f", a / b }')
      conns=$(sort -g "$tmp/$name.$tool.conns" | tail -1)
      if [[ $conns =~ ^[0-9]+$ ]] && [ "$conns" -gt "$max_connections" ]; then
        conns+=" (above $max_connections)"
      fi
    fi
    printf '%-22s %-31s %-17s %-30s %9.3f %6s %6s %s\n' "$first" "$(tool_label "$tool")" \
      "$v" "$s" "${median_of[$tool]}" "${ratios[0]}" "${ratios[1]}" "$conns"
    first=""
  done
  for other in sslscan nmap; do
    verdict=$(found_all "$tmp/$name.scimdoctor.names" "$tmp/$name.$other.names" \
      "${versions_of[$other]}" "${versions_of[scimdoctor]}")
    printf '%-22s scimdoctor found all that %s found: %s\n' "" "$other" "$verdict"
  done
  unset median_of versions_of
done

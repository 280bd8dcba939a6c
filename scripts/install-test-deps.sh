#!/usr/bin/env bash
# Installs, from Debian's packages, the real servers and clients the
# integration tests run: nginx, haproxy, Apache httpd, stunnel, tinyproxy, openssl,
# curl, a JDK 17, Tomcat 10, PostgreSQL 15 (for the SCIM store),
# the reference scanners nmap and sslscan, and Chromium with chromedriver
# (headless, for the inspector page test).
# Packages already present are left alone, so a second run costs nothing.
set -euo pipefail

need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
[ -x /usr/sbin/apache2 ] && [ -f /usr/lib/apache2/modules/mod_ssl.so ] || need+=(apache2)
command -v stunnel4 >/dev/null 2>&1 || need+=(stunnel4)
command -v tinyproxy >/dev/null 2>&1 || need+=(tinyproxy)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v nmap >/dev/null 2>&1 || need+=(nmap)
command -v sslscan >/dev/null 2>&1 || need+=(sslscan)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
[ -x /usr/share/tomcat10/bin/catalina.sh ] || need+=(tomcat10)
# libtcnative-1 is tomcat-native, which the Tomcat tests load through an
# AprLifecycleListener.
[ -e /usr/lib/x86_64-linux-gnu/libtcnative-1.so ] || need+=(libtcnative-1)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
# node and npm run the SCIMMY peer SCIM server of the conformance tests,
# which install its npm packages with npm ci on first use.
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=sudo
else
  sudo_cmd=
fi
echo "install-test-deps: installing ${need[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# The nginx and apache2 packages start a service on port 80 on some systems. The tests
# start their own nginx on loopback ports, so they need no system instance.
# The tinyproxy package starts a service on port 8888; the tests start their
# own tinyproxy on loopback ports as well.
# The stunnel4 package starts nothing, because it runs one service per file
# in /etc/stunnel and installs no such file.
# The tomcat10 package starts a service on port 8080; the tests run their own
# Tomcat from /usr/share/tomcat10 with a CATALINA_BASE on loopback ports.
# The postgresql package creates a cluster and starts it on port 5432; the
# tests run initdb and postgres in temp folders on loopback ports instead.
if command -v systemctl >/dev/null 2>&1; then
  $sudo_cmd systemctl disable --now nginx haproxy apache2 tinyproxy tomcat10 postgresql >/dev/null 2>&1 || true
fi

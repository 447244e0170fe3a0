#!/usr/bin/env bash
# Installs the Debian packages schemagate builds and tests with, when they are missing.
# Idempotent: a machine that has them all does nothing (no apt-get update, no network).
set -euo pipefail

packages=(
  build-essential pkg-config
  libmicrohttpd-dev libgnutls28-dev libcjson-dev libyaml-dev libssl-dev libpq-dev libcmocka-dev libc-ares-dev
  curl ca-certificates openssl python3 unzip util-linux
  python3-yaml time
  postgresql-15 postgresql-client-15
  libmariadb-dev mariadb-server mariadb-client
  openjdk-17-jre-headless
  clang libclang-rt-dev
  umoci
)
# Node.js may come from another packager (its npm bundled); ask Debian only when it is absent.
command -v npm >/dev/null || packages+=(nodejs npm)
# (python3-yaml and time: bench/review's stream generator and peak-RSS measure, which
# tests/e2e/review_bench.py runs small.) Extra groups: "bench" adds the load generator and the
# nginx baseline.
for group in "$@"; do
  case "$group" in
    bench) packages+=(wrk nginx-light util-linux) ;;
    *) echo "install-deps: unknown group '$group' (known: bench)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
